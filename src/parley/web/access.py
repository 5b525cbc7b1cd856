"""Who is looking at a page, and whether they may: every route of a web application declares
its access with one of its ``Site``'s markers, ``site.page(permission)`` (signed in, holding
the permission if one is named) or ``site.public_page()`` (the sign-in page, static files).
Either marker resumes the browser's session, chooses the page's language, and checks the CSRF
token of any request that changes something; ``undeclared_pages(app)`` lists routes without
one, so a test fails on a page that forgot.

The permissions are those of ``auth/permissions.py``, checked on the principal read afresh
for this request: what a role may not do is refused here, whatever a page shows.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.responses import Response

from parley.auth.principal import Principal
from parley.auth.web_sessions import SessionLimits, SignedIn, WebSessions
from parley.changes import UnitOfWork
from parley.ratelimit.addresses import address_of
from parley.settings import Settings
from parley.web.csrf import check_csrf, csrf_token
from parley.web.i18n import PageLocale, choose_language, time_zone
from parley.web.work import PageSession

if TYPE_CHECKING:
    from parley.web.site import Site

SESSION_COOKIE = "parley_session"
BROWSER_COOKIE = "parley_browser"  # the CSRF secret of a browser not signed in
LANGUAGE_COOKIE = "parley_language"  # a language chosen before signing in
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
YEAR = 365 * 24 * 3600


class SignInNeeded(Exception):
    """The page needs a signed-in user, and there is none (or their session ended)."""


class PageForbidden(Exception):
    """The user's roles do not grant what the page needs."""

    def __init__(self, permission: str):
        super().__init__(permission)
        self.permission = permission


def session_limits(settings: Settings) -> SessionLimits:
    return SessionLimits(
        idle=timedelta(minutes=settings.web_idle_minutes),
        lifetime=timedelta(hours=settings.web_session_hours),
    )


@dataclass
class Visitor:
    """One request's reader of a page: their session (if signed in), language and time zone,
    unit of work, and the CSRF token the page's forms carry."""

    request: Request
    site: "Site"
    uow: UnitOfWork
    signed_in: SignedIn | None
    locale: PageLocale
    csrf_token: str
    _cookies: list = field(default_factory=list)

    @property
    def principal(self) -> Principal | None:
        return self.signed_in.principal if self.signed_in else None

    def may(self, permission: str) -> bool:
        return self.signed_in is not None and self.signed_in.principal.has(permission)

    @property
    def settings(self) -> Settings:
        return self.request.app.state.settings

    def sessions(self) -> WebSessions:
        limits = session_limits(self.settings)
        client = self.request.client
        source = address_of(client.host if client is not None else None)
        return WebSessions(self.uow, limits, self.site.channel, self.site.kinds, source)

    def path(self, path: str) -> str:
        """A path of this web application (``/search`` → ``/console/search``)."""
        return f"{self.request.scope.get('root_path', '')}{path}"

    @property
    def https(self) -> bool:
        return self.request.url.scheme == "https"

    def keep_cookie(self, name: str, value: str, max_age: int | None = None) -> None:
        """Set on the answer: HttpOnly (no script reads it), SameSite=Lax (not sent with
        another site's POST), Secure over HTTPS, for this application's paths only."""
        self._cookies.append(
            lambda response: response.set_cookie(
                name,
                value,
                max_age=max_age,
                path=self.path("") or "/",
                secure=self.https,
                httponly=True,
                samesite="lax",
            )
        )

    def drop_cookie(self, name: str) -> None:
        path = self.path("") or "/"
        self._cookies.append(lambda response: response.delete_cookie(name, path=path))

    def finish(self, response: Response) -> Response:
        for apply in self._cookies:
            apply(response)
        return response


class PageAccess:
    """A route's declared access (a dependency; ``Site.page`` and ``Site.public_page``)."""

    def __init__(
        self, site: "Site", permission: str | None, signed_in: bool, uploads: bool = False
    ):
        self.site, self.permission, self.needs_signed_in = site, permission, signed_in
        self.uploads = uploads

    async def __call__(self, request: Request, session: Session = PageSession) -> Visitor:
        settings: Settings = request.app.state.settings
        visitor_of: list[Visitor] = []
        uow = UnitOfWork(session, settings, actor_source=lambda: _actor(visitor_of))
        sessions = WebSessions(uow, session_limits(settings), self.site.channel, self.site.kinds)
        token = request.cookies.get(SESSION_COOKIE)
        signed_in = await run_in_threadpool(sessions.resume, token) if token else None
        visitor = self.site.visitor(request, uow, signed_in)
        visitor_of.append(visitor)
        request.state.visitor = visitor  # for the error pages
        if signed_in is None and self.needs_signed_in:
            raise SignInNeeded()
        request.state.takes_files = self.uploads  # read by web/forms.py
        if request.method not in SAFE_METHODS:
            secret = token if signed_in else request.cookies.get(BROWSER_COOKIE)
            await check_csrf(request, secret)
        if self.permission is not None and not visitor.may(self.permission):
            raise PageForbidden(self.permission)
        return visitor

    def __repr__(self) -> str:
        if not self.needs_signed_in:
            return "public_page()"
        return f"page({self.permission!r})" if self.permission else "page()"


class StaticAccess(PageAccess):
    """Static files: public, and no session or database is looked at."""

    def __init__(self, site: "Site"):
        super().__init__(site, None, signed_in=False)

    async def __call__(self) -> None:  # type: ignore[override]
        return None

    def __repr__(self) -> str:
        return "static_files()"


def _actor(visitor_of: list[Visitor]):
    if visitor_of and visitor_of[0].signed_in is not None:
        return visitor_of[0].signed_in.principal.actor(visitor_of[0].site.channel)
    return None


def visitor_for(
    site: "Site", request: Request, uow: UnitOfWork | None, signed_in: SignedIn | None
) -> Visitor:
    """The visitor of a request: language, time zone and CSRF token (a browser without a
    session gets its random secret now, kept in a cookie by the answer)."""
    settings: Settings = request.app.state.settings
    language, region = choose_language(
        site.catalogues.languages,
        signed_in.language if signed_in else None,
        request.cookies.get(LANGUAGE_COOKIE),
        settings.default_language,
        accept_language=request.headers.get("accept-language", ""),
    )
    zone = time_zone(signed_in.time_zone if signed_in else None, settings.default_time_zone)
    locale = PageLocale(language, region, zone, site.catalogues.translations(language))
    secret = request.cookies.get(SESSION_COOKIE) if signed_in else None
    fresh = None
    if secret is None:
        secret = request.cookies.get(BROWSER_COOKIE)
        if not secret or len(secret) > 100:
            secret = fresh = secrets.token_urlsafe(32)
    visitor = Visitor(request, site, uow, signed_in, locale, csrf_token(secret))  # type: ignore[arg-type]
    if fresh is not None:
        visitor.keep_cookie(BROWSER_COOKIE, fresh)
    return visitor


def undeclared_pages(app: FastAPI) -> list[str]:
    """The routes of a web application that declare no access (each one is a mistake)."""
    missing = []
    for route in app.routes:
        if isinstance(route, APIRoute) and not _declares(route.dependant):
            missing.append(f"{','.join(sorted(route.methods))} {route.path}")
    return missing


def _declares(dependant) -> bool:
    if isinstance(dependant.call, PageAccess):
        return True
    return any(_declares(sub) for sub in dependant.dependencies)
