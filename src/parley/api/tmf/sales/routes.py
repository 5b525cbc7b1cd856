"""TMF699 Sales Management v4 (``salesLead``) mapped onto the leads service.

The v4 swagger's lifecycle (acknowledged, inProgress, accepted, pending, rejected, cancelled)
is read with Parley's: ``qualified`` and ``converted`` are added to the status values; a lead is
converted through Parley's API (``/api/v1/sales-leads/{id}/conversion``), which makes the
customer and its billing account at once. A create runs the duplicate check: likely duplicates
answer 409 unless ``?force=true`` (recorded on the lead and in the audit trail).
"""

import json
from functools import cache

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import SPEC_DIR, Spec
from parley.auth.permissions import LEAD_READ, LEAD_WRITE
from parley.leads import document as lead_document
from parley.leads.models import STATUSES
from parley.leads.service import LIST_COLUMNS, RESOURCE, LeadService

SPEC_FILE = "TMF699-Sales-v4.0.0.swagger.json"


def _lenient_spec() -> Spec:
    with open(SPEC_DIR / SPEC_FILE, encoding="utf-8") as handle:
        document = json.load(handle)
    document["definitions"]["SalesLeadStateType"]["enum"] = list(STATUSES)
    # A merge-patched lead is checked whole against the create schema: it has a status.
    document["definitions"]["SalesLead_Create"]["properties"]["status"] = {
        "$ref": "#/definitions/SalesLeadStateType"
    }
    return Spec(document)


@cache
def api() -> TMFApi:
    spec = _lenient_spec()
    lead = Resource(
        name=RESOURCE,
        type_name="SalesLead",
        spec=spec,
        collection=LeadService,
        read_permission=LEAD_READ,
        write_permission=LEAD_WRITE,
        columns=LIST_COLUMNS,
        served=lead_document.present,
        create_flags=("force",),
    )
    return TMFApi("TMF699", 4, "sales_api_prefix", spec, (lead,), LEAD_READ)
