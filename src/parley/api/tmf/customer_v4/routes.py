"""TMF629 Customer Management v4: the customers of v5, in v4 shapes (mapping.py).

An integrator on v4 and one on v5 see the same customers, with the same rules (customer
numbers, the duplicate check and ``?force=true``, the status lifecycle, external references),
permissions, filters and events.
"""

from dataclasses import replace
from functools import cache

from parley.api.tmf.customer.routes import customer_resource
from parley.api.tmf.customer_v4.mapping import customer_mapping, v4_spec
from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Events
from parley.auth.permissions import CUSTOMER_READ
from parley.changes import UnitOfWork
from parley.db.repository import Page, Reader
from parley.parties.collections import Customers
from parley.parties.models import Customer


@cache
def api() -> TMFApi:
    spec = v4_spec()
    mapping = customer_mapping()
    resource = replace(
        customer_resource(),
        spec=spec,
        collection=CustomersV4,
        stored=lambda row: mapping.to_v4(row.document),
        document_paths=False,  # v5 documents are stored
        events=Events(render=mapping.to_v4),
    )
    return TMFApi("TMF629v4", 4, "customer_v4_api_prefix", spec, (resource,), CUSTOMER_READ)


class CustomersV4(Customers):
    """v4 documents in and out; the v5 ones stored."""

    def __init__(self, uow: UnitOfWork):
        super().__init__(uow)
        self.mapping = customer_mapping()

    def find(self, page: Page, reader: Reader | None = None) -> tuple[list[Customer], int]:
        return super().find(self.mapping.page(page), reader)

    def create(self, document: dict, force: bool = False) -> Customer:
        with self.mapping.explained():
            return super().create(self.mapping.to_v5(document), force=force)

    def replace(self, customer_id: str, document: dict) -> Customer:
        current = self.get(customer_id).document
        with self.mapping.explained():
            return super().replace(customer_id, self.mapping.replaced(current, document))
