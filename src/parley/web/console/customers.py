"""A customer's page: for now its header (name, customer number, status, segment, since
when) and how to reach them; the customer 360 grows from here."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter

from parley.auth.permissions import CUSTOMER_READ
from parley.parties.models import INACTIVE_CUSTOMER_STATUSES, Customer
from parley.parties.service import PartyService
from parley.web.access import Visitor
from parley.web.console.labels import readable_phone
from parley.web.site import Site

TEMPLATE = "console/customer.html"


@dataclass(frozen=True)
class ContactView:
    kind: str  # PhoneContactMedium, EmailContactMedium, GeographicAddressContactMedium, ...
    value: str
    contact_type: str | None  # mobile, home, work, ...
    preferred: bool


@dataclass(frozen=True)
class CustomerView:
    id: str
    name: str
    number: str
    status: str
    status_reason: str | None
    inactive: bool
    segment: str | None
    since: datetime | None
    until: datetime | None
    status_since: datetime


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/customers/{customer_id}")
    def customer(customer_id: str, visitor: Annotated[Visitor, site.page(CUSTOMER_READ)]):
        parties = PartyService(visitor.uow)
        found = parties.get_customer(customer_id, reader=visitor.principal)  # else a 404 page
        contacts = [_contact(m) for m in parties.contact_media_of_customer(found.id)]
        context = {"customer": _view(found), "contacts": [c for c in contacts if c.value]}
        return site.render(visitor, TEMPLATE, context)

    return pages


def _view(customer: Customer) -> CustomerView:
    document = customer.document or {}
    valid = document.get("validFor") or {}
    segment = next(
        (c.get("value") for c in document.get("characteristic", []) if c.get("name") == "segment"),
        None,
    )
    return CustomerView(
        id=customer.id,
        name=customer.name,
        number=customer.customer_number,
        status=customer.status,
        status_reason=document.get("statusReason"),
        inactive=customer.status in INACTIVE_CUSTOMER_STATUSES,
        segment=segment if isinstance(segment, str) else None,
        since=_instant(valid.get("startDateTime")) or customer.created_at,
        until=_instant(valid.get("endDateTime")),
        status_since=customer.status_changed_at,
    )


def _contact(medium: dict) -> ContactView:
    kind = medium.get("@type", "")
    if kind == "PhoneContactMedium":
        value = readable_phone(medium.get("phoneNumber", ""))
    elif kind == "EmailContactMedium":
        value = medium.get("emailAddress", "")
    else:
        town = " ".join(p for p in (medium.get("postCode"), medium.get("city")) if p)
        parts = (medium.get("street1"), medium.get("street2"), town, medium.get("country"))
        value = ", ".join(p for p in parts if p)
    return ContactView(kind, value, medium.get("contactType"), bool(medium.get("preferred")))


def _instant(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
