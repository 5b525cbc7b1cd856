"""Manage users: staff, integration clients and customer log-ins. Every change is audited.

Passwords and client secrets are never recorded, only that they changed. At least one enabled
user able to manage users must remain: a change that would lock everyone out is refused.
"""

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from parley.auth import audit
from parley.auth.audit import record_access
from parley.auth.grant_events import emit_grant_changes
from parley.auth.models import User
from parley.auth.passwords import check_password, hash_secret, new_client_secret
from parley.auth.permissions import (
    CLIENT,
    CUSTOMER,
    STAFF,
    USER_ADMIN,
    USER_KINDS,
    merge_limits,
)
from parley.auth.repository import AuthRepository
from parley.auth.throttle import forget_failures
from parley.changes import UnitOfWork
from parley.db.base import new_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.parties.service import PartyService

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{2,149}$")
EXTENSION = re.compile(r"[0-9]{2,10}")


@dataclass(frozen=True)
class NewUser:
    user: User
    roles: list[str]
    client_secret: str | None  # generated for clients; shown once, stored only hashed


class UserService:
    def __init__(self, uow: UnitOfWork):
        """Changes are recorded for ``uow``'s actor (it also grants the roles given)."""
        self.uow = uow
        self.repo = AuthRepository(uow.session)

    # -- reading -------------------------------------------------------------------------

    def get_user(self, user_id: str) -> User:
        user = self.repo.get_user(user_id) if len(user_id) <= 36 else None
        if user is None:
            raise NotFound(f"No user with id {user_id}")
        return user

    def get_by_username(self, username: str) -> User:
        user = self.repo.user_by_username(username.strip().lower())
        if user is None:
            raise NotFound(f"No user named {username}")
        return user

    def staff_reached_by(self, keys: list[str]) -> list[User]:
        """The enabled staff users a phone system names: by username, extension or display
        name (case aside)."""
        wanted = [key.strip() for key in keys if key and key.strip()][:50]
        if not wanted:
            return []
        return self.repo.staff_by_name_or_extension(wanted)

    def list_users(
        self, offset: int = 0, limit: int = 100, kind: str | None = None
    ) -> tuple[list[User], int]:
        conditions = []
        if kind is not None:
            conditions.append(User.kind == _kind(kind))
        return self.repo.list_users(conditions, offset, limit)

    def roles_of(self, users: list[User]) -> dict[str, list[str]]:
        return self.repo.roles_of_users(u.id for u in users)

    def grants(self, user_id: str) -> tuple[set[str], dict]:
        """What a user holds right now: their permissions and their roles' limits merged."""
        held = self.repo.grants(user_id)
        return held.permissions, merge_limits(held.limits)

    # -- changing ------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        roles: list[str],
        kind: str = "staff",
        password: str | None = None,
        display_name: str | None = None,
        customer_id: str | None = None,
        extension: str | None = None,
    ) -> NewUser:
        """Create a user. Clients get a generated secret; others need an acceptable password.
        A staff user may be given a telephone ``extension``."""
        username, kind = _username(username), _kind(kind)
        if self.repo.user_by_username(username) is not None:
            raise Conflict(f"a user named {username} exists already")
        if (kind == CUSTOMER) != (customer_id is not None):
            raise InvalidInput("customerId: required for customer log-ins, and only for them")
        if customer_id is not None:
            self._check_customer(customer_id)
        role_ids = self._role_ids(roles)
        extension = _extension(extension or "", kind)
        self._extension_free(extension, None)
        secret = None
        if kind == CLIENT:
            if password is not None:
                raise InvalidInput("password: clients get a generated secret, not a password")
            secret = password = new_client_secret()
        elif password is None:
            raise InvalidInput("password: required", "password")
        else:
            check_password(password, username)
        now = utcnow()
        user = User(
            id=new_id(),
            username=username,
            kind=kind,
            display_name=_display_name(display_name, username),
            secret_hash=hash_secret(password),
            customer_id=customer_id,
            extension=extension,
            disabled=False,
            failed_logins=0,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(user)
        granted = self.repo.replace_user_roles(user.id, role_ids, self._granter())
        emit_grant_changes(self.uow, user, *granted)
        after = self.snapshot(user)
        record_access(self.uow, "user", audit.CREATE, user.id, after=after)
        return NewUser(user, after["roles"], secret)

    def update_user(
        self,
        user_id: str,
        display_name: str | None = None,
        roles: list[str] | None = None,
        disabled: bool | None = None,
        extension: str | None = None,
        email: str | None = None,
    ) -> User:
        """Change what is given; None leaves it (an ``extension`` or ``email`` of "" removes
        it). Enabling also lifts a log-in lock."""
        user = self.get_user(user_id)
        before = self.snapshot(user)
        if email is not None:
            user.email = _email(email, user.kind)
        # Checked before anything changes (a query would flush a change made already).
        wanted = _extension(extension, user.kind) if extension is not None else user.extension
        if not (user.disabled if disabled is None else disabled) and (
            extension is not None or (disabled is False and user.disabled)
        ):
            self._extension_free(wanted, user.id)
        user.extension = wanted
        role_ids = self._role_ids(roles) if roles is not None else None
        if display_name is not None:
            user.display_name = _display_name(display_name, user.username)
        if role_ids is not None:
            granted = self.repo.replace_user_roles(user.id, role_ids, self._granter())
            emit_grant_changes(self.uow, user, *granted)
        if disabled is not None:
            user.disabled = disabled
            if disabled:
                self.repo.end_sessions(user.id, utcnow())
            else:
                user.failed_logins, user.locked_until = 0, None
                forget_failures(self.uow, user.username)
        user.updated_at = utcnow()
        self.repo.add(user)
        after = self.snapshot(user)
        self._an_administrator_remains(before, user.username)
        action = audit.PERMISSION_CHANGE if before["roles"] != after["roles"] else audit.UPDATE
        record_access(self.uow, "user", action, user.id, before=before, after=after)
        return user

    def _extension_free(self, extension: str | None, user_id: str | None) -> None:
        """A call for an extension rings for one agent: no two enabled users share one."""
        if extension is None:
            return
        holder = self.repo.enabled_user_with_extension(extension, user_id)
        if holder is not None:
            raise Conflict(f"extension: {extension} is {holder.username}'s extension", "extension")

    def set_password(self, user_id: str, password: str) -> None:
        """A new password; it lifts a log-in lock and ends the user's other sessions."""
        user = self.get_user(user_id)
        if user.kind == CLIENT:
            raise InvalidInput("clients have a secret, not a password: make a new secret")
        check_password(password, user.username)
        self._new_secret(user, password)

    def new_client_secret(self, user_id: str) -> str:
        user = self.get_user(user_id)
        if user.kind != CLIENT:
            raise InvalidInput(f"{user.username} is not a client; set a password instead")
        secret = new_client_secret()
        self._new_secret(user, secret)
        return secret

    def delete_user(self, user_id: str) -> None:
        user = self.get_user(user_id)
        before = self.snapshot(user)
        # The user's grants go with it (ON DELETE CASCADE): each is a permission deleted.
        emit_grant_changes(self.uow, user, [], self.repo.user_role_links(user.id))
        self.repo.delete(user)
        self._an_administrator_remains(before, user.username)
        record_access(self.uow, "user", audit.DELETE, user_id, before=before)

    def snapshot(self, user: User) -> dict:
        """The user as recorded in the audit trail (no secrets)."""
        return {
            "username": user.username,
            "kind": user.kind,
            "displayName": user.display_name,
            "customerId": user.customer_id,
            "roles": self.repo.roles_of_users([user.id])[user.id],
            "disabled": user.disabled,
            "extension": user.extension,
            "email": user.email,
        }

    def _new_secret(self, user: User, secret: str) -> None:
        user.secret_hash = hash_secret(secret)
        user.failed_logins, user.locked_until, user.updated_at = 0, None, utcnow()
        forget_failures(self.uow, user.username)
        self.repo.add(user)
        self.repo.end_sessions(user.id, utcnow())
        after = {"secret": "changed"}
        record_access(self.uow, "user", audit.PASSWORD_CHANGE, user.id, after=after)

    def _granter(self) -> tuple[str | None, str]:
        """Who grants roles (stored on each grant): the acting user."""
        actor = self.uow.writer()
        return actor.user_id, actor.name[:150]

    def _role_ids(self, names: list[str]) -> list[str]:
        wanted = {name.strip().lower() for name in names}
        if not wanted:
            raise InvalidInput("roles: give at least one role", "roles")
        found = self.repo.roles_by_names(wanted)
        missing = sorted(wanted - set(found))
        if missing:
            raise InvalidInput(f"roles: no role {', '.join(missing)}", "roles")
        return [role.id for role in found.values()]

    def _check_customer(self, customer_id: str) -> None:
        try:
            PartyService(self.uow).get_customer(customer_id)
        except NotFound:
            raise InvalidInput(f"customerId: no customer with id {customer_id}") from None

    def _an_administrator_remains(self, before: dict, username: str) -> None:
        had_admin = not before["disabled"] and self._roles_grant(before["roles"], USER_ADMIN)
        if had_admin and not self.repo.enabled_users_with(USER_ADMIN):
            raise Conflict(
                f"this change to {username} would leave no enabled user who can manage users"
            )

    def _roles_grant(self, role_names: list[str], permission: str) -> bool:
        roles = self.repo.roles_by_names(role_names)
        granted = self.repo.permissions_of_roles(r.id for r in roles.values())
        return any(permission in perms for perms in granted.values())


def _username(value: str) -> str:
    username = value.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            "username: 3 to 150 characters: letters, digits and . _ @ + - "
            "(starting with a letter or digit)",
            "username",
        )
    return username


def _kind(value: str) -> str:
    if value not in USER_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(USER_KINDS)}", "kind")
    return value


def _display_name(value: str | None, username: str) -> str:
    name = (value or "").strip() or username
    if len(name) > 300:
        raise InvalidInput("displayName: at most 300 characters", "displayName")
    return name


def _email(value: str, kind: str) -> str | None:
    """A staff user's email address (where scheduled reports go), or None for ""."""
    value = value.strip()
    if not value:
        return None
    if kind != STAFF:
        raise InvalidInput("email: only staff users have an email address here", "email")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInput(f"email: not a valid email address ({error})", "email") from None


def _extension(value: str, kind: str) -> str | None:
    """A telephone extension: 2 to 10 digits (a PBX's internal number); staff only."""
    value = value.strip()
    if not value:
        return None
    if kind != STAFF:
        raise InvalidInput("extension: only staff users have a telephone extension", "extension")
    if not EXTENSION.fullmatch(value):
        raise InvalidInput("extension: 2 to 10 digits", "extension")
    return value
