"""TMF699 Sales Management v4 (``salesLead``) mapped onto the leads service.

The v4 swagger's lifecycle (acknowledged, inProgress, accepted, pending, rejected, cancelled)
is read with Parley's: ``qualified`` and ``converted`` are added to the status values; a lead is
converted through Parley's API (``/api/v1/sales-leads/{id}/conversion``), which makes the
customer and its billing account at once. A create runs the duplicate check: likely duplicates
answer 409 unless ``?force=true`` (recorded on the lead and in the audit trail).
"""

import json
from functools import cache

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import SPEC_DIR, Spec
from parley.auth.permissions import LEAD_READ, LEAD_WRITE
from parley.events.views import EventView
from parley.leads import document as lead_document
from parley.leads.models import STATUSES
from parley.leads.service import LIST_COLUMNS, RESOURCE, LeadService
from parley.settings import Settings

SPEC_FILE = "TMF699-Sales-v4.0.0.swagger.json"
EVENTS_API = "TMF699"


@cache
def lenient_spec() -> Spec:
    with open(SPEC_DIR / SPEC_FILE, encoding="utf-8") as handle:
        document = json.load(handle)
    document["definitions"]["SalesLeadStateType"]["enum"] = list(STATUSES)
    # A merge-patched lead is checked whole against the create schema: it has a status.
    document["definitions"]["SalesLead_Create"]["properties"]["status"] = {
        "$ref": "#/definitions/SalesLeadStateType"
    }
    return Spec(document)


def sales_lead_resource() -> Resource:
    spec = lenient_spec()
    return Resource(
        name="salesLead",
        type_name="SalesLead",
        spec=spec,
        create_schema="SalesLead_Create",
        patch_schema="SalesLead_Update",
        filterable=(spec.scalar_properties("SalesLead") | set(LIST_COLUMNS)) - {"href"},
        read_permission=LEAD_READ,
        write_permission=LEAD_WRITE,
        collection=LeadService,
        served=lead_document.present,
        create_flags=("force",),
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(sales_lead_resource(), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, LEAD_READ, version=4))
    return api


def event_views(settings: Settings) -> list[EventView]:
    collection = f"{settings.base_url}{settings.sales_api_prefix}/{RESOURCE}"
    return [EventView(EVENTS_API, RESOURCE, RESOURCE, "SalesLead", dict, collection, 4)]
