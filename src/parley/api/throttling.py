"""What the edges share for rate limits (docs/security.md, "Rate limits"): the client's
address as the limits count it, and identification's limit per user.

The address is the TCP peer's, or the one a trusted reverse proxy names in
``X-Forwarded-For`` (``PARLEY_FORWARDED_ALLOW_IPS``: uvicorn's proxy headers), as
``ratelimit.addresses.address_of`` counts it: an IPv6 address as its /64 network (one
subscriber's share), an IPv4-mapped one as the IPv4 address.
"""

from fastapi import Request

from parley import ratelimit
from parley.api.deps import RequestWork, get_channel
from parley.api.error_answers import answers
from parley.api.security import Caller
from parley.auth.audit import THROTTLED, record_access
from parley.auth.permissions import CLIENT
from parley.errors import TooManyRequests
from parley.ratelimit.addresses import address_of
from parley.rates import parse_rates

IDENTIFY = "identify.user"


def client_address(request: Request) -> str:
    return address_of(request.client.host if request.client is not None else None)


@answers(429)
def limit_identification(request: Request, principal: Caller, uow: RequestWork) -> None:
    """``/identify`` per user: PARLEY_IDENTIFY_LIMIT for people, PARLEY_IDENTIFY_CLIENT_LIMIT
    for integration clients; past it a 429 with Retry-After, the first one in a window in the
    audit trail (``throttled``)."""
    settings = request.app.state.settings
    rates = parse_rates(
        settings.identify_client_limit if principal.kind == CLIENT else settings.identify_limit
    )
    session = uow.session
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        # Only the caller's look-up has read in it (api/security.py): ended here, so that the
        # hit commits on its own and the user's counter is not locked while the query runs.
        session.commit()
    verdict = ratelimit.hit(session, rates, IDENTIFY, principal.user_id)
    if verdict.allowed:
        return
    if verdict.first:
        after = {"limit": f"identification {verdict.exceeded}", "retryAfter": verdict.retry_after}
        actor = principal.actor(get_channel(request))
        record_access(uow.acting_as(actor), "user", THROTTLED, principal.user_id, after=after)
        session.commit()  # the record stays, though the request is refused
    raise TooManyRequests(
        f"too many identifications: at most {verdict.exceeded} per user; "
        f"try again in {verdict.retry_after} s",
        verdict.retry_after,
    )
