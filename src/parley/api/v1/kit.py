"""What the /api/v1 endpoints share: paging parameters, the answer of a list with its counts,
and the customer a caller may see.

An endpoint takes one parameter per thing it needs: ``page: Annotated[Page, paging(50, 500)]``,
``customer_id: VisibleCustomer``; it answers a list with ``listed(response, items, total)``,
or ``budgeted(request, items, total)`` where items may be large.
One versioned resource is answered with its ETag by ``api/versioning.py`` (``with_etag``,
``written``, ``IfMatch``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder

from parley.api.security import current_principal
from parley.api.tmf.kit.responses import list_response
from parley.auth.principal import Principal
from parley.errors import NotFound

MAX_OFFSET = 2**31 - 1  # what every database takes as an OFFSET


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def paging(default: int, most: int):
    """The ``offset`` and ``limit`` query parameters as one dependency: ``default`` items a
    page unless the caller asks for another number, at most ``most``."""

    async def page(
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
        limit: int = Query(default, ge=1, le=most),
    ) -> Page:
        return Page(offset, limit)

    return Depends(page)


def listed(response: Response, items: list, total: int) -> list:
    """A list answered: ``items`` (this page), with the counts in ``X-Total-Count`` (all that
    match) and ``X-Result-Count`` (on this page)."""
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Result-Count"] = str(len(items))
    return items


def budgeted(request: Request, items: Iterable, total: int) -> Response:
    """A list whose items may be large (whole documents, notes): as ``listed``, and the page
    also stops at the byte budget (PARLEY_MAX_PAGE_BYTES); ``X-Result-Count`` says how many
    it holds, so the next page starts at offset + that count."""
    shown = (jsonable_encoder(item) for item in items)
    return list_response(shown, total, request.app.state.settings.max_page_bytes)


async def _visible_customer(
    customer_id: str, principal: Principal = Depends(current_principal)
) -> str:
    if not principal.may_see_customer(customer_id):
        # A customer's log-in reaches only its own customer; any other is simply not found.
        raise NotFound(f"No customer with id {customer_id}")
    return customer_id


# The ``{customer_id}`` of the path, a customer the caller may see (404 otherwise). The route
# declares its permission (``dependencies=[require(...)]``), which is checked first: a caller
# without it is refused 403 whichever customer it names.
VisibleCustomer = Annotated[str, Depends(_visible_customer)]
