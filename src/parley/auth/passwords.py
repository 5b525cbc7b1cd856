"""Hashing of passwords and client secrets (argon2id) and the password policy."""

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from parley.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
# argon2 hashes whatever it is given: bound the work one log-in attempt can cause.
MAX_SECRET_LENGTH = 256

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a failed log-in takes as long either
    way and the time taken does not tell which usernames exist."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str | None, candidate: str) -> bool:
    """True when ``candidate`` matches; a missing hash still costs one verification."""
    if len(candidate) > MAX_SECRET_LENGTH:
        return False
    try:
        return _hasher.verify(secret_hash or _dummy_hash(), candidate) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(secret_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(secret_hash)


def check_password(password: str, username: str = "") -> None:
    """Raise InvalidInput unless ``password`` is acceptable for ``username``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password: must be at least {MIN_PASSWORD_LENGTH} characters", "password"
        )
    if len(password) > MAX_SECRET_LENGTH:
        raise InvalidInput(f"password: must be at most {MAX_SECRET_LENGTH} characters", "password")
    if len(set(password)) < 4:
        raise InvalidInput("password: too easy to guess (too few different characters)", "password")
    if username and username.lower() in password.lower():
        raise InvalidInput("password: must not contain the username", "password")


def new_client_secret() -> str:
    """A random client secret for an integration client, shown once at creation."""
    return secrets.token_urlsafe(32)
