"""Files attached to requests, below the database: what a file is (recognised from its first
bytes, never from its name or the type its sender declared), a name that is safe to offer
for download, and the store that keeps the files outside the database.

The store names each file by the SHA-256 of its content (``ab/cd/abcd…``), so the same file
sent twice is kept once, and what is read back is checked against the name it was kept under:
a file changed or damaged on disk is never served. A file is written to a temporary file in
the same directory, flushed to disk and renamed into place, so a reader never sees half of one
and a crash leaves no partial file under a real name.
"""

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import quote

PDF, PNG, JPEG, TEXT = "application/pdf", "image/png", "image/jpeg", "text/plain"
# Leading bytes of each binary type (PDF: the header may follow a few bytes of junk, which
# readers accept; Parley does not).
SIGNATURES = ((PDF, b"%PDF-"), (PNG, b"\x89PNG\r\n\x1a\n"), (JPEG, b"\xff\xd8\xff"))
EXTENSIONS = {PDF: (".pdf",), PNG: (".png",), JPEG: (".jpg", ".jpeg"), TEXT: (".txt",)}
NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", TEXT: "text"}
# Plain text: UTF-8 with no control characters but tab, line feed, carriage return and form
# feed (a NUL or an escape sequence is a binary file or a terminal trick, not a letter).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')
LONGEST_NAME = 200


def sniff(content: bytes) -> str | None:
    """The media type ``content`` is, of the four Parley recognises; None for any other."""
    for media_type, signature in SIGNATURES:
        if content.startswith(signature):
            return media_type
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return TEXT if text and not _CONTROL.search(text) else None


def safe_name(given: str, media_type: str) -> str:
    """A file name to show and to offer for download: no directories, no control or quoting
    characters, not too long, ending in an extension of its real type (a PNG sent as
    ``bill.html`` is offered as ``bill.html.png``)."""
    name = unicodedata.normalize("NFC", given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" ._") or "attachment"
    extensions = EXTENSIONS[media_type]
    if not name.lower().endswith(extensions):
        name += extensions[0]
    stem, dot, extension = name.rpartition(".")
    keep = LONGEST_NAME - len(extension) - 1
    return f"{stem[:keep].rstrip(' ._') or 'attachment'}{dot}{extension}"


def content_disposition(name: str) -> str:
    """How a file is offered: as a download (never shown in a page), under its name (RFC 6266:
    an ASCII fallback, and the name itself in UTF-8)."""
    fallback = "".join(c if c.isascii() and c.isprintable() else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class FileMissing(Exception):
    """The store has no file under that checksum, or what it has does not match it."""


class FileStore:
    """Files by SHA-256 under ``directory`` (made when the first file is kept)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise FileMissing(sha256)
        return self.directory / sha256[:2] / sha256[2:4] / sha256

    def keep(self, content: bytes) -> str:
        """Keep ``content`` (once, however often it is sent); its SHA-256."""
        sha256 = checksum(content)
        target = self.path(sha256)
        if target.is_file() and target.stat().st_size == len(content):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str) -> bytes:
        """The file kept under ``sha256``, checked against it; ``FileMissing`` if it is gone
        or does not match."""
        try:
            content = self.path(sha256).read_bytes()
        except OSError:
            raise FileMissing(sha256) from None
        if checksum(content) != sha256:
            raise FileMissing(sha256)
        return content
