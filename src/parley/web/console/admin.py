"""Administration (administrators only): who can sign in, with their roles and state. The
first administrator page; managing users from here comes later (today: the API and CLI)."""

from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import USER_ADMIN
from parley.auth.users import UserService
from parley.db.base import utcnow
from parley.web.access import Visitor
from parley.web.site import Site

PAGE_SIZE = 100


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/admin/users")
    def users(request: Request, visitor: Annotated[Visitor, site.page(USER_ADMIN)]):
        page = request.query_params.get("page", "1")
        number = max(1, int(page)) if page.isdigit() and len(page) < 7 else 1
        service = UserService(visitor.uow)
        found, total = service.list_users((number - 1) * PAGE_SIZE, PAGE_SIZE)
        context = {
            "users": found,
            "roles": service.roles_of(found),
            "total": total,
            "page": number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "now": utcnow(),
            "current": "users",
        }
        return site.render(visitor, "console/users.html", context)

    return pages
