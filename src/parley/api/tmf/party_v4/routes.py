"""TMF632 Party Management v4: the individuals and organisations of v5, in v4 shapes
(mapping.py), with the same rules, permissions, filters and events."""

from dataclasses import replace
from functools import cache

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Events, Resource
from parley.api.tmf.kit.spec import Spec
from parley.api.tmf.party.routes import KINDS, party_resource
from parley.api.tmf.party_v4.mapping import party_mapping, v4_spec
from parley.auth.permissions import PARTY_READ
from parley.changes import UnitOfWork
from parley.db.repository import Page, Reader
from parley.parties.collections import Parties
from parley.parties.models import Party
from parley.parties.service import PARTY_COLUMNS, TRADING_NAME

# v4 requires an organisation's trading name and shows its name where it has none: a list
# filters on it as shown.
COLUMNS = {
    "Individual": PARTY_COLUMNS,
    "Organization": {**PARTY_COLUMNS, "tradingName": TRADING_NAME},
}


@cache
def api() -> TMFApi:
    spec = v4_spec()
    resources = tuple(_resource(name, kind, spec) for name, kind in KINDS)
    return TMFApi("TMF632v4", 4, "party_v4_api_prefix", spec, resources, PARTY_READ)


def _resource(name: str, kind: str, spec: Spec) -> Resource:
    mapping = party_mapping(kind)
    return replace(
        party_resource(name, kind),
        spec=spec,
        collection=lambda uow: PartiesV4(uow, kind),
        columns=COLUMNS[kind],
        stored=lambda row: mapping.to_v4(row.document),
        document_paths=False,  # v5 documents are stored
        events=Events(render=mapping.to_v4),
    )


class PartiesV4(Parties):
    """v4 documents in and out; the v5 ones stored."""

    def __init__(self, uow: UnitOfWork, kind: str):
        super().__init__(uow, kind)
        self.mapping = party_mapping(kind)

    def find(self, page: Page, reader: Reader | None = None) -> tuple[list[Party], int]:
        v5_page = self.mapping.page(page)
        return self.parties.find_parties(self.kind, v5_page, reader, COLUMNS[self.kind])

    def create(self, document: dict) -> Party:
        with self.mapping.explained():
            return super().create(self.mapping.to_v5(document))

    def replace(self, party_id: str, document: dict) -> Party:
        current = self.get(party_id).document
        with self.mapping.explained():
            return super().replace(party_id, self.mapping.replaced(current, document))
