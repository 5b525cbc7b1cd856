"""Every query of the auth domain."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, delete, exists, func, or_, select, update

from parley.auth.models import (
    OneTimeCode,
    RefreshToken,
    RevokedAccessToken,
    Role,
    RolePermission,
    User,
    UserRole,
    WebSession,
)
from parley.changes.models import AuditEntry
from parley.db.base import new_id, utcnow
from parley.db.repository import Repository


@dataclass(frozen=True)
class Grants:
    """What a user holds right now: role names, permissions, and each role's limits."""

    roles: list[str]
    permissions: set[str]
    limits: list[dict]


@dataclass(frozen=True)
class GrantRow:
    """One user's holding of one role (a TMF672 permission), with what it shows of both."""

    link: UserRole
    user: User
    role_name: str


_GRANT_QUERY = (
    select(UserRole, User, Role.name)
    .join(User, User.id == UserRole.user_id)
    .join(Role, Role.id == UserRole.role_id)
)

_PRINCIPAL_QUERY = (
    select(
        User.id,
        User.username,
        User.kind,
        User.disabled,
        User.customer_id,
        User.token_version,
        Role.name.label("role"),
        Role.limits,
        RolePermission.permission,
        exists().where(RevokedAccessToken.jti == bindparam("jti")).label("revoked"),
    )
    .select_from(User)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .outerjoin(Role, Role.id == UserRole.role_id)
    .outerjoin(RolePermission, RolePermission.role_id == Role.id)
    .where(User.id == bindparam("user_id"))
    .order_by(Role.name)
)

