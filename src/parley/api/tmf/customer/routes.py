"""TMF629 Customer Management v5 mapped onto the parties service.

A create runs the duplicate check: likely existing customers or open leads answer 409
``DUPLICATE_SUSPECTED`` unless ``?force=true`` (recorded in the audit trail)."""

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import CUSTOMER_READ, CUSTOMER_WRITE
from parley.events.views import EventView
from parley.parties.collections import Customers
from parley.parties.service import CUSTOMER_COLUMNS
from parley.settings import Settings

SPEC_FILE = "TMF629-CustomerManagement-v5.0.1.oas.yaml"
EVENTS_API = "TMF629"


def customer_resource() -> Resource:
    spec = load_spec(SPEC_FILE)
    return Resource(
        name="customer",
        type_name="Customer",
        spec=spec,
        create_schema="Customer_FVO",
        patch_schema="Customer_MVO",
        filterable=(spec.scalar_properties("Customer") | set(CUSTOMER_COLUMNS)) - {"href"},
        read_permission=CUSTOMER_READ,
        write_permission=CUSTOMER_WRITE,
        collection=Customers,
        create_flags=("force",),
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(customer_resource(), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, CUSTOMER_READ, version=5))
    return api


def event_views(settings: Settings) -> list[EventView]:
    collection = f"{settings.base_url}{settings.customer_api_prefix}/customer"
    return [EventView(EVENTS_API, "customer", "customer", "Customer", dict, collection, 5)]
