"""Security headers on every answer of the web edge.

The Content-Security-Policy allows scripts, styles, images and requests from Parley only,
and no inline script or style at all (the pages have none: htmx's own inline indicator style
is switched off by the page's htmx configuration), so injected markup can run nothing. No
other site may frame the pages (clickjacking). Pages carry customers' data: no cache keeps
them, and the back button after signing out shows nothing from before.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
NOT_STORED = "no-store"
HSTS = "max-age=31536000"


def add_security_headers(headers: MutableHeaders, https: bool) -> None:
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    # Static files say how long they may be kept; everything else is a page with data.
    headers.setdefault("Cache-Control", NOT_STORED)
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), https)
            await send(message)

        await self.app(scope, receive, send_with_headers)
