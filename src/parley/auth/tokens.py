"""Access tokens (HS256 JWT) and refresh tokens (random, stored hashed).

Decoding accepts HS256 only, so unsigned (``alg: none``) tokens and RS256/HS256 confusion are
refused; it requires exp, iat, nbf, sub and jti, and checks the issuer and audience.

The signing key is ``PARLEY_JWT_SECRET``. Without it, a random key is made once and kept in
``parley-secret.key`` (mode 0600) in the working directory, so the API processes of one host
share it; several hosts must all be given the same ``PARLEY_JWT_SECRET``.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

import jwt
import structlog
from pydantic import SecretStr

from parley.db.base import utcnow
from parley.errors import Unauthorized
from parley.keyfile import host_key

log = structlog.get_logger(__name__)

ALGORITHM = "HS256"
ISSUER = "parley"
AUDIENCE = "parley-api"
SECRET_FILE = "parley-secret.key"
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "sub", "jti", "iss", "aud")
# The user's token version at issue (auth_user.token_version); a token without it (issued
# before versions were kept) is of version 0.
VERSION_CLAIM = "tver"
# Tolerated clock difference between the hosts that issue and check tokens.
CLOCK_SKEW_SECONDS = 10


class TokenOptions(Protocol):
    """What issuing and checking tokens read: ``AuthOptions`` (or the settings themselves)."""

    @property
    def jwt_secret(self) -> SecretStr | None: ...

    @property
    def access_token_minutes(self) -> int: ...


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: datetime
    scope: str


def signing_key(options: TokenOptions) -> str:
    if options.jwt_secret is not None:
        return options.jwt_secret.get_secret_value()
    return host_key(SECRET_FILE)


def issue_access_token(
    options: TokenOptions,
    *,
    user_id: str,
    username: str,
    kind: str,
    roles: list[str],
    permissions: list[str],
    customer_id: str | None = None,
    client_id: str | None = None,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
    version: int = 0,
) -> IssuedToken:
    now = now or utcnow()
    expires_at = now + (lifetime or timedelta(minutes=options.access_token_minutes))
    jti = secrets.token_hex(16)
    scope = " ".join(sorted(permissions))
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "username": username,
        "kind": kind,
        "roles": sorted(roles),
        "scope": scope,
        "jti": jti,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    if version:
        claims[VERSION_CLAIM] = version
    if customer_id is not None:
        claims["customer_id"] = customer_id
    if client_id is not None:
        claims["client_id"] = client_id
    token = jwt.encode(claims, signing_key(options), algorithm=ALGORITHM)
    return IssuedToken(token, jti, expires_at.replace(microsecond=0), scope)


_EXPIRED = "the access token has expired; get a new one"
_REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, _EXPIRED),
    (jwt.ImmatureSignatureError, "the access token is not valid yet"),
    (jwt.InvalidSignatureError, "the access token's signature is not valid"),
    (jwt.InvalidAlgorithmError, f"the access token must be signed with {ALGORITHM}"),
    (jwt.InvalidAudienceError, f"the access token is not for {AUDIENCE}"),
    (jwt.InvalidIssuerError, f"the access token was not issued by {ISSUER}"),
    (jwt.DecodeError, "the access token is not a well-formed JWT"),
)


def decode_access_token(token: str, options: TokenOptions) -> dict:
    """The claims of a valid access token; Unauthorized, saying why, for any other token.

    A client sends the same token with every request for its lifetime: a token already
    verified by this process is not verified again (the signature can't have changed), only
    its expiry is checked anew. Revocation is checked by the caller, against the database."""
    key = signing_key(options)
    claims = _verified(token, key)
    now = utcnow().timestamp()  # Parley's clock (parley.clock), which tests can move
    if claims["exp"] + CLOCK_SKEW_SECONDS < now:
        raise Unauthorized(_EXPIRED)
    if max(claims["nbf"], claims["iat"]) > now + CLOCK_SKEW_SECONDS:
        raise Unauthorized("the access token is not valid yet")
    return dict(claims)


@lru_cache(maxsize=4096)
def _verified(token: str, key: str) -> dict:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=CLOCK_SKEW_SECONDS,
            # The times are checked by the caller against Parley's clock, not here.
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.MissingRequiredClaimError as error:
        raise Unauthorized(f"the access token has no '{error.claim}' claim") from None
    except jwt.InvalidTokenError as error:
        for kind, message in _REFUSALS:
            if isinstance(error, kind):
                raise Unauthorized(message) from None
        raise Unauthorized(f"the access token is not valid ({error})") from None
    if not all(isinstance(claims.get(name), str) and claims[name] for name in ("sub", "jti")):
        raise Unauthorized("the access token's 'sub' and 'jti' claims must be strings")
    if not all(_a_time(claims[name]) for name in ("exp", "nbf", "iat")):
        raise Unauthorized("the access token's 'exp', 'nbf' and 'iat' claims must be numbers")
    version = claims.get(VERSION_CLAIM, 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise Unauthorized(f"the access token's '{VERSION_CLAIM}' claim must be an integer")
    return claims


def token_version(claims: dict) -> int:
    """The user's token version the token was issued at."""
    return claims.get(VERSION_CLAIM, 0)


def _a_time(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    """Refresh tokens are 256 random bits: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()
