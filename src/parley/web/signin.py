"""Signing in and out, and choosing the language: the same for every web application (the
console, the portal), each with its own sign-in page (``template``).

Sign-in checks the password as the API's log-in does (same lock-out, same audit trail, the
application's channel) and starts a new server-side session, replacing any the browser had;
only the kinds of users the application admits may sign in to it (``Site.kinds``).
"""

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.auth.service import LoginFailed
from parley.web.access import LANGUAGE_COOKIE, SESSION_COOKIE, YEAR, Visitor
from parley.web.forms import FormFields
from parley.web.i18n import N_
from parley.web.site import Site

REFUSALS = {
    "credentials": N_("The username or password is not right."),
    "disabled": N_("This account is disabled. Ask an administrator."),
}


def safe_next(target: str | None) -> str:
    """A path of the application to go on to; anything else (another site) is the start page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def router(site: Site, template: str) -> APIRouter:
    """``/sign-in``, ``/sign-out`` and ``/language``; ``template`` is the sign-in page."""
    pages = APIRouter()
    Anyone = Annotated[Visitor, site.public_page()]  # any visitor; the sign-in form
    Someone = Annotated[Visitor, site.page()]  # a signed-in one

    @pages.get("/sign-in")
    def sign_in_page(request: Request, visitor: Anyone):
        target = safe_next(request.query_params.get("next"))
        if visitor.signed_in is not None:
            return site.redirect(visitor, target)
        signed_out = "signed-out" in request.query_params
        notice = visitor.locale.gettext("You have signed out.") if signed_out else None
        return _page(site, template, visitor, target, notice=notice)

    @pages.post("/sign-in")
    def sign_in(request: Request, visitor: Anyone, form: FormFields):
        target = safe_next(form.get("next"))
        username, password = form.get("username", "").strip(), form.get("password", "")
        errors = {}
        if not username:
            errors["username"] = visitor.locale.gettext("Enter your username.")
        if not password:
            errors["password"] = visitor.locale.gettext("Enter your password.")
        if errors:
            return _page(site, template, visitor, target, username, errors, status=422)
        previous = request.cookies.get(SESSION_COOKIE)
        try:
            started = visitor.sessions().sign_in(username, password, previous)
        except LoginFailed as failed:
            # Committed all the same (the unit of work ends normally): the failure counts
            # towards the lock-out and is in the audit trail.
            refusal = _refusal(visitor, failed)
            return _page(site, template, visitor, target, username, refusal, status=422)
        visitor.keep_cookie(SESSION_COOKIE, started.token)
        return site.redirect(visitor, target)

    @pages.post("/sign-out")
    def sign_out(request: Request, visitor: Someone):
        visitor.sessions().sign_out(request.cookies.get(SESSION_COOKIE))
        visitor.drop_cookie(SESSION_COOKIE)
        return site.redirect(visitor, "/sign-in?signed-out")

    @pages.post("/language")
    def choose_language(visitor: Anyone, form: FormFields) -> Response:
        language = form.get("language", "")
        if language not in site.catalogues.languages:
            return site.redirect(visitor, safe_next(form.get("next")))
        if visitor.signed_in is not None:
            visitor.sessions().choose(visitor.signed_in, language=language)
        # Also for the sign-in page, once signed out.
        visitor.keep_cookie(LANGUAGE_COOKIE, language, max_age=YEAR)
        return site.redirect(visitor, safe_next(form.get("next")))

    return pages


def _refusal(visitor: Visitor, failed: LoginFailed) -> dict[str, str]:
    """What to say beside the password field (translated)."""
    locale = visitor.locale
    if failed.reason == "locked" and failed.locked_until is not None:
        message = locale.gettext(
            "Too many failed attempts: this account is locked until %(time)s."
        ) % {"time": locale.clock(failed.locked_until)}
        return {"password": message}
    return {"password": locale.gettext(REFUSALS.get(failed.reason, REFUSALS["credentials"]))}


def _page(
    site: Site,
    template: str,
    visitor: Visitor,
    target: str,
    username: str = "",
    errors: dict | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "next": target,
        "username": username,
        "errors": errors or {},
        "notice": notice,
    }
    return site.render(visitor, template, context, status=status)
