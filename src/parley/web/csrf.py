"""Protection against cross-site request forgery: every request that changes something
(any method but GET, HEAD and OPTIONS) must carry the page's CSRF token, in the form's
hidden ``csrf_token`` field or, for htmx's requests, the ``X-CSRF-Token`` header (set by
``parley.js`` from the page's ``<meta name="csrf-token">``).

The token is derived from a secret only the browser's cookie holds: the session's token once
signed in (so the CSRF token is per session and changes at every sign-in), before that a
random per-browser secret (so the sign-in form is protected too). Another site can make the
browser send the cookie, but cannot read a page to learn the token. Requests a browser marks
as cross-site (``Sec-Fetch-Site``) are refused outright.
"""

import base64
import hashlib
import hmac

from starlette.requests import Request

from parley.web.forms import read_form

FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfRefused(Exception):
    """The request did not carry its page's CSRF token (or came from another site)."""


def csrf_token(secret: str) -> str:
    digest = hmac.new(secret.encode(), b"parley-csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def check_csrf(request: Request, secret: str | None) -> None:
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused("a request from another site")
    sent = request.headers.get(HEADER) or (await read_form(request)).get(FIELD, "")
    if not secret or not sent or not hmac.compare_digest(sent, csrf_token(secret)):
        raise CsrfRefused("the form's CSRF token is missing or not this session's")
