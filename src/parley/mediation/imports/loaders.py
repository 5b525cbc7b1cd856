"""Loading a batch of rows of one kind, through the domains' services, in the runner's unit of
work: each row checked with the rules the API applies (its shape, then the service's rules,
with the same messages), the good ones written, the others returned as row errors.

Interactions go in bulk: each row is built by ``InteractionService.new_interaction`` (the
interaction, its audit line and its event, as one logged through TMF683 would be) without
writing, then the batch is written with one executemany per statement. Customers go one by
one through ``PartyService`` (the duplicate check reads what the rows before made), each in a
savepoint, so that a refused row leaves nothing behind.
"""

from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from parley.changes import UnitOfWork
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


@dataclass
class Loaded:
    loaded: int
    errors: list[RowError]


class Loader(Protocol):
    def load(self, uow: UnitOfWork, rows: list[Row]) -> Loaded: ...


def loader_for(kind: str, import_id: str | None, file_name: str, force: bool) -> "Loader":
    if kind == INTERACTIONS:
        return InteractionLoader(import_id, file_name)
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
    def __init__(self, import_id: str | None, file_name: str):
        self.import_id, self.file_name = import_id, file_name

    def provenance(self, number: int, item: InteractionRow) -> str:
        external = f" (their id {item.externalId})" if item.externalId else ""
        import_id = self.import_id or "dry run"
        return f"Imported from {self.file_name}, row {number} (import {import_id}){external}"

    def load(self, uow: UnitOfWork, rows: list[Row]) -> Loaded:
        good, errors = checked(rows, InteractionRow)
        region = uow.options(ImportOptions).phone_region
        named = [item.customer.id for _, item in good if item.customer.id is not None]
        known = existing_customer_ids(uow.session, named)
        service = InteractionService(uow)
        made: list[tuple[int, NewInteraction]] = []
        for number, item in good:
            try:
                customer_id = self._customer(uow, item, known, region)
                document = interaction_document(item, customer_id, self.provenance(number, item))
                made.append((number, service.new_interaction(document)))
            except DomainError as error:
                errors.append(refused(number, error))
        try:
            with uow.session.begin_nested():
                service.create_many([new for _, new in made])
        except IntegrityError:  # a customer deleted meanwhile: row by row, to say which
            made = self._one_by_one(uow, made, errors)
        errors.sort(key=lambda error: error.row)
        return Loaded(len(made), errors)

    @staticmethod
    def _customer(uow, item: InteractionRow, known: set[str], region: str) -> str:
        ref = item.customer
        if ref.id is None:
            return resolve_customer(uow, ref, region)
        if ref.id not in known:  # resolve_customer's words, without a query per row
            raise InvalidInput(f"customer.id: no customer with id {ref.id}", "customer.id")
        return ref.id

    @staticmethod
    def _one_by_one(uow, made, errors) -> list:
        service, kept = InteractionService(uow), []
        for number, new in made:
            try:
                with uow.session.begin_nested():
                    service.create_many([new])
                kept.append((number, new))
            except IntegrityError:
                errors.append(refused(number, new.subject.unknown_customer()))
        return kept


class CustomerLoader:
    def __init__(self, force: bool):
        self.force = force  # create despite likely duplicates (the API's ?force=true)

    def load(self, uow: UnitOfWork, rows: list[Row]) -> Loaded:
        good, errors = checked(rows, CustomerRow)
        region = uow.options(ImportOptions).phone_region
        parties, loaded = PartyService(uow), 0
        for number, item in good:
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
