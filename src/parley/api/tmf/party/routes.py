"""TMF632 Party Management v5 mapped onto the parties service."""

from fastapi import APIRouter

from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.parties.service import PARTY_COLUMNS, PartyService

SPEC_FILE = "TMF632-PartyManagement-v5.0.0.oas.yaml"


def _resource(name: str, type_name: str) -> Resource:
    spec = load_spec(SPEC_FILE)
    scalar = spec.scalar_properties(type_name)
    return Resource(
        name=name,
        type_name=type_name,
        spec=spec,
        create_schema=f"{type_name}_FVO",
        patch_schema=f"{type_name}_MVO",
        filterable=(scalar | set(PARTY_COLUMNS)) - {"href"},
        get=lambda s, st, pid: PartyService(s, st).get_party(type_name, pid),
        list=lambda s, st, f, o, lim: PartyService(s, st).list_parties(type_name, f, o, lim),
        create=lambda s, st, doc: PartyService(s, st).create_party(type_name, doc),
        replace=lambda s, st, pid, doc: PartyService(s, st).replace_party(type_name, pid, doc),
        delete=lambda s, st, pid: PartyService(s, st).delete_party(type_name, pid),
        document=lambda row: row.document,
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(_resource("individual", "Individual"), prefix))
    api.include_router(crud_router(_resource("organization", "Organization"), prefix))
    return api
