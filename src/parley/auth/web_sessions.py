"""Signed-in browsers: the sessions of the agent console (and, later, the portal).

Signing in checks the password exactly as the API's password grant does
(``AuthService.check_password``: the same lock-out and audit trail), then starts a session: a
random 256-bit token for the browser's cookie, only its SHA-256 in the table. Every request
resumes the session from the token and reads the user and what their roles grant afresh, so a
log-out, a disabled user or a changed role applies to the very next request, in every process.
A session ends at log-out, when the user signs in again in the same browser, after the idle
time-out, or at its absolute lifetime.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parley.actor import Actor
from parley.auth import audit
from parley.auth.audit import record_access
from parley.auth.models import WebSession
from parley.auth.permissions import STAFF
from parley.auth.principal import Principal
from parley.auth.repository import AuthRepository
from parley.auth.service import AuthService
from parley.changes import UnitOfWork
from parley.db.base import new_id, utcnow
from parley.errors import InvalidInput

# last_seen_at is written at most this often per session: the idle time-out is exact to within
# it, and a page's burst of requests (search as you type) costs no write each.
TOUCH_EVERY = timedelta(seconds=60)
MAX_TOKEN_LENGTH = 128  # ours are 43 characters; anything much longer is not one of ours
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta  # ends after this long without a request
    lifetime: timedelta  # ends this long after signing in, however busy


@dataclass(frozen=True)
class SignedIn:
    """A resumed session: who it is, what they may do now, and their own choices."""

    session_id: str
    principal: Principal
    display_name: str
    language: str | None
    time_zone: str | None
    started_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Started:
    token: str  # for the cookie; never stored
    signed_in: SignedIn


def token_hash(token: str) -> str:
    # The token is random (256 bits), so a plain hash without salt cannot be reversed.
    return hashlib.sha256(token.encode()).hexdigest()


class WebSessions:
    def __init__(
        self,
        uow: UnitOfWork,
        limits: SessionLimits,
        channel: str = "console",
        kinds: tuple[str, ...] = (STAFF,),
        source: str | None = None,
    ):
        """Sessions of one ``channel``, for users of ``kinds`` (the console: staff); ``source``
        is the browser's address, which failed sign-ins hold back (``auth/throttle.py``)."""
        self.uow, self.limits, self.channel, self.kinds = uow, limits, channel, kinds
        self.source = source
        self.repo = AuthRepository(uow.session)

    def sign_in(self, username: str, password: str, previous: str | None = None) -> Started:
        """A new session for this user (``LoginFailed`` if the password check refuses them).
        The browser's ``previous`` session, if any, ends: a sign-in never keeps a session id
        the browser had before (session fixation)."""
        service = AuthService(self.uow, source=self.source)
        user = service.check_password(username, password, self.channel, self.kinds)
        now = utcnow()
        if previous:
            self._end(previous, now, "replaced")
        token = secrets.token_urlsafe(32)
        self.repo.add(
            WebSession(
                id=new_id(),
                token_hash=token_hash(token),
                user_id=user.id,
                channel=self.channel,
                created_at=now,
                last_seen_at=now,
                expires_at=now + self.limits.lifetime,
            )
        )
        signed_in = self.resume(token)
        assert signed_in is not None  # just made
        return Started(token, signed_in)

    def resume(self, token: str | None, touch: bool = True) -> SignedIn | None:
        """The session this token holds, if it is still open; None otherwise. ``touch``:
        this counts as activity (an open live stream checking the session does not)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        rows = self.repo.web_session_rows(token_hash(token))
        if not rows:
            return None
        first, now = rows[0], utcnow()
        if (
            first.ended_at is not None
            or first.channel != self.channel
            or first.kind not in self.kinds
            or first.disabled
            or now >= first.expires_at
            or now - first.last_seen_at >= self.limits.idle
        ):
            return None
        if touch and now - first.last_seen_at >= min(TOUCH_EVERY, self.limits.idle / 10):
            self.repo.touch_web_session(first.session_id, now)
        principal = Principal.from_rows(
            rows, token_id=first.session_id, token_expires_at=first.expires_at
        )
        return SignedIn(
            session_id=first.session_id,
            principal=principal,
            display_name=first.display_name,
            language=first.language,
            time_zone=first.time_zone,
            started_at=first.created_at,
            expires_at=first.expires_at,
        )

    def sign_out(self, token: str | None) -> bool:
        """End the session (recorded as a log-out); whether there was an open one."""
        return self._end(token, utcnow(), "logout") if token else False

    def _end(self, token: str, now: datetime, reason: str) -> bool:
        if len(token) > MAX_TOKEN_LENGTH:
            return False
        rows = self.repo.web_session_rows(token_hash(token))
        if not rows or not self.repo.end_web_session(rows[0].session_id, now, reason):
            return False
        if reason == "logout":
            user = rows[0]
            actor = Actor(user.username, self.channel, user.id)
            record_access(self.uow.acting_as(actor), "user", audit.LOGOUT, user.id)
        return True

    def choose(
        self, signed_in: SignedIn, language: str | None = None, time_zone: str | None = None
    ) -> None:
        """Keep the user's own language and/or time zone (None leaves one as it is)."""
        if language is not None and not LANGUAGE_TAG.fullmatch(language):
            raise InvalidInput(f"language: {language!r} is not a language tag", "language")
        if time_zone is not None:
            _check_time_zone(time_zone)
        user = self.repo.get_user(signed_in.principal.user_id)
        if user is None:
            return
        before = {"language": user.language, "timeZone": user.time_zone}
        if language is not None:
            user.language = language
        if time_zone is not None:
            user.time_zone = time_zone
        after = {"language": user.language, "timeZone": user.time_zone}
        if after == before:
            return
        user.updated_at = utcnow()
        self.repo.add(user)
        actor = signed_in.principal.actor(self.channel)
        record_access(
            self.uow.acting_as(actor), "user", audit.UPDATE, user.id, before=before, after=after
        )


def _check_time_zone(name: str) -> None:
    if len(name) > 64:
        raise InvalidInput("time zone: too long", "timeZone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"time zone: {name!r} is not an IANA time zone", "timeZone") from None
