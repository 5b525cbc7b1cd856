"""TMF666 Account Management v5 (``billingAccount``) mapped onto the billing account service.

A customer's own log-in sees, creates and changes (contacts only) the billing accounts of its
customer; the service enforces what self-service may change.
"""

from functools import cache

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import ACCOUNT_READ, ACCOUNT_WRITE
from parley.parties.accounts.service import LIST_COLUMNS, BillingAccountService, present

SPEC_FILE = "TMF666-AccountManagement-v5.0.0.oas.yaml"
# The spec's other collections: answered 501 (docs/api.md, "TMF666").
UNSERVED = (
    "partyAccount",
    "financialAccount",
    "settlementAccount",
    "billFormat",
    "billPresentationMedia",
    "billingCycleSpecification",
)


@cache
def api() -> TMFApi:
    spec = load_spec(SPEC_FILE)
    account = Resource(
        name="billingAccount",
        type_name="BillingAccount",
        spec=spec,
        collection=BillingAccountService,
        read_permission=ACCOUNT_READ,
        write_permission=ACCOUNT_WRITE,
        columns=LIST_COLUMNS,
        served=present,
    )
    return TMFApi(
        "TMF666", 5, "account_api_prefix", spec, (account,), ACCOUNT_READ, unserved=UNSERVED
    )
