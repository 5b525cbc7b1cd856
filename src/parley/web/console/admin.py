"""Administration of users (administrators only): who can sign in or call the API, with their
roles and state; creating a staff user, and for each user granting and revoking roles,
setting a staff user's telephone extension (where the phone system's calls pop up) and email
address (where scheduled reports go), disabling
and enabling, and setting a new password. Everything goes through ``UserService``,
as the API's user administration does: audited, told as events, and a disabled user's or a
new password's sessions end at once."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from parley.auth.models import User
from parley.auth.permissions import USER_ADMIN
from parley.auth.roles import RoleService
from parley.auth.users import UserService
from parley.db.base import utcnow
from parley.errors import Conflict
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.console.freshness import check_fresh, stamp
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.site import Site

PAGE_SIZE = 100
ACTIONS = ("roles", "extension", "email", "disable", "enable", "password")
WORDING = Wording(
    fields={
        "username": "username",
        "password": "password",
        "roles": "roles",
        "displayName": "display_name",
        "extension": "extension",
        "email": "email",
    },
    messages={"extension": N_("2 to 10 digits, or leave it empty.")},
)
TAKEN = N_("Another active user has this extension.")
DONE = {
    "create": N_("The user is created: they can sign in now."),
    "roles": N_("Their roles are changed: it applies from their next page or API call."),
    "extension": N_("The extension is saved: calls for it pop up on their console."),
    "email": N_("The email address is saved: scheduled reports for them go there."),
    "disable": N_("The user is disabled: their sessions have ended."),
    "enable": N_("The user is enabled again."),
    "password": N_("The password is set: their other sessions have ended."),
}


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


FormFields = Annotated[dict[str, str], Depends(_form)]


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

    @pages.get("/admin/users/new")
    def new_user(visitor: Annotated[Visitor, site.page(USER_ADMIN)]):
        return _new(site, visitor, Form({"role": "agent"}))

    @pages.post("/admin/users")
    def create(
        request: Request, visitor: Annotated[Visitor, site.page(USER_ADMIN)], form: FormFields
    ):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        roles = _ticked(request)
        try:
            user = _create(visitor, given, roles)
        except Refused as refused:
            given.errors = refused.errors
            given.values.pop("password", None)  # never sent back in the page
            return _new(site, visitor, given, roles, status=422)
        return site.redirect(visitor, f"/admin/users/{user.id}?done=create")

    @pages.get("/admin/users/{user_id}")
    def user_page(
        request: Request, user_id: str, visitor: Annotated[Visitor, site.page(USER_ADMIN)]
    ):
        user = UserService(visitor.uow).get_user(user_id)
        done = DONE.get(request.query_params.get("done", ""))
        return _page(site, visitor, user, notice=visitor.locale.gettext(done) if done else None)

    @pages.post("/admin/users/{user_id}/{action}")
    def act(
        request: Request,
        user_id: str,
        action: str,
        visitor: Annotated[Visitor, site.page(USER_ADMIN)],
        form: FormFields,
    ):
        service = UserService(visitor.uow)
        user = service.get_user(user_id)
        if action not in ACTIONS:
            return site.redirect(visitor, f"/admin/users/{user.id}")
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        roles = _ticked(request)
        try:
            check_fresh(visitor, user, given)
            _act(visitor, service, user, action, given, roles)
        except Refused as refused:
            given.errors = refused.errors
            given.values.pop("password", None)  # never sent back in the page
            visitor.uow.session.expire_all()
            user = service.get_user(user.id)
            return _page(site, visitor, user, action=action, form=given, ticked=roles, status=422)
        return site.redirect(visitor, f"/admin/users/{user.id}?done={action}")

    return pages


def _ticked(request: Request) -> list[str]:
    return [value for key, value in getattr(request.state, "form_pairs", []) if key == "role"]


def _create(visitor: Visitor, form: Form, roles: list[str]) -> User:
    gettext = visitor.locale.gettext
    username = printable(form.value("username")).lower()
    display_name = printable(form.value("display_name"))
    password = form.value("password")
    extension = printable(form.value("extension"))
    errors = {}
    if not username:
        errors["username"] = gettext("Required.")
    if not roles:
        errors["roles"] = gettext("Give at least one role.")
    if not password:
        errors["password"] = gettext("Required.")
    if errors:
        raise Refused(errors)
    service = UserService(visitor.uow)
    made = attempt(
        visitor,
        _extension_said(
            visitor,
            lambda: service.create_user(
                username, roles, "staff", password, display_name or None, extension=extension
            ),
        ),
        WORDING,
    )
    return made.user


def _extension_said(visitor: Visitor, change):
    """``change``, with an extension another active user has said beside the field."""

    def run():
        try:
            return change()
        except Conflict as error:
            if error.field != "extension":
                raise
            raise Refused({"extension": visitor.locale.gettext(TAKEN)}) from None

    return run


def _act(visitor, service: UserService, user: User, action: str, form: Form, roles: list[str]):
    gettext = visitor.locale.gettext
    if action == "roles":
        if not roles:
            raise Refused({"roles": gettext("Give at least one role.")})
        change = lambda: service.update_user(user.id, roles=roles)  # noqa: E731
    elif action == "email":
        email = printable(form.value("email"))
        attempt(visitor, lambda: service.update_user(user.id, email=email), WORDING)
        return
    elif action == "extension":
        extension = printable(form.value("extension"))
        change = lambda: service.update_user(user.id, extension=extension)  # noqa: E731
    elif action in ("disable", "enable"):
        if action == "disable" and user.id == visitor.principal.user_id:
            raise Refused({"": gettext("You cannot disable yourself.")})
        change = lambda: service.update_user(user.id, disabled=action == "disable")  # noqa: E731
    else:
        password = form.value("password")
        if not password:
            raise Refused({"password": gettext("Required.")})
        change = lambda: service.set_password(user.id, password)  # noqa: E731
    attempt(visitor, _extension_said(visitor, change), WORDING)


def _role_names(visitor: Visitor) -> list[str]:
    return [r.role.name for r in RoleService(visitor.uow).list_roles() if r.role.name != "customer"]


def _new(site: Site, visitor: Visitor, form: Form, ticked=None, status: int = 200) -> Response:
    context = {
        "form": form,
        "role_names": _role_names(visitor),
        "ticked": ticked if ticked is not None else ["agent"],
        "current": "users",
    }
    return site.render(visitor, "console/user_new.html", context, status=status)


def _page(
    site: Site,
    visitor: Visitor,
    user: User,
    *,
    action: str | None = None,
    form: Form | None = None,
    ticked: list[str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    held = UserService(visitor.uow).roles_of([user]).get(user.id, [])
    context = {
        "user": user,
        "held": held,
        "ticked": ticked if action == "roles" and ticked is not None else held,
        "role_names": _role_names(visitor) if user.kind == "staff" else held,
        "stamp": stamp(user),
        "action": action,
        "form": form or Form(),
        "empty_form": Form(),
        "extension_form": Form({"extension": user.extension or ""}),
        "email_form": Form({"email": user.email or ""}),
        "notice": notice,
        "now": utcnow(),
        "is_self": user.id == visitor.principal.user_id,
        "current": "users",
    }
    return site.render(visitor, "console/user.html", context, status=status)
