"""TMF632 Party Management v5 mapped onto the parties service."""

from functools import cache, partial

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import PARTY_READ, PARTY_WRITE
from parley.parties.collections import Parties
from parley.parties.service import PARTY_COLUMNS

SPEC_FILE = "TMF632-PartyManagement-v5.0.0.oas.yaml"
KINDS = (("individual", "Individual"), ("organization", "Organization"))


@cache
def api() -> TMFApi:
    resources = tuple(party_resource(name, kind) for name, kind in KINDS)
    return TMFApi("TMF632", 5, "party_api_prefix", load_spec(SPEC_FILE), resources, PARTY_READ)


def party_resource(name: str, kind: str) -> Resource:
    """The individuals or the organisations, which TMF632 v4 serves too (in v4 shapes)."""
    return Resource(
        name=name,
        type_name=kind,
        spec=load_spec(SPEC_FILE),
        collection=partial(Parties, kind=kind),
        read_permission=PARTY_READ,
        write_permission=PARTY_WRITE,
        columns=PARTY_COLUMNS,
    )
