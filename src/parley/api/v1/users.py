"""``/api/v1/users``: staff users, integration clients and customers' log-ins for those who
provision them from elsewhere (an identity system, a PBX that hands out extensions), with
``user:admin``. The same rules as the console's user pages and ``parley user``: the
``UserService`` checks names, passwords, roles, extensions (2 to 10 digits, one enabled user
each) and that an administrator remains, and audits every change. Secrets are never shown,
but a new client's generated secret, once.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, listed, paging
from parley.auth.models import User
from parley.auth.permissions import USER_ADMIN
from parley.auth.users import UserService
from parley.db.base import iso

Kind = Literal["staff", "client", "customer"]


class NewUserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=150, examples=["kim.agent"])
    kind: Kind = "staff"
    roles: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=20, examples=[["agent"]]
    )
    password: str | None = Field(None, max_length=200, description="staff and customers")
    displayName: str | None = Field(None, max_length=300, examples=["Kim Berger"])
    customerId: str | None = Field(None, max_length=64, description="customers' log-ins only")
    extension: str | None = Field(None, max_length=10, examples=["101"])


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    displayName: str | None = Field(None, max_length=300)
    roles: list[Annotated[str, Field(max_length=50)]] | None = Field(None, max_length=20)
    disabled: bool | None = None
    extension: str | None = Field(None, max_length=10, description='"" removes it')
    email: str | None = Field(
        None, max_length=254, description='staff: where scheduled reports go; "" removes it'
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/users", tags=["users"])

    @api.get("", summary="Users by username", dependencies=[require(USER_ADMIN)])
    def list_users(
        response: Response,
        uow: RequestWork,
        page: Annotated[Page, paging(100, 500)],
        kind: Kind | None = Query(None),
    ):
        users = UserService(uow)
        rows, total = users.list_users(page.offset, page.limit, kind)
        roles = users.roles_of(rows)
        return listed(response, [_view(user, roles.get(user.id, [])) for user in rows], total)

    @api.post(
        "",
        status_code=201,
        summary="Create a user (a client's generated secret is in the answer, once)",
        dependencies=[require(USER_ADMIN)],
    )
    def create_user(body: NewUserBody, uow: RequestWork):
        made = UserService(uow).create_user(
            body.username,
            body.roles,
            body.kind,
            body.password,
            body.displayName,
            body.customerId,
            body.extension,
        )
        answer = _view(made.user, made.roles)
        if made.client_secret is not None:
            answer["clientSecret"] = made.client_secret
        return answer

    @api.get("/{user_id}", summary="One user", dependencies=[require(USER_ADMIN)])
    def get_user(user_id: str, uow: RequestWork):
        users = UserService(uow)
        user = users.get_user(user_id)
        return _view(user, users.roles_of([user])[user.id])

    @api.patch(
        "/{user_id}",
        summary="Change a user's name, roles, extension, email, or disable or enable them",
        dependencies=[require(USER_ADMIN)],
    )
    def change_user(user_id: str, body: UserChange, uow: RequestWork):
        users = UserService(uow)
        user = users.update_user(
            user_id, body.displayName, body.roles, body.disabled, body.extension, body.email
        )
        return _view(user, users.roles_of([user])[user.id])

    return api


def _view(user: User, roles: list[str]) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "kind": user.kind,
        "displayName": user.display_name,
        "roles": roles,
        "disabled": user.disabled,
        "extension": user.extension,
        "email": user.email,
        "customerId": user.customer_id,
        "lastLoginDate": iso(user.last_login_at) if user.last_login_at else None,
        "creationDate": iso(user.created_at),
    }
