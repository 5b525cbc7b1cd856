"""TMF632 Party Management v5 mapped onto the parties service."""

from functools import cache, partial

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import PARTY_READ, PARTY_WRITE
from parley.parties.collections import Parties
from parley.parties.service import PARTY_COLUMNS

SPEC_FILE = "TMF632-PartyManagement-v5.0.0.oas.yaml"


@cache
def api() -> TMFApi:
    spec = load_spec(SPEC_FILE)
    resources = tuple(
        Resource(
            name=name,
            type_name=kind,
            spec=spec,
            collection=partial(Parties, kind=kind),
            read_permission=PARTY_READ,
            write_permission=PARTY_WRITE,
            columns=PARTY_COLUMNS,
        )
        for name, kind in (("individual", "Individual"), ("organization", "Organization"))
    )
    return TMFApi("TMF632", 5, "party_api_prefix", spec, resources, PARTY_READ)
