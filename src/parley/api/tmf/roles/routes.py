"""TMF672 User Roles & Permissions v4 mapped onto Parley's roles and users.

``userRole`` is a role: involvementRole = its name, one Entitlement {function, action} per
permission "function:action". ``permission`` is one user's holding of one role: a grant
(``auth.grants``). The routes map documents onto RoleService and GrantService and back; the
services audit every change and refuse one that would leave nobody able to manage users.
Everything here needs ``user:admin``.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Events, Resource
from parley.api.tmf.kit.spec import load_spec
from parley.auth.grant_events import RESOURCE as PERMISSION_RESOURCE
from parley.auth.grants import Grant, GrantService
from parley.auth.permissions import ALL_PERMISSIONS, USER_ADMIN
from parley.auth.roles import RESOURCE as ROLE_RESOURCE
from parley.auth.roles import RoleService, RoleWithPermissions
from parley.changes import UnitOfWork
from parley.db.repository import Page, Reader
from parley.errors import InvalidInput

SPEC_FILE = "TMF672-UserRolePermission-v4.0.0.swagger.json"
# Parley's roles grant rights in Parley itself: the one manageable asset of every permission.
PARLEY_ASSET = {"id": "parley", "name": "Parley", "@referredType": "Application"}


@dataclass(frozen=True)
class Row:
    id: str
    document: dict


# -- userRole ------------------------------------------------------------------------------


def role_document(name: str, permissions: list[str]) -> dict:
    entitlements = []
    for permission in permissions:
        function, _, action = permission.partition(":")
        entitlements.append({"@type": "Entitlement", "function": function, "action": action})
    return {"@type": "UserRole", "involvementRole": name, "entitlement": entitlements}


def _role_row(found: RoleWithPermissions) -> Row:
    return Row(found.role.id, role_document(found.role.name, found.permissions))


def _permissions(document: dict) -> list[str]:
    """The catalogue permissions the entitlements name; 400 naming the first bad entry."""
    granted = []
    for index, entry in enumerate(document.get("entitlement", [])):
        function, action = entry.get("function"), entry.get("action")
        if not function or not action:
            raise InvalidInput(f"entitlement[{index}]: give both function and action")
        permission = f"{function}:{action}"
        if permission not in ALL_PERMISSIONS:
            raise InvalidInput(
                f"entitlement[{index}]: no permission {permission} in the catalogue; "
                f"known: {', '.join(sorted(ALL_PERMISSIONS))}"
            )
        granted.append(permission)
    return granted


def _role_name(document: dict) -> str:
    name = document.get("involvementRole")
    if not name:
        raise InvalidInput("involvementRole: required (the role's name)", "involvementRole")
    return name


def _matching(rows: list[Row], page: Page) -> tuple[list[Row], int]:
    wanted = [(name, (value,)) for name, value in page.filters.items()]
    wanted += [(criterion.name, criterion.values) for criterion in page.criteria]
    for name, values in wanted:  # text attributes: only "eq" is let through
        rows = [row for row in rows if str(row.document.get(name, "")) in values]
    return rows[page.offset : page.offset + page.limit], len(rows)


class Roles:
    """The roles as TMF672 userRoles (administrators read them all)."""

    def __init__(self, uow: UnitOfWork):
        self.roles = RoleService(uow)

    def get(self, role_id: str, _reader: Reader) -> Row:
        return _role_row(self.roles.get_role(role_id))

    def find(self, page: Page, _reader: Reader) -> tuple[list[Row], int]:
        return _matching([_role_row(found) for found in self.roles.list_roles()], page)

    def create(self, document: dict) -> Row:
        name = _role_name(document)
        return _role_row(self.roles.create_role(name, _permissions(document)))

    def replace(self, role_id: str, document: dict) -> Row:
        name, permissions = _role_name(document), _permissions(document)
        return _role_row(self.roles.update_role(role_id, permissions=permissions, name=name))

    def delete(self, role_id: str) -> None:
        self.roles.delete_role(role_id)


# -- permission ----------------------------------------------------------------------------


def permission_document(grant: dict) -> dict:
    """A grant's canonical document (auth.grant_events) as a TMF672 Permission (the role's
    href is made when it is served: parley.links)."""
    granted = grant["grantedAt"]
    document: dict[str, Any] = {
        "@type": "Permission",
        "creationDate": granted,
        "description": f"{grant['username']} holds the role {grant['roleName']}",
        "user": {
            "@type": "RelatedParty",
            "id": grant["userId"],
            "name": grant["username"],
            "role": grant["userKind"],
            "@referredType": "User",
        },
        "assetUserRole": [
            {
                "@type": "AssetUserRole",
                "manageableAsset": {"@type": "EntityRef", **PARLEY_ASSET},
                "userRole": {
                    "@type": "UserRoleRef",
                    "id": grant["roleId"],
                    "@referredType": "UserRole",
                },
            }
        ],
        "validFor": {"startDateTime": granted},
    }
    if grant["grantedById"]:
        document["granter"] = {
            "@type": "RelatedParty",
            "id": grant["grantedById"],
            "name": grant["grantedBy"] or "",
            "@referredType": "User",
        }
    return document


def _permission_row(grant: Grant) -> Row:
    return Row(grant.id, permission_document(grant.document))


class Permissions:
    """Users' grants of roles as TMF672 permissions (administrators read them all)."""

    def __init__(self, uow: UnitOfWork):
        self.grants = GrantService(uow)

    def get(self, grant_id: str, _reader: Reader) -> Row:
        return _permission_row(self.grants.get_grant(grant_id))

    def find(self, page: Page, _reader: Reader) -> tuple[list[Row], int]:
        user_id = page.equal_to("user.id")
        grants, total = self.grants.list_grants(user_id, page.offset, page.limit)
        return [_permission_row(grant) for grant in grants], total

    def create(self, document: dict) -> Row:
        user = self.grants.grantee(document["user"]["id"])
        return _permission_row(self.grants.grant(user, _granted_role_id(document)))

    def delete(self, grant_id: str) -> None:
        self.grants.revoke(grant_id)


def _granted_role_id(document: dict) -> str:
    """The one role a permission document grants, on Parley (the one asset), until revoked."""
    if document.get("validFor", {}).get("endDateTime"):
        raise InvalidInput("validFor.endDateTime: grants last until revoked here")
    entries = document.get("assetUserRole", [])
    if len(entries) != 1:
        raise InvalidInput("assetUserRole: give exactly one entry (one role per permission)")
    if entries[0]["manageableAsset"].get("id") != PARLEY_ASSET["id"]:
        raise InvalidInput("assetUserRole[0].manageableAsset.id: must be parley")
    return entries[0]["userRole"]["id"]


@cache
def api() -> TMFApi:
    spec = load_spec(SPEC_FILE)
    resources = (
        Resource(
            name="userRole",
            type_name="UserRole",
            spec=spec,
            collection=Roles,
            read_permission=USER_ADMIN,
            write_permission=USER_ADMIN,
            only_filters={"involvementRole"},
            events=Events(
                ROLE_RESOURCE, lambda role: role_document(role["name"], role["permissions"])
            ),
        ),
        Resource(
            name="permission",
            type_name="Permission",
            spec=spec,
            collection=Permissions,
            read_permission=USER_ADMIN,
            write_permission=USER_ADMIN,
            only_filters={"user.id"},
            patchable=False,  # a grant is a fact: revoke it and grant another instead
            events=Events(PERMISSION_RESOURCE, permission_document),
        ),
    )
    return TMFApi("TMF672", 4, "roles_api_prefix", spec, resources, USER_ADMIN)
