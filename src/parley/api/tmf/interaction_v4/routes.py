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

from parley.api.tmf.interaction.routes import interaction_resource
from parley.api.tmf.interaction_v4.mapping import to_v4, to_v5
from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Events
from parley.api.tmf.kit.spec import load_spec_requiring
from parley.auth.permissions import INTERACTION_READ
from parley.interactions import direct_log, projection
from parley.interactions.service import V4_LIST_COLUMNS, InteractionService

SPEC_FILE = "TMF683-PartyInteraction-v4.0.0.swagger.json"
# What the conformance profile makes mandatory, where the swagger asks for more.
LENIENT_REQUIRED = {
    "PartyInteraction_Create": ["channel", "direction", "reason"],
    "RelatedChannel": ["id"],
    "RelatedParty": ["id"],
}


@cache
def api() -> TMFApi:
    """The v5 resource with v4's spec and shapes: the same store, permissions and rules."""
    spec = load_spec_requiring(SPEC_FILE, LENIENT_REQUIRED)
    resource = replace(
        interaction_resource(),
        spec=spec,
        collection=InteractionsV4,
        create_direct=lambda uow, doc: direct_log.log_interaction(uow, _stored(doc), lenient=True),
        stored=lambda row: to_v4(row.document),
        columns=V4_LIST_COLUMNS,
        document_paths=False,  # v5 documents are stored
        served=lambda row: to_v4(projection.present(row)),
        events=Events(render=to_v4, state_change="StatusChange"),
    )
    return TMFApi("TMF683v4", 4, "interaction_v4_api_prefix", spec, (resource,), INTERACTION_READ)


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
