"""TMF666 Account Management v5 (``billingAccount``) mapped onto the billing account service.

A customer's own log-in sees, creates and changes (contacts only) the billing accounts of its
customer; the service enforces what self-service may change.
"""

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import ACCOUNT_READ, ACCOUNT_WRITE
from parley.events.views import EventView
from parley.parties.accounts.service import LIST_COLUMNS, RESOURCE, BillingAccountService, present
from parley.settings import Settings

SPEC_FILE = "TMF666-AccountManagement-v5.0.0.oas.yaml"
EVENTS_API = "TMF666"
OWNER_FILTER = "relatedParty.partyOrPartyRole.id"


def billing_account_resource() -> Resource:
    spec = load_spec(SPEC_FILE)
    return Resource(
        name="billingAccount",
        type_name="BillingAccount",
        spec=spec,
        create_schema="BillingAccount_FVO",
        patch_schema="BillingAccount_MVO",
        filterable=(spec.scalar_properties("BillingAccount") | set(LIST_COLUMNS) | {OWNER_FILTER})
        - {"href"},
        read_permission=ACCOUNT_READ,
        write_permission=ACCOUNT_WRITE,
        collection=BillingAccountService,
        served=present,
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(billing_account_resource(), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, ACCOUNT_READ, version=5))
    return api


def event_views(settings: Settings) -> list[EventView]:
    collection = f"{settings.base_url}{settings.account_api_prefix}/{RESOURCE}"
    return [EventView(EVENTS_API, RESOURCE, RESOURCE, "BillingAccount", dict, collection, 5)]
