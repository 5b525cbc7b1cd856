"""A caller arrives: one search box for whatever the caller says (a number, a name with or
without the town, an email, a customer number or account), answered by the identification
service the API's ``/api/v1/identify`` uses, best candidates first, each saying why it matched.

As the agent types, htmx asks for the results only (the page's ``main`` block, and the count
for screen readers); without JavaScript the same URL answers the whole page.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import IDENTIFY_USE
from parley.parties.identification.matching import Candidate, Identifier, Reason
from parley.parties.models import INACTIVE_CUSTOMER_STATUSES
from parley.web.access import Visitor
from parley.web.labels import readable_phone
from parley.web.site import Site, is_htmx

TEMPLATE = "console/search.html"
MIN_QUERY, MAX_QUERY = 2, 200
MAX_CANDIDATES = 20
# What an htmx request gets: the results, and out of band the page's title, the navigation
# (this page marked) and the count for screen readers.
PARTS = ("main", "title_update", "navigation_update", "status_update")


@dataclass(frozen=True)
class MatchView:
    field: str  # customerNumber, phone, email, nationalId, account, name, city
    value: str
    exact: bool
    score: int
    former: bool  # a number or address the party no longer holds


@dataclass(frozen=True)
class CandidateView:
    name: str
    kind: str  # Individual, Organization
    city: str | None
    customer_id: str | None
    customer_number: str | None
    status: str | None  # the customer's
    contact: bool  # a contact person of the customer, not its holder
    score: int
    historical: bool
    inactive: bool  # disconnected or closed
    matches: list[MatchView]


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/search")
    def search(request: Request, visitor: Annotated[Visitor, site.page(IDENTIFY_USE)]):
        query = _printable(request.query_params.get("q", ""))[:MAX_QUERY]
        too_short = 0 < len(query) < MIN_QUERY
        candidates: list[CandidateView] = []
        if query and not too_short:
            found = Identifier(visitor.uow).identify(query, MAX_CANDIDATES, as_you_type=True)
            candidates = [_view(candidate) for candidate in found]
        context = {
            "query": query,
            "too_short": too_short,
            "candidates": candidates,
            "current": "search",
        }
        if is_htmx(request):
            return site.render(visitor, TEMPLATE, context, block=PARTS)
        return site.render(visitor, TEMPLATE, context)

    return pages


def _printable(text: str) -> str:
    """What was typed, without control characters (a pasted NUL or tab is no search)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _view(candidate: Candidate) -> CandidateView:
    party, customer = candidate.party, candidate.customer
    return CandidateView(
        name=customer.name if customer else party.display_name,
        kind=party.kind,
        city=party.city,
        customer_id=customer.id if customer else None,
        customer_number=customer.customer_number if customer else None,
        status=customer.status if customer else None,
        contact=candidate.relation != "engagedParty",
        score=round(candidate.score),
        historical=candidate.historical,
        inactive=customer is not None and customer.status in INACTIVE_CUSTOMER_STATUSES,
        matches=[_match(reason) for reason in candidate.reasons],
    )


def _match(reason: Reason) -> MatchView:
    value = readable_phone(reason.value) if reason.field == "phone" else reason.value
    exact = reason.match == "exact"
    return MatchView(reason.field, value, exact, round(reason.score), reason.historical)
