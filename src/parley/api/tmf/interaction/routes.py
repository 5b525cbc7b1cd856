"""TMF683 Party Interaction Management v5 mapped onto the interactions service."""

from functools import cache

from parley.api.tmf.interaction.fast_log import fast_log_route
from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Events, Resource
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import INTERACTION_DELETE, INTERACTION_READ, INTERACTION_WRITE
from parley.interactions import direct_log, projection
from parley.interactions.service import LIST_COLUMNS, RESOURCE, InteractionService

SPEC_FILE = "TMF683-PartyInteraction-v5.0.0.oas.yaml"


def interaction_resource() -> Resource:
    return Resource(
        name=RESOURCE,
        type_name="PartyInteraction",
        spec=load_spec(SPEC_FILE),
        collection=InteractionService,
        read_permission=INTERACTION_READ,
        write_permission=INTERACTION_WRITE,
        delete_permission=INTERACTION_DELETE,
        columns=LIST_COLUMNS,
        served=projection.present,
        # One statement on the event loop where the domain can (PostgreSQL, no look-ups), in
        # the one create served without dependency injection (fast_log.py: why, and how).
        create_direct=direct_log.log_interaction,
        create_route=fast_log_route,
        # Emitted as served (projection.present); TMF683 names the status event so.
        events=Events(state_change="StatusChange"),
    )


@cache
def api() -> TMFApi:
    resource = interaction_resource()
    return TMFApi(
        "TMF683", 5, "interaction_api_prefix", resource.spec, (resource,), INTERACTION_READ
    )