# A signed-in browser's session with its user and what their roles grant now: the one
# statement every console page starts with (as _PRINCIPAL_QUERY is for an access token).
_WEB_SESSION_QUERY = (
    select(
        WebSession.id.label("session_id"),
        WebSession.channel,
        WebSession.created_at,
        WebSession.last_seen_at,
        WebSession.expires_at,
        WebSession.ended_at,
        User.id,
        User.username,
        User.kind,
        User.display_name,
        User.disabled,
        User.customer_id,
        User.language,
        User.time_zone,
        Role.name.label("role"),
        Role.limits,
        RolePermission.permission,
    )
    .select_from(WebSession)
    .join(User, User.id == WebSession.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .outerjoin(Role, Role.id == UserRole.role_id)
    .outerjoin(RolePermission, RolePermission.role_id == Role.id)
    .where(WebSession.token_hash == bindparam("token_hash"))
    .order_by(Role.name)
)


class AuthRepository(Repository):
    # -- users ---------------------------------------------------------------------------

    def get_user(self, user_id: str, for_update: bool = False) -> User | None:
        query = select(User).where(User.id == user_id)
        return self.session.scalar(query.with_for_update() if for_update else query)

    def user_by_username(self, username: str, for_update: bool = False) -> User | None:
        query = select(User).where(User.username == username)
        return self.session.scalar(query.with_for_update() if for_update else query)

    def staff_by_name_or_extension(self, keys: list[str]) -> list[User]:
        names = [key.lower() for key in keys]
        query = select(User).where(
            User.kind == "staff",
            User.disabled.is_(False),
            # Bridges name users by username, extension or (Zammad's format) display name.
            or_(
                User.username.in_(names),
                User.extension.in_(keys),
                func.lower(User.display_name).in_(names),
            ),
        )
        return list(self.session.scalars(query.order_by(User.username)))

    def enabled_user_with_extension(self, extension: str, other_than: str | None) -> User | None:
        query = select(User).where(User.extension == extension, User.disabled.is_(False))
        if other_than is not None:
            query = query.where(User.id != other_than)
        return self.session.scalars(query.limit(1)).first()

    def list_users(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[User], int]:
        total = self.session.scalar(select(func.count()).select_from(User).where(*conditions))
        rows = self.session.scalars(
            select(User).where(*conditions).order_by(User.username).offset(offset).limit(limit)
        ).all()
        return list(rows), total or 0

    def principal_rows(self, user_id: str, jti: str) -> list:
        """The user with each (role, permission) they hold and whether the access token was
        revoked: what every authenticated request needs, in one statement. No rows: no such
        user."""
        return list(self.run(_PRINCIPAL_QUERY, {"user_id": user_id, "jti": jti}))

    def grants(self, user_id: str) -> Grants:
        rows = self.session.execute(
            select(Role.name, Role.limits, RolePermission.permission)
            .join(UserRole, UserRole.role_id == Role.id)
            .outerjoin(RolePermission, RolePermission.role_id == Role.id)
            .where(UserRole.user_id == user_id)
            .order_by(Role.name)
        ).all()
        roles: dict[str, dict] = {}
        permissions: set[str] = set()
        for name, limits, permission in rows:
            roles.setdefault(name, limits or {})
            if permission is not None:
                permissions.add(permission)
        return Grants(list(roles), permissions, list(roles.values()))

    def roles_of_users(self, user_ids: Iterable[str]) -> dict[str, list[str]]:
        ids = list(set(user_ids))
        found: dict[str, list[str]] = {user_id: [] for user_id in ids}
        if ids:
            query = (
                select(UserRole.user_id, Role.name)
                .join(Role, Role.id == UserRole.role_id)
                .where(UserRole.user_id.in_(ids))
                .order_by(Role.name)
            )
            for user_id, name in self.session.execute(query):
                found[user_id].append(name)
        return found

    def replace_user_roles(
        self, user_id: str, role_ids: Iterable[str], granter: tuple[str | None, str] | None = None
    ) -> tuple[list[dict], list[dict]]:
        """Keep the links that stay (their id and grant time are the TMF672 permission's),
        delete the others, add the new ones as granted now by ``granter`` (user id, name).
        Returns the links added and those removed (as column dicts), for their events."""
        wanted = set(role_ids)
        links = self.session.execute(
            select(UserRole.__table__).where(UserRole.user_id == user_id)
        ).mappings()
        held = {link["role_id"]: dict(link) for link in links}
        gone = set(held) - wanted
        if gone:
            self.session.execute(
                delete(UserRole).where(UserRole.user_id == user_id, UserRole.role_id.in_(gone))
            )
        by_id, by_name = granter or (None, None)
        rows = [
            {
                "user_id": user_id,
                "role_id": role_id,
                "id": new_id(),
                "granted_at": utcnow(),
                "granted_by_id": by_id,
                "granted_by": by_name,
            }
            for role_id in sorted(wanted - set(held))
        ]
        if rows:
            self.session.execute(UserRole.__table__.insert(), rows)
        self.session.flush()
        return rows, [held[role_id] for role_id in sorted(gone)]

    def user_role_links(self, user_id: str) -> list[dict]:
        query = select(UserRole.__table__).where(UserRole.user_id == user_id)
        return [dict(link) for link in self.session.execute(query).mappings()]

    def grant_rows(
        self, user_id: str | None, offset: int, limit: int
    ) -> tuple[list[GrantRow], int]:
        """A page of grants (of one user, or everyone's), oldest first, each with its user and
        role name: one statement for the page, one for the count."""
        conditions = [UserRole.user_id == user_id] if user_id is not None else []
        total = self.session.scalar(select(func.count()).select_from(UserRole).where(*conditions))
        query = (
            _GRANT_QUERY.where(*conditions)
            .order_by(UserRole.granted_at, UserRole.id)
            .offset(offset)
            .limit(limit)
        )
        return [GrantRow(*row) for row in self.session.execute(query)], total or 0

    def grant_row(self, link_id: str) -> GrantRow | None:
        row = self.session.execute(_GRANT_QUERY.where(UserRole.id == link_id)).first()
        return GrantRow(*row) if row is not None else None

    def grant_row_of(self, user_id: str, role_id: str) -> GrantRow | None:
        query = _GRANT_QUERY.where(UserRole.user_id == user_id, UserRole.role_id == role_id)
        row = self.session.execute(query).first()
        return GrantRow(*row) if row is not None else None

    def enabled_users_with(self, permission: str) -> list[str]:
        query = (
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .join(RolePermission, RolePermission.role_id == UserRole.role_id)
            .where(RolePermission.permission == permission, User.disabled.is_(False))
            .distinct()
        )
        return list(self.session.scalars(query).all())

    # -- roles ---------------------------------------------------------------------------

    def get_role(self, role_id: str) -> Role | None:
        return self.session.get(Role, role_id)

    def role_by_name(self, name: str) -> Role | None:
        return self.session.scalar(select(Role).where(Role.name == name))

    def roles_by_names(self, names: Iterable[str]) -> dict[str, Role]:
        query = select(Role).where(Role.name.in_(list(set(names))))
        return {role.name: role for role in self.session.scalars(query)}

    def list_roles(self) -> list[Role]:
        return list(self.session.scalars(select(Role).order_by(Role.name)).all())

    def permissions_of_roles(self, role_ids: Iterable[str]) -> dict[str, set[str]]:
        ids = list(set(role_ids))
        found: dict[str, set[str]] = {role_id: set() for role_id in ids}
        query = select(RolePermission).where(RolePermission.role_id.in_(ids))
        for grant in self.session.scalars(query):
            found[grant.role_id].add(grant.permission)
        return found

    def replace_role_permissions(self, role_id: str, permissions: Iterable[str]) -> None:
        self.session.execute(delete(RolePermission).where(RolePermission.role_id == role_id))
        rows = [{"role_id": role_id, "permission": p} for p in sorted(set(permissions))]
        if rows:
            self.session.execute(RolePermission.__table__.insert(), rows)
        self.session.flush()

    def role_in_use(self, role_id: str) -> bool:
        return bool(self.session.scalar(select(exists().where(UserRole.role_id == role_id))))

    # -- tokens --------------------------------------------------------------------------

    def refresh_token_by_hash(self, token_hash: str) -> RefreshToken | None:
        query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        return self.session.scalar(query.with_for_update())

    def end_sessions(self, user_id: str, now: datetime) -> int:
        """End every session of the user: their refresh tokens, their signed-in browsers,
        and the access tokens already out, refused from now on (the user's token version goes
        up): a new password, a replayed refresh token, the user disabled."""
        self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(token_version=User.token_version + 1)
            .execution_options(synchronize_session="fetch")
        )
        result = self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="ended")
        )
        ended = self.session.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
            .values(ended_at=now, ended_reason="ended")
        )
        return (result.rowcount or 0) + (ended.rowcount or 0)

    def access_token_revoked(self, jti: str) -> bool:
        query = select(exists().where(RevokedAccessToken.jti == jti))
        return bool(self.session.scalar(query))

    def revoke_access_token(self, jti: str, expires_at: datetime, now: datetime) -> None:
        if not self.access_token_revoked(jti):
            self.add(RevokedAccessToken(jti=jti, expires_at=expires_at, revoked_at=now))

    def purge_expired_tokens(self, now: datetime) -> int:
        """Forget revocations and refresh tokens that have expired anyway."""
        gone = self.session.execute(
            delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < now)
        ).rowcount
        gone += self.session.execute(
            delete(RefreshToken).where(RefreshToken.expires_at < now)
        ).rowcount
        gone += self.session.execute(delete(WebSession).where(WebSession.expires_at < now)).rowcount
        return gone or 0

    # -- one-time codes and customers' log-ins ----------------------------------------------

    def one_time_code(self, code_id: str) -> OneTimeCode | None:
        """Locked for the check: two tries at once count as two."""
        statement = select(OneTimeCode).where(OneTimeCode.id == code_id).with_for_update()
        return self.session.scalars(statement).first()

    def purge_spent_codes(self, now: datetime) -> int:
        """Delete the codes that can never be answered again: used (rightly, or up by wrong
        tries) or expired. Nothing refers to them; the audit trail keeps that one was sent."""
        spent = or_(OneTimeCode.used_at.is_not(None), OneTimeCode.expires_at <= now)
        return self.session.execute(delete(OneTimeCode).where(spent)).rowcount or 0

    def customer_login(self, customer_id: str) -> User | None:
        statement = select(User).where(User.customer_id == customer_id, User.kind == "customer")
        return self.session.scalars(statement.order_by(User.created_at).limit(1)).first()

    # -- signed-in browsers --------------------------------------------------------------

    def web_session_rows(self, token_hash: str) -> list:
        """The session with this token hash, its user's columns and each (role, permission)
        they hold; no rows: no such session."""
        return list(self.run(_WEB_SESSION_QUERY, {"token_hash": token_hash}))

    def touch_web_session(self, session_id: str, now: datetime) -> None:
        self.session.execute(
            update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now)
        )

    def end_web_session(self, session_id: str, now: datetime, reason: str) -> bool:
        """End the session if it was still open; whether it was."""
        result = self.session.execute(
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.ended_at.is_(None))
            .values(ended_at=now, ended_reason=reason)
        )
        return bool(result.rowcount)

    # -- audit trail ---------------------------------------------------------------------

    def list_audit(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[AuditEntry], int]:
        total = self.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
        rows = self.session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), total or 0
