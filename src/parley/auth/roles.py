"""Manage roles: their permissions (from the catalogue) and limits. Every change is audited."""

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from parley.auth import audit
from parley.auth.audit import record_access
from parley.auth.models import Role
from parley.auth.permissions import (
    BUILTIN_ROLES,
    CURRENCY,
    LIMITS,
    USER_ADMIN,
    unknown_permissions,
)
from parley.auth.repository import AuthRepository
from parley.changes import UnitOfWork
from parley.db.base import new_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound

ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,49}$")
ROLE_ID = re.compile(r"^[0-9a-f-]{36}$")
RESOURCE = "userRole"  # as TMF672 names a role, for its events


@dataclass(frozen=True)
class RoleWithPermissions:
    role: Role
    permissions: list[str]


class RoleService:
    def __init__(self, uow: UnitOfWork):
        """Changes are recorded for ``uow``'s actor: audited as ``role``, told as ``userRole``."""
        self.uow = uow
        self.repo = AuthRepository(uow.session)

    def list_roles(self) -> list[RoleWithPermissions]:
        roles = self.repo.list_roles()
        granted = self.repo.permissions_of_roles(r.id for r in roles)
        return [RoleWithPermissions(r, sorted(granted[r.id])) for r in roles]

    def get_role(self, id_or_name: str) -> RoleWithPermissions:
        role = self._role(id_or_name)
        return RoleWithPermissions(role, sorted(self.repo.permissions_of_roles([role.id])[role.id]))

    def create_role(
        self,
        name: str,
        permissions: list[str],
        limits: dict | None = None,
        description: str = "",
    ) -> RoleWithPermissions:
        name = self._new_name(name)
        granted, limits = check_permissions(permissions), check_limits(limits or {})
        now = utcnow()
        role = Role(
            id=new_id(),
            name=name,
            description=_description(description),
            limits=limits,
            builtin=False,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(role)
        self.repo.replace_role_permissions(role.id, granted)
        created = self.get_role(role.id)
        shown = snapshot(created)
        record_access(
            self.uow, "role", audit.CREATE, role.id, after=shown, event=shown, published_as=RESOURCE
        )
        return created

    def update_role(
        self,
        id_or_name: str,
        permissions: list[str] | None = None,
        limits: dict | None = None,
        description: str | None = None,
        name: str | None = None,
    ) -> RoleWithPermissions:
        """Change what is given; None leaves that part as it is. Applies to live tokens at once.

        Only custom roles can be renamed: the built-in ones are named in code and migrations.
        """
        before = self.get_role(id_or_name)
        role, old = before.role, snapshot(before)  # snapshot now: the row changes below
        if name is not None and name.strip().lower() != role.name:
            role.name = self._new_name(name, role)
        granted = check_permissions(permissions) if permissions is not None else None
        limits = check_limits(limits) if limits is not None else None
        description = _description(description) if description is not None else None
        if description is not None:
            role.description = description
        if limits is not None:
            role.limits = limits
        if granted is not None:
            self.repo.replace_role_permissions(role.id, granted)
            if USER_ADMIN in before.permissions and USER_ADMIN not in granted:
                self._an_administrator_remains(role.name)
        role.updated_at = utcnow()
        self.repo.add(role)
        after = self.get_role(role.id)
        new = snapshot(after)
        changed_grants = (old["permissions"], old["limits"]) != (new["permissions"], new["limits"])
        action = audit.PERMISSION_CHANGE if changed_grants else audit.UPDATE
        record_access(
            self.uow,
            "role",
            action,
            role.id,
            before=old,
            after=new,
            event=new,
            published_as=RESOURCE,
        )
        return after

    def delete_role(self, id_or_name: str) -> None:
        found = self.get_role(id_or_name)
        if found.role.builtin:
            raise Conflict(f"{found.role.name} is a built-in role and cannot be deleted")
        if self.repo.role_in_use(found.role.id):
            raise Conflict(f"role {found.role.name} is held by users; take it from them first")
        before = snapshot(found)
        self.repo.delete(found.role)
        record_access(
            self.uow,
            "role",
            audit.DELETE,
            found.role.id,
            before=before,
            event=before,
            published_as=RESOURCE,
        )

    def _new_name(self, name: str, renamed: Role | None = None) -> str:
        name = name.strip().lower()
        if renamed is not None and renamed.builtin:
            raise Conflict(f"{renamed.name} is a built-in role and cannot be renamed")
        if not ROLE_NAME.match(name):
            raise InvalidInput(
                "name: 2 to 50 lower-case letters, digits, '-' or '_', starting with a letter",
                "name",
            )
        if self.repo.role_by_name(name) is not None:
            raise Conflict(f"a role named {name} exists already")
        return name

    def _role(self, id_or_name: str) -> Role:
        value = id_or_name.strip()
        role = self.repo.get_role(value) if ROLE_ID.match(value) else None
        role = role or self.repo.role_by_name(value.lower())
        if role is None:
            raise NotFound(f"No role {id_or_name}")
        return role

    def _an_administrator_remains(self, role_name: str) -> None:
        if not self.repo.enabled_users_with(USER_ADMIN):
            raise Conflict(
                f"taking {USER_ADMIN} from {role_name} would leave no enabled user who can "
                "manage users"
            )


def snapshot(found: RoleWithPermissions) -> dict:
    return {
        "name": found.role.name,
        "description": found.role.description,
        "permissions": list(found.permissions),
        "limits": dict(found.role.limits or {}),
    }


def check_permissions(permissions: list[str]) -> set[str]:
    unknown = unknown_permissions(set(permissions))
    if unknown:
        raise InvalidInput(
            f"permissions: unknown {', '.join(unknown)} (see the permission catalogue)",
            "permissions",
        )
    return set(permissions)


def check_limits(limits: dict) -> dict:
    if not isinstance(limits, dict):
        raise InvalidInput("limits: must be an object", "limits")
    checked = {}
    for key, value in limits.items():
        if key not in LIMITS:
            raise InvalidInput(f"limits: unknown limit {key!r}; known: {', '.join(LIMITS)}")
        if key == CURRENCY:
            if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)):
                raise InvalidInput("limits.currency: an ISO 4217 code such as EUR", "limits")
            checked[key] = value
        elif isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            checked[key] = float(value)
        else:
            raise InvalidInput(f"limits.{key}: must be a number >= 0", "limits")
    return checked


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > 500:
        raise InvalidInput("description: at most 500 characters", "description")
    return text


def ensure_builtin_roles(session: Session) -> None:
    """Create any built-in role that is missing, as the catalogue defines it (seed data).

    Migration 0003 seeds them; this restores them on an emptied database (tests).
    """
    repo = AuthRepository(session)
    present = {role.name for role in repo.list_roles()}
    for spec in BUILTIN_ROLES:
        if spec.name in present:
            continue
        now = utcnow()
        role = Role(
            id=new_id(),
            name=spec.name,
            description=spec.description,
            limits=dict(spec.limits),
            builtin=True,
            created_at=now,
            updated_at=now,
        )
        repo.add(role)
        repo.replace_role_permissions(role.id, spec.permissions)
