"""TMF632 Party Management v5 mapped onto the parties service."""

from functools import partial

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import PARTY_READ, PARTY_WRITE
from parley.events.views import EventView
from parley.parties.collections import Parties
from parley.parties.service import PARTY_COLUMNS
from parley.settings import Settings

SPEC_FILE = "TMF632-PartyManagement-v5.0.0.oas.yaml"
EVENTS_API = "TMF632"


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
        read_permission=PARTY_READ,
        write_permission=PARTY_WRITE,
        collection=partial(Parties, kind=type_name),
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(_resource("individual", "Individual"), prefix))
    api.include_router(crud_router(_resource("organization", "Organization"), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, PARTY_READ, version=5))
    return api


def event_views(settings: Settings) -> list[EventView]:
    base = f"{settings.base_url}{settings.party_api_prefix}"
    return [
        EventView(EVENTS_API, name, name, type_name, dict, f"{base}/{name}", 5)
        for name, type_name in (("individual", "Individual"), ("organization", "Organization"))
    ]
