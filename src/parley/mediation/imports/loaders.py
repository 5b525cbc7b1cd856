"""Loading a batch of rows of one kind, through the domains' services, in the runner's unit of
work: each row checked with the rules the API applies (its shape, then the service's rules,
with the same messages), the good ones written, the others returned as row errors.

Interactions go in bulk: each row is built by ``InteractionService.new_interaction`` (the
interaction, its audit line and its event, as one logged through TMF683 would be) without
writing, then the batch is written together (``create_many``: a COPY per table on
PostgreSQL). Customers go one by
one through ``PartyService`` (the duplicate check reads what the rows before made), each in a
savepoint, so that a refused row leaves nothing behind.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.db.base import is_parley_id
from parley.errors import DomainError, InvalidInput
from parley.interactions.service import InteractionService, NewInteraction
from parley.mediation.commands import interaction_document
from parley.mediation.imports.models import CUSTOMERS, INTERACTIONS
from parley.mediation.imports.options import ImportOptions
from parley.mediation.imports.reader import Row, RowError
from parley.mediation.imports.schemas import CustomerRow, InteractionRow, columns
from parley.mediation.profile import invalid
from parley.mediation.references import resolve_customer
from parley.parties.contact_change import new_media
from parley.parties.service import PartyService, existing_customer_ids

if TYPE_CHECKING:
    from parley.settings import Settings


@dataclass
class Loaded:
    loaded: int
    errors: list[RowError]


@dataclass
class Prepared:
    """A batch as far as it is made without the database: its rows checked and built."""

    items: list
    errors: list[RowError]


class Loader(Protocol):
    def prepare(self, rows: list[Row]) -> Prepared: ...

    def write(self, uow: UnitOfWork, prepared: Prepared) -> Loaded: ...


def loader_for(
    kind: str,
    import_id: str | None,
    file_name: str,
    force: bool,
    settings: "Settings",
    actor: Actor,
) -> "Loader":
    if kind == INTERACTIONS:
        return InteractionLoader(import_id, file_name, settings, actor)
    assert kind == CUSTOMERS
    return CustomerLoader(force)


def columns_of(kind: str) -> list[str]:
    return columns(InteractionRow if kind == INTERACTIONS else CustomerRow)


def refused(row: int, error: DomainError) -> RowError:
    return RowError(row, error.field, error.message)


def checked(rows: list[Row], shape) -> tuple[list[tuple[int, object]], list[RowError]]:
    good, errors = [], []
    for row in rows:
        if row.error is not None:
            errors.append(row.error)
            continue
        try:
            good.append((row.number, shape.model_validate(row.values)))
        except ValidationError as error:
            errors.append(refused(row.number, invalid(error)))
    return good, errors


class InteractionLoader:
    """``prepare`` builds each row naming its customer by id completely (checked, its rows
    made by ``new_interaction`` on a unit of work bound to no database: it reads nothing), so
    that a thread of its own can prepare a batch while the previous one is written; ``write``
    checks those customers exist (one query), resolves the customers named otherwise (the
    reads a partner message's would make), and writes the batch."""

    def __init__(self, import_id: str | None, file_name: str, settings, actor: Actor):
        self.import_id, self.file_name = import_id, file_name
        self.settings, self.actor = settings, actor

    def provenance(self, number: int, item: InteractionRow) -> str:
        external = f" (their id {item.externalId})" if item.externalId else ""
        import_id = self.import_id or "dry run"
        return f"Imported from {self.file_name}, row {number} (import {import_id}){external}"

    def prepare(self, rows: list[Row]) -> Prepared:
        good, errors = checked(rows, InteractionRow)
        offline = InteractionService(UnitOfWork(Session(), self.settings, self.actor))
        items = []
        for number, item in good:
            if item.customer.id is None:  # resolved by ``write``
                items.append((number, item, None))
                continue
            if not is_parley_id(item.customer.id):
                # An import names Parley's customers (another system's are a matter for the
                # API's external references, not for a bulk load): refused, as the API
                # refused them before it kept such references.
                where = "customer.id"
                error = InvalidInput(f"{where}: no customer with id {item.customer.id}", where)
                errors.append(refused(number, error))
                continue
            document = interaction_document(item, item.customer.id, self.provenance(number, item))
            try:
                items.append((number, item, offline.new_interaction(document)))
            except DomainError as error:
                errors.append(refused(number, error))
        return Prepared(items, errors)

    def write(self, uow: UnitOfWork, prepared: Prepared) -> Loaded:
        errors = list(prepared.errors)
        region = uow.options(ImportOptions).phone_region
        named = [item.customer.id for _, item, new in prepared.items if new is not None]
        known = existing_customer_ids(uow.session, named)
        service = InteractionService(uow)
        made: list[tuple[int, NewInteraction, bool]] = []  # (row, interaction, built offline)
        for number, item, new in prepared.items:
            try:
                if new is None:
                    customer_id = resolve_customer(uow, item.customer, region)
                    document = interaction_document(
                        item, customer_id, self.provenance(number, item)
                    )
                    made.append((number, service.new_interaction(document), False))
                elif item.customer.id not in known:  # resolve_customer's words
                    where = "customer.id"
                    raise InvalidInput(f"{where}: no customer with id {item.customer.id}", where)
                else:
                    made.append((number, new, True))
            except DomainError as error:
                errors.append(refused(number, error))
        try:
            self._insert(uow, service, made)
        except IntegrityError:  # a customer deleted meanwhile: row by row, to say which
            made = self._one_by_one(uow, service, made, errors)
        errors.sort(key=lambda error: error.row)
        return Loaded(len(made), errors)

    @staticmethod
    def _insert(uow: UnitOfWork, service: InteractionService, made: list) -> None:
        with uow.session.begin_nested():  # its events forgotten if it is rolled back
            for _, new, offline in made:
                if offline:
                    uow.carry(new.rows)
            service.create_many([new for _, new, _ in made])

    @classmethod
    def _one_by_one(cls, uow, service, made, errors) -> list:
        kept = []
        for entry in made:
            try:
                cls._insert(uow, service, [entry])
                kept.append(entry)
            except IntegrityError:
                errors.append(refused(entry[0], entry[1].subject.unknown_customer()))
        return kept


class CustomerLoader:
    """One by one through ``PartyService`` (the duplicate check reads what the rows before
    made): ``prepare`` only checks the rows' shape."""

    def __init__(self, force: bool):
        self.force = force  # create despite likely duplicates (the API's ?force=true)

    def prepare(self, rows: list[Row]) -> Prepared:
        return Prepared(*checked(rows, CustomerRow))

    def write(self, uow: UnitOfWork, prepared: Prepared) -> Loaded:
        errors = list(prepared.errors)
        region = uow.options(ImportOptions).phone_region
        parties, loaded = PartyService(uow), 0
        for number, item in prepared.items:
            try:
                with uow.session.begin_nested():
                    self._create(parties, item, region)
                loaded += 1
            except DomainError as error:
                errors.append(refused(number, error))
        errors.sort(key=lambda error: error.row)
        return Loaded(loaded, errors)

    def _create(self, parties: PartyService, item: CustomerRow, region: str) -> None:
        details = item.contact.model_dump(exclude_none=True) if item.contact else {}
        person: dict = {
            "@type": "Individual",
            "givenName": item.givenName,
            "familyName": item.familyName,
            "contactMedium": new_media(details, region, "contact"),
        }
        if item.birthDate is not None:
            person["birthDate"] = item.birthDate.isoformat()
        party = parties.create_party("Individual", person)
        customer: dict = {
            "@type": "Customer",
            "engagedParty": {"@type": "PartyRef", "id": party.id, "@referredType": "Individual"},
        }
        for key, value in (("name", item.name), ("status", item.status)):
            if value is not None:
                customer[key] = value
        if item.account is not None:
            customer["account"] = [{"@type": "AccountRef", "id": item.account}]
        parties.create_customer(customer, force=self.force)
