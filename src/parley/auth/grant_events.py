"""Events of TMF672 ``permission``s: a user's holding of a role (a user-role link) appearing
or going. The link's own id is the permission's id (api.tmf.roles)."""

from parley.auth.models import User
from parley.auth.repository import AuthRepository
from parley.changes import UnitOfWork
from parley.changes.recorder import CREATE, DELETE

RESOURCE = "permission"


def grant_document(link: dict, user: User, role_name: str) -> dict:
    """The canonical document of a grant: what the TMF672 view needs to show it."""
    return {
        "userId": user.id,
        "username": user.username,
        "userKind": user.kind,
        "roleId": link["role_id"],
        "roleName": role_name,
        "grantedAt": link["granted_at"].isoformat().replace("+00:00", "Z"),
        "grantedById": link["granted_by_id"],
        "grantedBy": link["granted_by"],
    }


def emit_grant_changes(uow: UnitOfWork, user: User, added: list[dict], removed: list[dict]):
    """Events only: the grant is audited as a change of its user (``users``)."""
    repo = AuthRepository(uow.session)
    for kind, links in ((CREATE, added), (DELETE, removed)):
        for link in links:
            role = repo.get_role(link["role_id"])
            uow.publish(RESOURCE, kind, link["id"], grant_document(link, user, role.name))
