"""Every TMF API's view of its resources' events, for the fan-out (events.views).

Each API module says how it shows its resources (``event_views(settings)``) and mounts its hub
(api.tmf.hub). The composition root (parley.wiring) makes ``event_views`` a source of the
events domain's views: the app and every worker load them, so a worker renders the events it
fans out the way the APIs serve the resources.

A new API with events: give its module an ``event_views(settings)``, add the module to
``_APIS`` here, and include ``hub_router(...)`` in its router.
"""

from parley.api.tmf.account import routes as account_api
from parley.api.tmf.communication import routes as communication_api
from parley.api.tmf.customer import routes as customer_api
from parley.api.tmf.interaction import routes as interaction_api
from parley.api.tmf.interaction_v4 import routes as interaction_v4_api
from parley.api.tmf.party import routes as party_api
from parley.api.tmf.roles import routes as roles_api
from parley.api.tmf.sales import routes as sales_api
from parley.api.tmf.trouble_ticket import routes as trouble_ticket_api
from parley.events.views import EventView
from parley.settings import Settings

_APIS = (
    party_api,
    customer_api,
    interaction_api,
    interaction_v4_api,
    roles_api,
    sales_api,
    account_api,
    communication_api,
    trouble_ticket_api,
)


def event_views(settings: Settings) -> list[EventView]:
    return [view for module in _APIS for view in module.event_views(settings)]
