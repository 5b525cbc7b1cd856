"""TMF683 Party Interaction v4: the interactions of v5, in v4 shapes.

An integrator on v4 and one on v5 see the same interactions. As lenient as the v4 conformance
kit: a create needs only ``channel``, ``direction`` and ``reason`` (the swagger also lists
``interactionDate`` and ``status``, which the kit does not send), a channel or related party
needs only its ``id``, and "inbounds"/"outbounds" are read as inbound/outbound (kept as sent in
the document).
"""

import copy
from dataclasses import replace
from functools import cache

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.interaction.fast_log import fast_log_route
from parley.api.tmf.interaction.routes import interaction_resource
from parley.api.tmf.interaction_v4.mapping import to_v4, to_v5
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import Spec, load_spec_requiring
from parley.auth.permissions import INTERACTION_READ
from parley.events.views import EventView
from parley.interactions import direct_log, projection
from parley.interactions.service import LIST_COLUMNS, RESOURCE, InteractionService
from parley.settings import Settings

SPEC_FILE = "TMF683-PartyInteraction-v4.0.0.swagger.json"
EVENTS_API = "TMF683v4"
# What the conformance profile makes mandatory, where the swagger asks for more.
LENIENT_REQUIRED = {
    "PartyInteraction_Create": ["channel", "direction", "reason"],
    "RelatedChannel": ["id"],
    "RelatedParty": ["id"],
}


@cache
def lenient_spec() -> Spec:
    """Built once: the app's /docs and the router both use it."""
    return load_spec_requiring(SPEC_FILE, LENIENT_REQUIRED)


def interaction_v4_resource() -> Resource:
    """The v5 resource with v4's spec and shapes: the same store, permissions and rules."""
    spec = lenient_spec()
    return replace(
        interaction_resource(),
        spec=spec,
        create_schema="PartyInteraction_Create",
        patch_schema="PartyInteraction_Update",
        filterable=spec.scalar_properties("PartyInteraction") | set(LIST_COLUMNS),
        collection=InteractionsV4,
        create_direct=lambda uow, doc: direct_log.log_interaction(uow, _stored(doc), lenient=True),
        stored=lambda row: to_v4(row.document),
        served=lambda row: to_v4(projection.present(row)),
    )


class InteractionsV4(InteractionService):
    """v4 documents in and out; the v5 ones stored."""

    def create(self, document: dict):
        return super().create(_stored(document), lenient=True)

    def replace(self, interaction_id: str, document: dict):
        return super().replace(interaction_id, _stored(document))


def _stored(v4_document: dict) -> dict:
    document = copy.deepcopy(v4_document)
    for server_field in ("creationDate", "statusChangeDate"):
        document.pop(server_field, None)
    return to_v5(document)


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    resource = interaction_v4_resource()
    # The one create served without dependency injection (interaction/fast_log.py).
    api.include_router(crud_router(resource, prefix, fast_log_route(resource)))
    api.include_router(hub_router(EVENTS_API, prefix, INTERACTION_READ, version=4))
    return api


def event_views(settings: Settings) -> list[EventView]:
    collection = f"{settings.base_url}{settings.interaction_v4_api_prefix}/{RESOURCE}"
    return [
        EventView(
            EVENTS_API,
            RESOURCE,
            RESOURCE,
            "PartyInteraction",
            to_v4,
            collection,
            4,
            state_change="StatusChange",
        )
    ]
