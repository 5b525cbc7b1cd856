"""Keys a host generates once and keeps in files in the working directory, shared by all the
processes started there (API processes, workers): ``parley-secret.key`` signs access tokens
(auth/tokens.py) and ``parley-webhook.key`` signs webhook bodies (outbox/webhook.py) unless
PARLEY_JWT_SECRET and PARLEY_WEBHOOK_SECRET are set. Several hosts must all be given the same
settings instead."""

import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)
MIN_LENGTH = 32


def host_key(name: str) -> str:
    """The key in the file ``name`` of the working directory, made first if none is there."""
    return read_or_make(Path.cwd() / name)


@lru_cache
def read_or_make(path: Path) -> str:
    """Read the host's key file, creating it first if no process has yet."""
    if not path.exists():
        # Written aside, then linked into place: linking fails if another process won the race,
        # and nobody ever reads a half-written key.
        scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(scratch, path)
            log.info("generated a key", path=str(path))
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("key file is readable by others; chmod 600 it", path=str(path))
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise RuntimeError(f"{path} holds no usable key (under {MIN_LENGTH} characters); delete it")
    return key
