"""The offer catalogue (TMF620 productOffering): what customers may select in self-service
and agents may propose. Administrators manage it (``offer:write``); everyone who reads it
reads through ``readable_by``: a customer's log-in sees only the released offerings of its
own segment, another segment's is simply not found. Every change is audited; the service
never commits.
"""

import copy
import re
from datetime import datetime

from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import ID_LENGTH, iso, new_id, storable_id, utcnow
from parley.db.repository import Page, Reader, conditions_for
from parley.errors import Conflict, InvalidInput, NotFound
from parley.offers.eligibility import (
    PRODUCT_RULES,
    UNKNOWN,
    ProductRule,
    Refusal,
    product_rules,
    refusal,
    segment_of,
)
from parley.offers.models import LIFECYCLE_STATUSES, SELLABLE, ProductOffering
from parley.offers.products import CustomerProducts
from parley.offers.repository import OfferRepository
from parley.parties.service import PartyService

RESOURCE = "productOffering"
LIST_COLUMNS = {
    "id": ProductOffering.id,
    "name": ProductOffering.name,
    "lifecycleStatus": ProductOffering.lifecycle_status,
    "lastUpdate": ProductOffering.updated_at,
}
SERVER_FIELDS = ("id", "href", "lastUpdate")
PRICE_TYPES = ("recurring", "oneTime", "usage")
CURRENCY = re.compile(r"[A-Z]{3}")


class OfferCatalogue:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = OfferRepository(uow.session)

    # -- reading -----------------------------------------------------------------------

    def get(self, offering_id: str, reader: Reader | None = None) -> ProductOffering:
        return self.repo.found(
            ProductOffering,
            offering_id,
            self._readable(reader),
            f"No product offering with id {offering_id}",
        )

    def find(self, page: Page, reader: Reader | None = None):
        conditions = conditions_for(LIST_COLUMNS, ProductOffering.document, page)
        return self.repo.list_offerings([*conditions, self._readable(reader)], page)

    def selectable_for(self, customer_id: str, limit: int = 100) -> list[ProductOffering]:
        """The offerings the customer may select now (the portal's list)."""
        segment = self._segment(customer_id)
        readable = self.repo.readable_by_segment(True, segment)
        rows, _ = self.repo.list_offerings([readable], Page({}, 0, limit))
        now, held = utcnow(), CustomerProducts(self.uow).held(customer_id)
        return [
            row
            for row in rows
            if refusal(row, self.repo.segments_of(row.id), segment, now, self.rules(row), held)
            is None
        ]

    def check_selection(self, offering_id, customer_id: str, for_customer: bool):
        """The offering a request selects for the customer; else InvalidInput naming why."""
        where = "troubleTicketCharacteristic.productOffering"
        row, why = self.selection(offering_id, customer_id, for_customer)
        if why is not None:
            raise InvalidInput(f"{where}: {why.text}", where)
        return row

    def selection(
        self, offering_id, customer_id: str, for_customer: bool
    ) -> tuple[ProductOffering | None, Refusal | None]:
        """The offering and why the customer may not select it now (None: it may).
        ``for_customer``: asked by the customer's own log-in, who learns nothing of the
        offerings it may not see (they are unknown)."""
        segment = self._segment(customer_id)
        row = None
        if isinstance(offering_id, str) and storable_id(offering_id, ID_LENGTH):
            readable = self.repo.readable_by_segment(True, segment) if for_customer else None
            row = self.repo.one(ProductOffering, offering_id, readable)
        if row is None:
            return None, Refusal(UNKNOWN, f"no product offering {offering_id}")
        held = CustomerProducts(self.uow).held(customer_id)
        segments = self.repo.segments_of(row.id)
        return row, refusal(row, segments, segment, utcnow(), self.rules(row), held)

    def rules(self, row: ProductOffering) -> list[ProductRule]:
        """The offering's product rules, each named as the catalogue names its offering."""
        named = []
        for rule in product_rules(row.document):
            if rule.name == rule.offering:
                other = self.repo.by_any_id(rule.offering)
                rule = ProductRule(rule.kind, rule.offering, other.name if other else rule.name)
            named.append(rule)
        return named

    def order_item(self, offering_id: str) -> dict:
        return order_item(self.get(offering_id))

    def ordered(self, offering: str) -> ProductOffering | None:
        """The offering an order names (by its BSS id or Parley's), if the catalogue has it."""
        return self.repo.by_any_id(offering) if storable_id(offering, 100) else None

    def _readable(self, reader: Reader | None):
        if reader is None or not reader.is_customer:
            return None
        if not reader.customer_id:
            return self.repo.nothing()
        return self.repo.readable_by_segment(True, self._segment(reader.customer_id))

    def _segment(self, customer_id: str) -> str | None:
        try:
            return segment_of(PartyService(self.uow).get_customer(customer_id).document)
        except NotFound:
            return None

    # -- writing -----------------------------------------------------------------------

    def create(self, document: dict) -> ProductOffering:
        document = checked(document)
        now = utcnow()
        row = ProductOffering(id=new_id(), created_at=now)
        self._apply(row, document, now)
        self.uow.record(RESOURCE, CREATE, row.id, after=document, event=served(row))
        return row

    def replace(self, offering_id: str, document: dict) -> ProductOffering:
        row = self.get(offering_id)
        before = copy.deepcopy(row.document)
        self._apply(row, checked(document), utcnow())
        self.uow.record(
            RESOURCE, UPDATE, row.id, before=before, after=row.document, event=served(row)
        )
        return row

    def delete(self, offering_id: str) -> None:
        row = self.get(offering_id)
        if row.lifecycle_status in SELLABLE:
            raise Conflict("an offering on sale is retired (lifecycleStatus), not deleted")
        event = served(row)
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, offering_id, before=event, event=event)

    def by_external_id(self, external_id: str) -> ProductOffering | None:
        return self.repo.by_external_id(external_id)

    def _apply(self, row: ProductOffering, document: dict, now: datetime) -> None:
        external = _external_id(document)
        if external is not None:
            holder = self.repo.by_external_id(external)
            if holder is not None and holder.id != row.id:
                raise Conflict(f"externalIdentifier: {external} is offering {holder.id}")
        period = document.get("validFor") or {}
        row.name, row.lifecycle_status = document["name"], document["lifecycleStatus"]
        row.external_id = external
        row.valid_from = _instant(period.get("startDateTime"))
        row.valid_to = _instant(period.get("endDateTime"))
        row.document, row.updated_at = document, now
        self.repo.add(row)
        segments = sorted({s["id"] for s in document.get("marketSegment") or []})
        self.repo.replace_segments(row.id, segments)


