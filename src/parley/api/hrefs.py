"""The base URL of an answer's hrefs.

PARLEY_BASE_URL when it is set. `parley serve` sets it for the processes it starts when it is
not: to ``http://HOST:PORT`` as served, or, listening on every address (``--host 0.0.0.0``),
to a fallback made from the machine's name for what leaves without a request (events, messages
to other systems) with ``base_url_from_request`` on: then each answer's hrefs use the scheme
and ``Host`` of the request they answer, so a client gets links to the address it used.
"""

import re

from starlette.requests import Request

from parley.links import Links

# host[:port] or [IPv6][:port]: anything else in a Host header is not used for links.
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?"
)
_CACHED = 16  # Links per base URL kept; a client sending many Host headers cannot grow it


def base_url_of(request: Request) -> str:
    settings = request.app.state.settings
    if not settings.base_url_from_request:
        return settings.base_url
    host = request.headers.get("host", "")
    if not _HOST.fullmatch(host):
        return settings.base_url
    return f"{request.url.scheme}://{host}"


def links_of(request: Request) -> Links:
    """The Links of the request's base URL (the app's own unless it follows the request)."""
    state = request.app.state
    if not state.settings.base_url_from_request:
        return state.links
    base = base_url_of(request)
    known: dict[str, Links] = state.links_by_base
    links = known.get(base)
    if links is None:
        if len(known) >= _CACHED:
            known.clear()
        links = known[base] = Links(state.settings, base)
    return links
