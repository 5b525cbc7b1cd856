"""One web application of Parley (the agent console; later the self-service portal): its
channel and who may sign in to it, its templates, static files and catalogues, its
navigation, and the markers its routes declare their access with."""

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parley.auth.web_sessions import SignedIn
from parley.changes import UnitOfWork
from parley.web.access import PageAccess, StaticAccess, Visitor, visitor_for
from parley.web.assets import Assets
from parley.web.i18n import Catalogues, language_name
from parley.web.templating import Templates


@dataclass(frozen=True)
class NavItem:
    label: str  # a msgid, translated when shown
    path: str
    name: str  # what ``current`` names it by


@dataclass
class Site:
    channel: str  # in the audit trail: who signed in where, what they did through it
    kinds: tuple[str, ...]  # the kinds of users who may sign in (the console: staff)
    templates: Templates
    assets: Assets = field(default_factory=Assets)
    catalogues: Catalogues = field(default_factory=Catalogues)
    # The navigation a visitor sees: only what their roles allow.
    navigation: Callable[[Visitor], list[NavItem]] = lambda _visitor: []

    def page(self, permission: str | None = None, *, uploads: bool = False):
        """Depend on this: a signed-in user, holding ``permission`` if one is named;
        ``uploads``: the page's form may carry a file (web/forms.py)."""
        return Depends(PageAccess(self, permission, signed_in=True, uploads=uploads))

    def public_page(self):
        """Depend on this: anyone, signed in or not (still CSRF-checked when posting)."""
        return Depends(PageAccess(self, None, signed_in=False))

    def static_files(self):
        """Depend on this: a static file (public; no session, no database)."""
        return Depends(StaticAccess(self))

    def visitor(
        self, request: Request, uow: UnitOfWork | None, signed_in: SignedIn | None
    ) -> Visitor:
        return visitor_for(self, request, uow, signed_in)

    # -- answers -------------------------------------------------------------------------

    def render(
        self,
        visitor: Visitor,
        template: str,
        context: dict | None = None,
        *,
        block: str | tuple[str, ...] | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        """The page ``template``, or only its ``block`` (an htmx partial)."""
        html = self.templates.render(
            visitor.locale, template, {**self._context(visitor), **(context or {})}, block
        )
        return visitor.finish(HTMLResponse(html, status_code=status))

    def render_parts(
        self,
        visitor: Visitor,
        parts: list[tuple[str, str | None]],
        context: dict | None = None,
        *,
        status: int = 200,
    ) -> HTMLResponse:
        """Several (template, block) parts one after the other, for one htmx answer: the part
        swapped in, and others out of band (a block of ``None``: the template whole)."""
        full = {**self._context(visitor), **(context or {})}
        html = "".join(
            self.templates.render(visitor.locale, template, full, block)
            for template, block in parts
        )
        return visitor.finish(HTMLResponse(html, status_code=status))

    def redirect(self, visitor: Visitor, path: str) -> Response:
        """To another page of this application (303: the browser GETs it)."""
        return visitor.finish(RedirectResponse(visitor.path(path), status_code=303))

    def _context(self, visitor: Visitor) -> dict:
        return {
            "visitor": visitor,
            "principal": visitor.principal,
            "url": visitor.path,
            "asset": lambda name: visitor.path(self.assets.path(name)),
            "csrf_token": visitor.csrf_token,
            "language": visitor.locale.language,
            "languages": [(code, language_name(code)) for code in self.catalogues.languages],
            "navigation": self.navigation(visitor) if visitor.signed_in else [],
            "current": "",
            "here": _here(visitor.request),
        }


def _here(request: Request) -> str:
    """This page's path below the application's root, to come back to (a language switch)."""
    path = request.url.path.removeprefix(request.scope.get("root_path", "")) or "/"
    return f"{path}?{request.url.query}" if request.url.query and request.method == "GET" else path


def is_htmx(request: Request) -> bool:
    """An htmx request for a part of a page (not a history restore, which wants it whole)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and not headers.get("hx-history-restore-request")
