"""TMF683 Party Interaction Management v5 mapped onto the interactions service."""

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.interaction.fast_log import fast_log_route
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import INTERACTION_DELETE, INTERACTION_READ, INTERACTION_WRITE
from parley.events.views import EventView
from parley.interactions import direct_log, projection
from parley.interactions.service import LIST_COLUMNS, RESOURCE, InteractionService
from parley.settings import Settings

SPEC_FILE = "TMF683-PartyInteraction-v5.0.0.oas.yaml"
EVENTS_API = "TMF683"


def interaction_resource() -> Resource:
    spec = load_spec(SPEC_FILE)
    return Resource(
        name="partyInteraction",
        type_name="PartyInteraction",
        spec=spec,
        create_schema="PartyInteraction_FVO",
        patch_schema="PartyInteraction_MVO",
        filterable=spec.scalar_properties("PartyInteraction") | set(LIST_COLUMNS),
        read_permission=INTERACTION_READ,
        write_permission=INTERACTION_WRITE,
        delete_permission=INTERACTION_DELETE,
        collection=InteractionService,
        # One statement on the event loop where the domain can (PostgreSQL, no look-ups).
        create_direct=direct_log.log_interaction,
        served=projection.present,
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    resource = interaction_resource()
    # The one create served without dependency injection (fast_log.py: why, and how).
    api.include_router(crud_router(resource, prefix, fast_log_route(resource)))
    api.include_router(hub_router(EVENTS_API, prefix, INTERACTION_READ, version=5))
    return api


def event_views(settings: Settings) -> list[EventView]:
    collection = f"{settings.base_url}{settings.interaction_api_prefix}/{RESOURCE}"
    return [
        EventView(
            EVENTS_API,
            RESOURCE,
            RESOURCE,
            "PartyInteraction",
            dict,  # the emitted document is the v5 one as served (projection.present)
            collection,
            5,
            state_change="StatusChange",  # TMF683 names it so
        )
    ]
