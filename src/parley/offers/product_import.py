"""Importing the products customers hold from the BSS (``parley offers import-products``): a CSV
file or a JSON array of rows with the columns below, so that eligibility (an offering that
requires or excludes a product) knows what customers had before Parley ordered anything.

A row names the customer (its id or customer number), the offering (Parley's id or the BSS id;
one the catalogue does not have needs a ``name``), the status and when it started; a product
already imported (same customer, offering and start) is updated, a new one created. Every row
is checked; when any is wrong nothing is imported and each problem is told with its row.
"""

from dataclasses import dataclass
from datetime import datetime

from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import ID_LENGTH, storable_id, utcnow
from parley.db.repository import Page
from parley.errors import DomainError, NotFound
from parley.offers.catalogue import OfferCatalogue
from parley.offers.importing import read_rows, take_all_or_none
from parley.offers.models import PRODUCT_STATUSES, CustomerProduct
from parley.offers.products import RESOURCE, served_product
from parley.offers.repository import OfferRepository
from parley.parties.service import CUSTOMER_NUMBER_CHARACTERISTIC, PartyService

COLUMNS = (
    "customer",  # the customer's id or customer number (required)
    "offering",  # the offering's id or BSS id (required)
    "name",  # required when the catalogue has no such offering
    "status",  # active (default), suspended or terminated
    "startDate",  # ISO 8601 with a zone (required)
    "endDate",
)


@dataclass(frozen=True)
class ProductsImported:
    created: int
    updated: int


class ProductImport:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = OfferRepository(uow.session)
        self.catalogue = OfferCatalogue(uow)
        self.parties = PartyService(uow)

    def run(self, text: str, filename: str) -> ProductsImported:
        """Import every row, or none (ImportFailed naming each wrong row)."""
        rows = read_rows(text, filename, COLUMNS, "products")
        counts = take_all_or_none(self.uow, rows, self._take)
        return ProductsImported(counts["created"], counts["updated"])

    def _take(self, row) -> str:
        if not isinstance(row, dict):
            raise DomainError("an object is expected")
        given = {k: (str(v).strip() if v is not None else "") for k, v in row.items()}
        unknown = sorted(set(given) - set(COLUMNS))
        if unknown:
            raise DomainError(f"{unknown[0]}: not a column; the columns: {', '.join(COLUMNS)}")
        missing = [c for c in ("customer", "offering", "startDate") if not given.get(c)]
        if missing:
            raise DomainError(f"{', '.join(missing)}: required")
        customer_id = self._customer(given["customer"])
        offering = self.catalogue.ordered(given["offering"])
        name = given.get("name") or (offering.name if offering else "")
        if not name or len(name) > 200:
            raise DomainError("name: required (at most 200 characters) for an offering "
                              "the catalogue does not have")  # fmt: skip
        status = given.get("status") or "active"
        if status not in PRODUCT_STATUSES:
            raise DomainError(f"status: one of {', '.join(PRODUCT_STATUSES)}")
        started = _instant(given["startDate"], "startDate")
        ended = _instant(given["endDate"], "endDate") if given.get("endDate") else None
        if ended is not None and ended <= started:
            raise DomainError("endDate: after startDate")
        ref = (offering.external_id or offering.id) if offering else given["offering"][:100]
        product = self.repo.product_like(customer_id, ref, started)
        now, action = utcnow(), UPDATE
        before = served_product(product) if product else None
        if product is None:
            action = CREATE
            product = CustomerProduct(
                customer_id=customer_id, offering_ref=ref, started_at=started, created_at=now
            )
        product.offering_id = offering.id if offering else None
        product.name, product.status, product.ended_at = name, status, ended
        product.updated_at = now
        self.repo.add(product)
        after = served_product(product)
        self.uow.record(RESOURCE, action, product.id, before=before, after=after)
        return "created" if action == CREATE else "updated"

    def _customer(self, named: str) -> str:
        if storable_id(named, ID_LENGTH):
            try:
                return self.parties.get_customer(named).id
            except NotFound:
                pass
        page = Page({CUSTOMER_NUMBER_CHARACTERISTIC: named}, 0, 1)
        found, _total = self.parties.find_customers(page)
        if not found:
            raise DomainError(f"customer: no customer with id or number {named}")
        return found[0].id


def _instant(value: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(f"{where}: a date and time, e.g. 2026-01-01T00:00:00Z") from None
    if moment.tzinfo is None:
        raise DomainError(f"{where}: needs a time zone offset (e.g. Z)")
    return moment