def served(row: ProductOffering) -> dict:
    return {**row.document, "id": row.id, "lastUpdate": iso(row.updated_at)}


def checked(document: dict) -> dict:
    """Parley's rules beyond the spec's shape (which the API checks first)."""
    document = copy.deepcopy(document)
    for key in SERVER_FIELDS:
        document.pop(key, None)
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        raise InvalidInput("name: required, at most 200 characters", "name")
    document["name"] = name.strip()
    status = document.get("lifecycleStatus")
    if status not in LIFECYCLE_STATUSES:
        raise InvalidInput(
            f"lifecycleStatus: one of {', '.join(LIFECYCLE_STATUSES)}", "lifecycleStatus"
        )
    period = document.get("validFor") or {}
    start, end = (
        _instant(period.get(k), "validFor." + k) for k in ("startDateTime", "endDateTime")
    )
    if start and end and end <= start:
        raise InvalidInput("validFor: ends before it starts", "validFor")
    ids = [s.get("id") for s in document.get("marketSegment") or []]
    if not all(isinstance(i, str) and 0 < len(i) <= 64 for i in ids) or len(set(ids)) != len(ids):
        raise InvalidInput("marketSegment: each names a segment id, used once", "marketSegment")
    for index, price in enumerate(document.get("productOfferingPrice") or []):
        _check_price(price, f"productOfferingPrice[{index}]")
    for index, related in enumerate(document.get("productOfferingRelationship") or []):
        _check_relationship(related, f"productOfferingRelationship[{index}]")
    document["@type"] = "ProductOffering"
    return document


def _check_price(price: dict, where: str) -> None:
    if price.get("@type") == "ProductOfferingPriceRef":
        return  # a price of the BSS's own, named by id
    if price.get("priceType") not in PRICE_TYPES:
        raise InvalidInput(f"{where}.priceType: one of {', '.join(PRICE_TYPES)}", where)
    money = price.get("price") or {}
    value, unit = money.get("value"), money.get("unit")
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"{where}.price.value: an amount of 0 or more", where)
    if not isinstance(unit, str) or not CURRENCY.fullmatch(unit):
        raise InvalidInput(f"{where}.price.unit: an ISO 4217 currency code, e.g. EUR", where)


def _check_relationship(related: dict, where: str) -> None:
    """A ``requires`` or ``excludes`` relationship names an offering by its id or BSS id."""
    if related.get("relationshipType") not in PRODUCT_RULES:
        return  # kept as sent; eligibility reads only these two
    offering = related.get("id")
    if not isinstance(offering, str) or not offering.strip() or len(offering) > 100:
        raise InvalidInput(
            f"{where}.id: the offering's id or BSS id, at most 100 characters", where
        )


def _external_id(document: dict) -> str | None:
    for identifier in document.get("externalIdentifier") or []:
        value = identifier.get("id")
        if isinstance(value, str) and value.strip():
            if len(value) > 100:
                raise InvalidInput("externalIdentifier.id: at most 100 characters")
            return value.strip()
    return None


def _instant(value, where: str = "validFor") -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}: a date and time, e.g. 2027-01-01T00:00:00Z", where) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{where}: needs a time zone offset (e.g. Z)", where)
    return moment


def order_item(row: ProductOffering) -> dict:
    """The TMF622 ProductOrderItem that adds the offering: the offering as the ordering
    system knows it (the BSS's id where it came from one) and its prices."""
    reference = {"@type": "ProductOfferingRef", "id": row.external_id or row.id, "name": row.name}
    prices = [
        {
            "@type": "OrderPrice",
            "name": price.get("name") or row.name,
            "priceType": price["priceType"],
            **(
                {"recurringChargePeriod": price["recurringChargePeriodType"]}
                if price.get("recurringChargePeriodType")
                else {}
            ),
            "price": {"@type": "Price", "taxIncludedAmount": price["price"]},
        }
        for price in row.document.get("productOfferingPrice") or []
        if price.get("@type") != "ProductOfferingPriceRef"
    ]
    item = {"@type": "ProductOrderItem", "id": "1", "action": "add", "quantity": 1}
    return {**item, "productOffering": reference, "itemPrice": prices}
