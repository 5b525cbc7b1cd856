"""Tables for users, roles and their permissions, refresh tokens, log-outs and signed-in
browsers (the audit trail's table is parley.changes.models)."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.db.base import Base, JSONDocument, UTCDateTime, UUIDString, new_id, utcnow

# A customer log-in acts for exactly one customer; staff and clients for none.
CUSTOMER_LINK_RULE = (
    "(kind = 'customer' AND customer_id IS NOT NULL) "
    "OR (kind <> 'customer' AND customer_id IS NULL)"
)


class User(Base):
    """Someone or something that logs in: staff, an integration client, or a customer.

    ``secret_hash`` is the argon2 hash of the password (staff, customers) or client secret.
    """

    __tablename__ = "auth_user"
    __table_args__ = (
        CheckConstraint("kind IN ('staff', 'client', 'customer')", name="kind"),
        CheckConstraint(CUSTOMER_LINK_RULE, name="customer_link"),
        CheckConstraint("length(username) >= 3", name="username_length"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(150), unique=True)  # stored lower-case
    kind: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(300))
    secret_hash: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Access tokens carry the version they were issued at; ending the user's sessions (a
    # replayed refresh token, disabling, a new password) raises it and refuses the older ones.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The user's own choices for the screens they work in; unset: the request's language
    # (Accept-Language) and PARLEY_DEFAULT_TIME_ZONE.
    language: Mapped[str | None] = mapped_column(String(16))
    # The staff member's telephone extension: calls the phone system reports for it pop up
    # on their console (migration 0020).
    extension: Mapped[str | None] = mapped_column(String(32), index=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Where a staff user is sent what they asked for by email (a scheduled report): migration
    # 0035.
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Role(Base):
    """A named set of permissions, with limits such as {"adjustmentLimit": 100.0}."""

    __tablename__ = "auth_role"
    __table_args__ = (CheckConstraint("length(name) >= 2", name="name_length"),)

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    limits: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RolePermission(Base):
    __tablename__ = "auth_role_permission"

    role_id: Mapped[str] = mapped_column(
        ForeignKey("auth_role.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(64), primary_key=True)


class UserRole(Base):
    __tablename__ = "auth_user_role"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), primary_key=True
    )
    # RESTRICT: a role still held by someone can't disappear from under them.
    role_id: Mapped[str] = mapped_column(
        ForeignKey("auth_role.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    # A stable id for the grant (TMF672 permission), with when and by whom it was given.
    id: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_id)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[str | None] = mapped_column(String(36))
    granted_by: Mapped[str | None] = mapped_column(String(150))


class RefreshToken(Base):
    """A refresh token, stored as the SHA-256 of its value (it is random, so no salt is needed).

    Refreshing revokes the token used; presenting that one again means it was stolen or
    replayed, and every refresh token of the user is revoked.
    """

    __tablename__ = "auth_refresh_token"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str | None] = mapped_column(String(150))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "rotated" (exchanged for a new one: presenting it again is a replay), "logout", or
    # "ended" (password change, disabled user, replay detected).
    revoked_reason: Mapped[str | None] = mapped_column(String(16))


class RevokedAccessToken(Base):
    """An access token logged out before it expired; kept until then, by its ``jti``."""

    __tablename__ = "auth_revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebSession(Base):
    """A browser signed in to the console (later also the portal).

    The cookie holds a random token; only its SHA-256 is stored, so the table does not hold
    what would let its reader act as the user. The session ends at log-out, after
    ``last_seen_at`` lies longer back than the idle time-out, or at ``expires_at`` (the
    absolute lifetime); what the user may do is read afresh on every request.
    """

    __tablename__ = "auth_web_session"

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # console, portal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "logout", "replaced" (a new sign-in in the same browser), "ended" (a new password, a
    # replayed refresh token, the user disabled).
    ended_reason: Mapped[str | None] = mapped_column(String(16))


class OneTimeCode(Base):
    """A code sent to a customer to prove they hold a phone number or email on file (to
    register for the portal or set a new password). Only an argon2 hash of the code is kept;
    it expires, and is used up by one right answer or ``one_time_code_max_failures`` wrong
    ones. A row with no customer answers details that matched nobody: it exists so that the
    answer is the same, and no code ever checks against it."""

    __tablename__ = "one_time_code"
    __table_args__ = (
        CheckConstraint("purpose IN ('register', 'reset')", name="purpose"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel"),
    )

    id: Mapped[str] = mapped_column(UUIDString, primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
