"""Automatic fulfilment (Handle Request): what Parley does itself for request types whose
``fulfilmentMode`` is automatic, so that the request closes completed at once, or waits for
another system's acknowledgement.

- ``request.status``: the answer is the state of the customer's other open requests, kept as a
  note on the request (and so in the status view the customer reads).
- ``addon.selection``: the add-on the customer chose (characteristic ``productOffering``, an
  offering of the catalogue, parley.offers) goes to the ordering system as a TMF622
  ProductOrder with the offering and its prices through the outbox, in the same transaction;
  the request waits, in progress, for the ordering system's answer (requests.handoffs).
- ``adjustment``: see requests.adjustments (to billing, or waiting for a supervisor's approval).

- ``contact.change``: the new details (characteristics ``emailAddress``, ``phoneNumber``, and
  a postal address ``street1``, ``street2``, ``postCode``, ``city``, ``stateOrProvince``,
  ``country``) replace the current ones on the customer's party through the parties service
  (``parties.contact_change``). Invalid details are refused (400) and nothing is kept: it is
  self-service input, checked when given. A request with none of them stays for an agent.

A type without a fulfiller here stays acknowledged, for an agent, like a workflow type.
"""

from dataclasses import dataclass

from parley.changes import UnitOfWork
from parley.db.base import iso, utcnow
from parley.errors import InvalidInput
from parley.parties.contact_change import DETAILS, ContactChange, new_media
from parley.requests import lifecycle as lc
from parley.requests.adjustments import Adjustments
from parley.requests.models import CustomerRequest, RequestType
from parley.requests.options import RequestOptions


@dataclass(frozen=True)
class Fulfilled:
    resolution_code: str
    note: str


class AutomaticFulfilment:
    def __init__(self, uow: UnitOfWork, requests):
        """``requests``: the RequestService asking (for the customer's other requests)."""
        self.uow, self.session = uow, uow.session
        self.requests = requests

    def fulfil(self, row: CustomerRequest, request_type: RequestType) -> Fulfilled | None:
        if request_type.fulfilment_mode != "automatic":
            return None
        fulfiller = {
            "request.status": self._answer_status,
            "addon.selection": self._order_addon,
            "contact.change": self._change_contact,
            "adjustment": self._adjust,
        }.get(request_type.code)
        return fulfiller(row) if fulfiller else None

    def _change_contact(self, row: CustomerRequest) -> Fulfilled | None:
        given = {
            c.get("name"): c.get("value")
            for c in row.document.get("troubleTicketCharacteristic") or []
            if c.get("name") in DETAILS
        }
        for name, value in given.items():
            if value is not None and not isinstance(value, str):
                where = f"troubleTicketCharacteristic.{name}"
                raise InvalidInput(f"{where}: a text value is expected", where)
        region = self.uow.options(RequestOptions).phone_region
        media = new_media(given, region, "troubleTicketCharacteristic")
        if not media:
            return None  # nothing usable: an agent takes it in
        said = ContactChange(self.uow).apply(row.customer_id, media, utcnow())
        return Fulfilled("contactUpdated", "Contact details: " + "; ".join(said) + ".")

    def _answer_status(self, row: CustomerRequest) -> Fulfilled:
        others = self.requests.of_customer(row.customer_id, 50)
        open_ones = [r for r in others if r.id != row.id and r.status not in lc.FINAL]
        if not open_ones:
            return Fulfilled("answered", "You have no other open requests.")
        lines = [
            f"{r.document.get('ticketType', 'request')} {r.id}: {r.status}"
            + (f", expected by {iso(r.expected_resolution_at)}" if r.expected_resolution_at else "")
            for r in open_ones
        ]
        return Fulfilled("answered", "Your open requests: " + "; ".join(lines))

    def _adjust(self, row: CustomerRequest) -> None:
        """To billing within the requester's limit (the request waits for billing's answer);
        above it the request waits for approval."""
        return Adjustments(self.uow, self.requests).take(row)

    def _order_addon(self, row: CustomerRequest) -> None:
        """To the ordering system; the request waits for its answer (None: not done yet)."""
        offering = next(
            (
                c.get("value")
                for c in row.document.get("troubleTicketCharacteristic") or []
                if c.get("name") == "productOffering"
            ),
            None,
        )  # checked against the catalogue when the request was taken
        if offering is None:
            return None  # a type changed to not require one: an agent takes it in
        self.requests.handoffs.order_addon(row, offering)
        return None
