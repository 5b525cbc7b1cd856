"""Error pages of a web application: readable, translated, in the application's layout, with
the right status; never a stack trace or the API's JSON.

A page that needs a signed-in user sends a browser without one to the sign-in page (an htmx
request is told to go there with ``HX-Redirect``), and back to where it was after signing in.
"""

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from parley import errors
from parley.web.access import PageForbidden, SignInNeeded, Visitor
from parley.web.csrf import CsrfRefused
from parley.web.forms import FormRefused
from parley.web.headers import add_security_headers
from parley.web.i18n import N_
from parley.web.site import Site, is_htmx

log = logging.getLogger(__name__)

# (title, explanation) per status, as msgids.
PAGES = {
    400: (N_("This request cannot be answered"), N_("Something in it is not valid.")),
    403: (
        N_("Not allowed"),
        N_("Your roles do not allow this page or action. Ask an administrator if you need it."),
    ),
    404: (N_("Not found"), N_("There is no such page, or what it showed no longer exists.")),
    405: (N_("Not possible here"), N_("This page cannot be used that way.")),
    409: (
        N_("Not possible now"),
        N_("This cannot be done in the current state. Nothing was changed: reload to see it."),
    ),
    412: (
        N_("Changed meanwhile"),
        N_("Someone else changed this since you opened it. Nothing was changed: reload it."),
    ),
    413: (N_("Too much at once"), N_("What was sent is larger than this page accepts.")),
    429: (N_("Too many attempts"), N_("Wait a moment, then try again.")),
    500: (
        N_("Something went wrong"),
        N_("Parley could not finish this. Nothing was changed; please try again."),
    ),
    503: (
        N_("Not available just now"),
        N_("Parley cannot do this at the moment. Nothing was changed; try again shortly."),
    ),
}
CSRF_PAGE = (
    N_("This form has expired"),
    N_(
        "It was not sent from a page of this session (it may have been open since before "
        "you signed in again). Nothing was changed: go back, reload the page and try again."
    ),
)


def install_error_pages(app: FastAPI, site: Site) -> None:
    def page(request: Request, status: int, text: tuple[str, str]) -> Response:
        visitor = _visitor(request, site)
        title, detail = text
        context = {"status": status, "title": title, "detail": detail}
        return site.render(visitor, "error.html", context, status=status)

    @app.exception_handler(SignInNeeded)
    def _sign_in(request: Request, _exc: SignInNeeded) -> Response:
        visitor = _visitor(request, site)
        target = visitor.path(f"/sign-in?next={quote(_back_to(request), safe='/')}")
        if is_htmx(request):  # htmx would put the sign-in page into a part of the page
            return visitor.finish(Response(status_code=401, headers={"HX-Redirect": target}))
        return visitor.finish(RedirectResponse(target, status_code=303))

    @app.exception_handler(PageForbidden)
    def _forbidden(request: Request, _exc: PageForbidden) -> Response:
        return page(request, 403, PAGES[403])

    @app.exception_handler(errors.Forbidden)
    def _refused(request: Request, _exc: errors.Forbidden) -> Response:
        return page(request, 403, PAGES[403])

    @app.exception_handler(CsrfRefused)
    def _csrf(request: Request, _exc: CsrfRefused) -> Response:
        return page(request, 403, CSRF_PAGE)

    @app.exception_handler(FormRefused)
    def _form(request: Request, exc: FormRefused) -> Response:
        return page(request, exc.status, PAGES[exc.status])

    @app.exception_handler(errors.NotFound)
    def _not_found(request: Request, _exc: errors.NotFound) -> Response:
        return page(request, 404, PAGES[404])

    @app.exception_handler(errors.InvalidInput)
    def _invalid(request: Request, _exc: errors.InvalidInput) -> Response:
        return page(request, 400, PAGES[400])

    @app.exception_handler(errors.DomainError)
    def _domain(request: Request, exc: errors.DomainError) -> Response:
        # What a page's own handling did not expect (a conflict, a stale version, a limit):
        # a page with the status, never a 500.
        status = exc.status if exc.status in PAGES else 400
        return page(request, status, PAGES[status])

    @app.exception_handler(HTTPException)
    def _http(request: Request, exc: HTTPException) -> Response:
        status = exc.status_code if exc.status_code in PAGES else 400
        return page(request, status, PAGES[status])

    @app.exception_handler(Exception)
    def _crash(request: Request, exc: Exception) -> Response:
        # Served outside the middleware (Starlette's outermost layer): add the headers here.
        log.error("console page failed", exc_info=exc)
        response = page(request, 500, PAGES[500])
        add_security_headers(
            MutableHeaders(raw=response.raw_headers), request.url.scheme == "https"
        )
        return response


def _visitor(request: Request, site: Site) -> Visitor:
    known = getattr(request.state, "visitor", None)
    return known if known is not None else site.visitor(request, None, None)


def _back_to(request: Request) -> str:
    """Where to return after signing in: this page if it was being read, else the start."""
    if request.method != "GET" or is_htmx(request):
        return "/"
    path = request.url.path.removeprefix(request.scope.get("root_path", "")) or "/"
    return f"{path}?{request.url.query}" if request.url.query else path
