"""TMF672 User Roles & Permissions v4 mapped onto Parley's roles and users.

``userRole`` is a role: involvementRole = its name, one Entitlement {function, action} per
permission "function:action". ``permission`` is one user's holding of one role: a grant
(``auth.grants``). The routes map documents onto RoleService and GrantService and back; the
services audit every change and refuse one that would leave nobody able to manage users.
Everything here needs ``user:admin``.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.grant_events import RESOURCE as PERMISSION_RESOURCE
from parley.auth.grants import Grant, GrantService
from parley.auth.permissions import ALL_PERMISSIONS, USER_ADMIN
from parley.auth.roles import RESOURCE as ROLE_RESOURCE
from parley.auth.roles import RoleService, RoleWithPermissions
from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.events.views import EventView
from parley.settings import Settings

SPEC_FILE = "TMF672-UserRolePermission-v4.0.0.swagger.json"
EVENTS_API = "TMF672"
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


def _list_roles(uow: UnitOfWork, filters: dict, offset: int, limit: int, _ids=None):
    rows = [_role_row(found) for found in RoleService(uow).list_roles()]
    for name, value in filters.items():
        rows = [row for row in rows if str(row.document.get(name, "")) == value]
    return rows[offset : offset + limit], len(rows)


def _create_role(uow: UnitOfWork, document: dict) -> Row:
    name = document.get("involvementRole")
    if not name:
        raise InvalidInput("involvementRole: required (the role's name)", "involvementRole")
    created = RoleService(uow).create_role(name, _permissions(document))
    return _role_row(created)


def _replace_role(uow: UnitOfWork, role_id: str, document: dict) -> Row:
    name = document.get("involvementRole")
    if not name:
        raise InvalidInput("involvementRole: required (the role's name)", "involvementRole")
    changed = RoleService(uow).update_role(role_id, permissions=_permissions(document), name=name)
    return _role_row(changed)


def user_role_resource() -> Resource:
    return Resource(
        name="userRole",
        type_name="UserRole",
        spec=load_spec(SPEC_FILE),
        create_schema="UserRole_Create",
        patch_schema="UserRole_Update",
        filterable={"involvementRole"},
        read_permission=USER_ADMIN,
        write_permission=USER_ADMIN,
        visible_ids=lambda _uow, _p: None,
        get=lambda uow, rid: _role_row(RoleService(uow).get_role(rid)),
        list=_list_roles,
        create=_create_role,
        replace=_replace_role,
        delete=lambda uow, rid: RoleService(uow).delete_role(rid),
        document=lambda row: row.document,
    )


# -- permission ----------------------------------------------------------------------------


def permission_document(grant: dict, settings: Settings) -> dict:
    """A grant's canonical document (auth.grant_events) as a TMF672 Permission."""
    granted = grant["grantedAt"]
    role_href = f"{settings.base_url}{settings.roles_api_prefix}/userRole/{grant['roleId']}"
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
                    "href": role_href,
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


def _permission_row(uow: UnitOfWork, grant: Grant) -> Row:
    return Row(grant.id, permission_document(grant.document, uow.settings))


def _list_permissions(uow: UnitOfWork, filters: dict, offset: int, limit: int, _ids=None):
    grants, total = GrantService(uow).list_grants(filters.get("user.id"), offset, limit)
    return [_permission_row(uow, grant) for grant in grants], total


def _grant(uow: UnitOfWork, document: dict) -> Row:
    grants = GrantService(uow)
    user = grants.grantee(document["user"]["id"])
    return _permission_row(uow, grants.grant(user, _granted_role_id(document)))


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


def permission_resource() -> Resource:
    return Resource(
        name="permission",
        type_name="Permission",
        spec=load_spec(SPEC_FILE),
        create_schema="Permission_Create",
        patch_schema="Permission_Update",
        filterable={"user.id"},
        read_permission=USER_ADMIN,
        write_permission=USER_ADMIN,
        visible_ids=lambda _uow, _p: None,
        get=lambda uow, gid: _permission_row(uow, GrantService(uow).get_grant(gid)),
        list=_list_permissions,
        create=_grant,
        replace=None,  # a grant is a fact: revoke it and grant another instead
        delete=lambda uow, gid: GrantService(uow).revoke(gid),
        document=lambda row: row.document,
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(user_role_resource(), prefix))
    api.include_router(crud_router(permission_resource(), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, USER_ADMIN, version=4))
    return api


def event_views(settings: Settings) -> list[EventView]:
    base = f"{settings.base_url}{settings.roles_api_prefix}"
    return [
        EventView(
            EVENTS_API,
            ROLE_RESOURCE,
            "userRole",
            "UserRole",
            lambda role: role_document(role["name"], role["permissions"]),
            f"{base}/userRole",
            4,
        ),
        EventView(
            EVENTS_API,
            PERMISSION_RESOURCE,
            "permission",
            "Permission",
            lambda grant: permission_document(grant, settings),
            f"{base}/permission",
            4,
        ),
    ]
