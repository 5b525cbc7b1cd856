"""Customers and parties as collections: the operations every TMF collection names (get,
find, create, replace, delete), over the parties service."""

from parley.changes import UnitOfWork
from parley.db.repository import Page, Reader
from parley.parties.models import Customer, Party
from parley.parties.service import PartyService


class Customers:
    def __init__(self, uow: UnitOfWork):
        self.parties = PartyService(uow)

    def get(self, customer_id: str, reader: Reader | None = None) -> Customer:
        return self.parties.get_customer(customer_id, reader)

    def find(self, page: Page, reader: Reader | None = None) -> tuple[list, int]:
        """A list page's rows: only shown, so read-only tuples of the customer's columns."""
        return self.parties.find_customers(page, reader, read_only=True)

    def create(self, document: dict, force: bool = False) -> Customer:
        return self.parties.create_customer(document, force=force)

    def replace(self, customer_id: str, document: dict) -> Customer:
        return self.parties.replace_customer(customer_id, document)

    def delete(self, customer_id: str) -> None:
        self.parties.delete_customer(customer_id)


class Parties:
    """The individuals or the organisations (``kind``)."""

    def __init__(self, uow: UnitOfWork, kind: str):
        self.parties, self.kind = PartyService(uow), kind

    def get(self, party_id: str, reader: Reader | None = None) -> Party:
        return self.parties.get_party(self.kind, party_id, reader)

    def find(self, page: Page, reader: Reader | None = None) -> tuple[list[Party], int]:
        return self.parties.find_parties(self.kind, page, reader)

    def create(self, document: dict) -> Party:
        return self.parties.create_party(self.kind, document)

    def replace(self, party_id: str, document: dict) -> Party:
        return self.parties.replace_party(self.kind, party_id, document)

    def delete(self, party_id: str) -> None:
        self.parties.delete_party(self.kind, party_id)
