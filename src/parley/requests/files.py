"""Files attached to requests, below the database: what a file is (recognised from its first
bytes, never from its name or the type its sender declared), a name that is safe to offer
for download, and the store that keeps the files outside the database.

The store names each file by the SHA-256 of its content (``ab/cd/abcd…``), so the same file
sent twice is kept once, and what is read back is checked against the name it was kept under:
a file changed or damaged on disk is never served. A file is written to a temporary file in
the same directory, flushed to disk and renamed into place, so a reader never sees half of one
and a crash leaves no partial file under a real name.

A file is kept before the row that names it is committed, so a rolled-back request (or a crash
between the two) leaves a file no row names: ``sweep`` removes such files once they are older
than a grace period, and the temporary files a crash left.
"""

import contextlib
import hashlib
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
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
_CHECKSUM = re.compile(r"[0-9a-f]{64}")
_TEMPORARY = ".incoming-"
_SWEPT = ".swept-"
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
        if not _CHECKSUM.fullmatch(sha256):
            raise FileMissing(sha256)
        return self.directory / sha256[:2] / sha256[2:4] / sha256

    def keep(self, content: bytes) -> str:
        """Keep ``content`` (once, however often it is sent); its SHA-256."""
        sha256 = checksum(content)
        target = self.path(sha256)
        if target.is_file() and target.stat().st_size == len(content):
            try:  # kept again: young again, so a sweep leaves it to the row about to name it
                os.utime(target)
                return sha256
            except FileNotFoundError:  # a sweep took it just now: written again below
                pass
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=_TEMPORARY)
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

    def sweep(
        self, named: Callable[[list[str]], Iterable[str]], grace_seconds: float, batch: int = 500
    ) -> int:
        """Remove the files older than ``grace_seconds`` that no row names (``named``: which of
        the checksums given rows name) and the temporary files a crash left; how many went.

        A file ``keep`` takes again meanwhile is never lost: it is moved aside first, and put
        back if ``keep`` touched it before the move (after the move, ``keep`` writes it anew)."""
        if not self.directory.is_dir():
            return 0
        cutoff, removed = time.time() - grace_seconds, 0
        old: list[Path] = []
        for path in self.directory.glob("*/*/*"):
            if not _older(path, cutoff):
                if path.name.startswith(_SWEPT):  # a sweep stopped before putting it back
                    _put_back(path, path.with_name(path.name.removeprefix(_SWEPT)))
            elif _CHECKSUM.fullmatch(path.name):
                old.append(path)
            elif path.name.startswith((_TEMPORARY, _SWEPT)):
                path.unlink(missing_ok=True)
                removed += 1
        for start in range(0, len(old), batch):
            chunk = {path.name: path for path in old[start : start + batch]}
            for sha256 in set(chunk) - set(named(list(chunk))):
                removed += _remove_unless_taken_again(chunk[sha256], cutoff)
        return removed


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _remove_unless_taken_again(path: Path, cutoff: float) -> int:
    aside = path.with_name(f"{_SWEPT}{path.name}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return 0
    if _older(aside, cutoff):
        aside.unlink(missing_ok=True)
        return 1
    _put_back(aside, path)  # kept again just before the move
    return 0


def _put_back(aside: Path, path: Path) -> None:
    """``aside`` back under its name (the same bytes as any file ``keep`` wrote there since);
    another worker's sweep may have done it already."""
    with contextlib.suppress(FileNotFoundError):
        os.replace(aside, path)
