"""Grants: one user's holding of one role, what TMF672 calls a permission (its id is the
user-role link's).

Granting and revoking change the user's roles through UserService, so each is audited as a
permission change of the user (and no change may leave nobody able to manage users), and told
as a ``permission`` event (``grant_events``). The messages name the fields of TMF672's
permission, the one way a single role is granted.
"""

from dataclasses import dataclass

from parley.auth.grant_events import grant_document
from parley.auth.models import User
from parley.auth.repository import AuthRepository, GrantRow
from parley.auth.roles import RoleService
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class Grant:
    id: str
    document: dict  # the grant's canonical document, as its events carry it (grant_events)


class GrantService:
    def __init__(self, uow: UnitOfWork):
        """Grants and revocations are recorded for ``uow``'s actor, who is their granter."""
        self.uow = uow
        self.repo = AuthRepository(uow.session)
        self.users = UserService(uow)

    def list_grants(self, user_id: str | None, offset: int, limit: int) -> tuple[list[Grant], int]:
        """A page of the grants of one user (or everyone's), oldest first, and their total."""
        rows, total = self.repo.grant_rows(user_id, offset, limit)
        return [_grant(row) for row in rows], total

    def get_grant(self, grant_id: str) -> Grant:
        return _grant(self._found(grant_id))

    def grantee(self, user_id: str) -> User:
        """The user a grant is asked for: an unknown one makes the grant invalid (400)."""
        try:
            return self.users.get_user(user_id)
        except NotFound:
            raise InvalidInput(f"user.id: no user with id {user_id}") from None

    def grant(self, user: User, role_id: str) -> Grant:
        """Grant ``user`` one more role (by id or name); one they hold already is a conflict."""
        try:
            role = RoleService(self.uow).get_role(role_id).role
        except NotFound:
            raise InvalidInput(f"assetUserRole[0].userRole.id: no role {role_id}") from None
        held = self.users.roles_of([user])[user.id]
        if role.name in held:
            raise Conflict(f"{user.username} holds the role {role.name} already")
        self.users.update_user(user.id, roles=[*held, role.name])
        return _grant(self.repo.grant_row_of(user.id, role.id))

    def revoke(self, grant_id: str) -> None:
        """Take the role back; a user keeps at least one role (disable the user instead)."""
        found = self._found(grant_id)
        user, role_name = found.user, found.role_name
        held = self.users.roles_of([user])[user.id]
        if held == [role_name]:
            raise Conflict(
                f"{role_name} is the last role of {user.username}: a user keeps at least one; "
                "grant another first, or disable the user"
            )
        self.users.update_user(user.id, roles=[name for name in held if name != role_name])

    def _found(self, grant_id: str) -> GrantRow:
        found = self.repo.grant_row(grant_id) if len(grant_id) <= 36 else None
        if found is None:
            raise NotFound(f"No permission with id {grant_id}")
        return found


def _grant(row: GrantRow) -> Grant:
    link = row.link
    columns = {
        "role_id": link.role_id,
        "granted_at": link.granted_at,
        "granted_by_id": link.granted_by_id,
        "granted_by": link.granted_by,
    }
    return Grant(link.id, grant_document(columns, row.user, row.role_name))
