"""Log-in and tokens: the OAuth2 grants, refresh rotation, log-out, and who a token stands for.

Failed log-ins are counted and audited; after ``login_max_failures`` in a row the account is
locked for ``login_lock_minutes``. A failure raises ``LoginFailed`` *after* recording it in the
session, so the edge must commit before answering: the count and the audit entry are the point.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from parley.actor import Actor
from parley.auth import audit
from parley.auth.audit import record_access
from parley.auth.models import RefreshToken, User
from parley.auth.options import AuthOptions
from parley.auth.passwords import hash_secret, needs_rehash, verify_secret
from parley.auth.permissions import CLIENT, CUSTOMER, STAFF
from parley.auth.principal import Principal
from parley.auth.repository import AuthRepository
from parley.auth.throttle import LoginThrottle, Refusal
from parley.auth.tokens import (
    IssuedToken,
    decode_access_token,
    issue_access_token,
    new_refresh_token,
    refresh_token_hash,
    token_version,
)
from parley.changes import UnitOfWork
from parley.db.base import new_id, utcnow
from parley.errors import Unauthorized

BAD_CREDENTIALS = "invalid username or password"
BAD_CLIENT = "invalid client id or secret"
BAD_REFRESH = "the refresh token is not valid; log in again"
ENDED = (
    "the sessions of this access token's user were ended (a replayed refresh token, "
    "the user disabled or given a new password); log in again"
)


# Who signs in with a password; clients use their secret (the client-credentials grant).
PEOPLE = (STAFF, CUSTOMER)


class LoginFailed(Unauthorized):
    """A grant was refused. ``oauth_error`` is the RFC 6749 error code to answer with;
    ``reason`` says why in a word an edge can word for its users (``credentials``, ``locked``
    until ``locked_until``, ``disabled``, ``token``)."""

    def __init__(
        self,
        message: str,
        oauth_error: str = "invalid_grant",
        reason: str = "token",
        locked_until: datetime | None = None,
    ):
        super().__init__(message)
        self.oauth_error, self.reason, self.locked_until = oauth_error, reason, locked_until


class LoginThrottled(LoginFailed):
    """Refused before the secret was checked: too many failed log-ins from this address or on
    this account (``auth/throttle.py``); the caller may try again in ``retry_after`` seconds."""

    def __init__(self, refusal: Refusal):
        until = utcnow() + timedelta(seconds=refusal.retry_after)
        super().__init__(refusal.message, "slow_down", "locked", until)
        self.retry_after = refusal.retry_after


@dataclass(frozen=True)
class TokenPair:
    access: IssuedToken
    refresh_token: str | None  # client-credentials grants get none (RFC 6749 4.4.3)
    expires_in: int  # seconds


class AuthService:
    def __init__(self, uow: UnitOfWork, source: str | None = None):
        """Log-ins and log-outs are recorded for the user they are about, not ``uow``'s actor
        (a log-in has none yet). ``source``: the caller's address, which failed log-ins hold
        back (``auth/throttle.py``)."""
        self.uow = uow
        self.repo = AuthRepository(uow.session)
        self.options = uow.options(AuthOptions)
        self.source = source

    @cached_property
    def throttle(self) -> LoginThrottle:
        """Made when a log-in needs it (not on every principal look-up)."""
        return LoginThrottle(self.uow, self.options, self.source)

    # -- grants --------------------------------------------------------------------------

    def password_grant(
        self, username: str, password: str, channel: str = "api", client_id: str | None = None
    ) -> TokenPair:
        user = self._check_secret(username, password, channel, client_id, PEOPLE)
        return self._tokens(user, client_id, with_refresh=True)

    def check_password(
        self, username: str, password: str, channel: str, kinds: tuple[str, ...] = PEOPLE
    ) -> User:
        """The user this username and password are, for an edge that keeps sessions of its
        own (the console): the password grant's checks, counting, lock-out and audit trail,
        without tokens. A user of another kind than ``kinds`` is refused as unknown."""
        return self._check_secret(username, password, channel, None, kinds)

    def client_credentials_grant(
        self, client_id: str, client_secret: str, channel: str = "api"
    ) -> TokenPair:
        user = self._check_secret(client_id, client_secret, channel, client_id, (CLIENT,))
        return self._tokens(user, user.username, with_refresh=False)

    def refresh_grant(
        self, refresh_token: str, channel: str = "api", client_id: str | None = None
    ) -> TokenPair:
        now = utcnow()
        stored = self.repo.refresh_token_by_hash(refresh_token_hash(refresh_token))
        if stored is None:
            raise LoginFailed(BAD_REFRESH)
        user = self.repo.get_user(stored.user_id)
        if user is None:
            raise LoginFailed(BAD_REFRESH)
        if stored.revoked_reason == "rotated":
            # An exchanged token came back: someone holds a copy. End every session.
            self.repo.end_sessions(stored.user_id, now)
            actor = Actor(user.username, channel, user.id, client_id or stored.client_id)
            self._record_as(actor, audit.REFRESH_REUSED, user.id)
            raise LoginFailed("the refresh token was already used; every session is ended")
        if stored.revoked_at is not None or stored.expires_at <= now or user.disabled:
            raise LoginFailed(BAD_REFRESH)
        if client_id is not None and stored.client_id not in (None, client_id):
            raise LoginFailed("the refresh token was issued to another client")
        stored.revoked_at, stored.revoked_reason = now, "rotated"
        return self._tokens(user, stored.client_id, with_refresh=True)

    def _check_secret(
        self,
        username: str,
        secret: str,
        channel: str,
        client_id: str | None,
        kinds: tuple[str, ...],
    ) -> User:
        """The user whose secret this is, or LoginFailed after counting and auditing the miss."""
        name = username.strip().lower()[:150]
        want_client = CLIENT in kinds
        error = "invalid_client" if want_client else "invalid_grant"
        refusal = BAD_CLIENT if want_client else BAD_CREDENTIALS
        _held_back(self.throttle.admit(Actor(name or "(none)", channel, None, client_id)))
        user = self.repo.user_by_username(name, for_update=True) if name else None
        actor = Actor(name or "(none)", channel, user.id if user else None, client_id)
        _held_back(self.throttle.check(actor.name))
        if user is None or user.kind not in kinds:
            verify_secret(None, secret)  # spend the same time as a real check
            reason = "unknown user" if user is None else f"{user.kind} used the wrong grant"
            self.throttle.failed(user, actor, reason)
            raise LoginFailed(refusal, error, "credentials")
        now = utcnow()
        if not verify_secret(user.secret_hash, secret):
            self._count_failure(user, actor)
            raise LoginFailed(refusal, error, "credentials")
        if user.disabled:
            self._failed(actor, "disabled")
            raise LoginFailed("the account is disabled", error, "disabled")
        if needs_rehash(user.secret_hash):
            user.secret_hash = hash_secret(secret)
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        self.throttle.succeeded(actor.name)
        self.repo.add(user)
        self._record_as(actor, audit.LOGIN, user.id)
        return user

    def _failed(self, actor: Actor, reason: str, **detail) -> None:
        after = {"reason": reason, **detail}
        self._record_as(actor, audit.LOGIN_FAILED, actor.user_id, after=after)

    def _count_failure(self, user: User, actor: Actor) -> None:
        self.throttle.failed(user, actor, "wrong secret")
        self.repo.add(user)

    def _tokens(self, user: User, client_id: str | None, with_refresh: bool) -> TokenPair:
        grants = self.repo.grants(user.id)
        access = issue_access_token(
            self.options,
            user_id=user.id,
            username=user.username,
            kind=user.kind,
            roles=grants.roles,
            permissions=sorted(grants.permissions),
            customer_id=user.customer_id,
            client_id=client_id,
            version=user.token_version,
        )
        refresh = None
        if with_refresh:
            refresh = new_refresh_token()
            now = utcnow()
            self.repo.add(
                RefreshToken(
                    id=new_id(),
                    user_id=user.id,
                    token_hash=refresh_token_hash(refresh),
                    client_id=client_id,
                    issued_at=now,
                    expires_at=now + timedelta(days=self.options.refresh_token_days),
                )
            )
        return TokenPair(access, refresh, self.options.access_token_minutes * 60)

    # -- log-out -------------------------------------------------------------------------

    def logout(
        self, access_token: str | None, refresh_token: str | None = None, channel: str = "api"
    ) -> bool:
        """Revoke the access token (by its jti) and/or the refresh token; True if one was.

        Tokens that are invalid or expired already need no revoking and are ignored
        (RFC 7009: the answer is the same either way).
        """
        now = utcnow()
        user_id, client_id, revoked = None, None, False
        if access_token:
            try:
                claims = decode_access_token(access_token, self.options)
            except Unauthorized:
                claims = None
            if claims is not None:
                self.repo.revoke_access_token(claims["jti"], _at(claims["exp"]), now)
                user_id, client_id, revoked = claims["sub"], claims.get("client_id"), True
        if refresh_token:
            stored = self.repo.refresh_token_by_hash(refresh_token_hash(refresh_token))
            if stored is not None and user_id in (None, stored.user_id):
                if stored.revoked_at is None:
                    stored.revoked_at, stored.revoked_reason = now, "logout"
                user_id, client_id, revoked = stored.user_id, client_id or stored.client_id, True
        user = self.repo.get_user(user_id) if user_id else None
        if user is not None:
            actor = Actor(user.username, channel, user.id, client_id)
            self._record_as(actor, audit.LOGOUT, user.id)
        return revoked

    def _record_as(self, actor: Actor, action: str, user_id: str | None, after=None) -> None:
        record_access(self.uow.acting_as(actor), "user", action, user_id, after=after)

    def purge_expired_tokens(self) -> int:
        return self.repo.purge_expired_tokens(utcnow())

    # -- who a token stands for ----------------------------------------------------------

    def principal_from_token(self, token: str) -> Principal:
        """The principal of a valid access token, with the permissions their roles grant now."""
        claims = decode_access_token(token, self.options)
        rows = self.repo.principal_rows(claims["sub"], claims["jti"])
        if rows and rows[0].revoked:
            raise Unauthorized("the access token was revoked (logged out); log in again")
        if not rows:
            raise Unauthorized("the user of this access token no longer exists")
        if rows[0].disabled:
            raise Unauthorized("the user of this access token is disabled")
        if token_version(claims) != rows[0].token_version:
            raise Unauthorized(ENDED)
        return Principal.from_rows(
            rows,
            client_id=claims.get("client_id"),
            token_id=claims["jti"],
            token_expires_at=_at(claims["exp"]),
        )


def _held_back(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise LoginThrottled(refusal)


def _at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
