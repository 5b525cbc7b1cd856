"""The TMF APIs Parley serves, each described by a ``TMFApi`` (kit/api.py) in its module.

``tmf_apis()`` lists them in the order the app mounts them (routes are matched one by one:
the busiest, logging interactions, first). The composition root (parley.wiring) makes their
event views a source of the events domain's views (``event_views``): the app and every worker
load them, so a worker renders the events it fans out the way the APIs serve the resources.

A new API: describe it in its module and add it here.
"""

from fastapi import APIRouter

from parley.api.tmf.account import routes as account
from parley.api.tmf.communication import routes as communication
from parley.api.tmf.customer import routes as customer
from parley.api.tmf.customer_v4 import routes as customer_v4
from parley.api.tmf.event import routes as event
from parley.api.tmf.interaction import routes as interaction
from parley.api.tmf.interaction_v4 import routes as interaction_v4
from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.spec import Spec, load_spec
from parley.api.tmf.party import routes as party
from parley.api.tmf.party_v4 import routes as party_v4
from parley.api.tmf.product_catalog import routes as product_catalog
from parley.api.tmf.roles import routes as roles
from parley.api.tmf.sales import routes as sales
from parley.api.tmf.trouble_ticket import routes as trouble_ticket
from parley.events.views import EventView
from parley.settings import Settings

_MODULES = (
    interaction,
    interaction_v4,
    party,
    customer,
    party_v4,
    customer_v4,
    roles,
    communication,
    account,
    sales,
    trouble_ticket,
    product_catalog,
)


def tmf_apis() -> list[TMFApi]:
    return [module.api() for module in _MODULES]


def event_views(settings: Settings) -> list[EventView]:
    """Every API's, and TMF688's (every resource's events on one hub)."""
    apis = tmf_apis()
    own = [view for api in apis for view in api.event_views(settings)]
    return own + event.event_views(apis, settings)


def event_router(settings: Settings) -> APIRouter:
    """TMF688 Event: the domain event store and its hub, over the other APIs' events."""
    return event.router(tmf_apis(), settings)


def event_spec() -> Spec:
    return load_spec(event.SPEC_FILE)
