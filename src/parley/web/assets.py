"""The web edge's static files (stylesheet, scripts, icons), served by the app itself.

Every file is read once at start-up and served from memory under a URL naming its content's
hash (``/console/static/3f2a9c01d4e7/parley.css``), so browsers and proxies may keep it for a
year: a changed file has a new URL. A request for an old hash (a page from before a release)
still gets the current file, but not cacheable. Nothing is fetched from elsewhere at run
time, and there is no build step: the files in ``static/`` are what is served.
"""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
COMPRESSIBLE = (".css", ".js", ".svg")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    version: str  # the first 12 hex digits of the content's SHA-256


class Assets:
    def __init__(self, directory: Path = STATIC_DIR):
        self._files: dict[str, Asset] = {}
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            if path.suffix in (".md", ".txt"):
                continue  # notes beside vendored files, not for browsers
            body = path.read_bytes()
            media_type = TYPES.get(path.suffix) or (
                mimetypes.guess_type(name)[0] or "application/octet-stream"
            )
            gzipped = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
            version = hashlib.sha256(body).hexdigest()[:12]
            self._files[name] = Asset(body, gzipped, media_type, version)

    def names(self) -> list[str]:
        return list(self._files)

    def path(self, name: str) -> str:
        """The versioned path of a file below the site's root (KeyError for an unknown one:
        a template naming a file that does not exist fails its first render)."""
        return f"/static/{self._files[name].version}/{name}"

    def response(self, request: Request, version: str, name: str) -> Response:
        asset = self._files.get(name)
        if asset is None:
            return Response("Not found", 404, media_type="text/plain")
        current = version == asset.version
        etag = f'"{asset.version}"'
        headers = {
            "Cache-Control": FOREVER if current else "no-cache",
            "ETag": etag,
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body, headers["Content-Encoding"] = asset.gzipped, "gzip"
        return Response(body, media_type=asset.media_type, headers=headers)
