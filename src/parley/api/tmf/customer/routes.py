"""TMF629 Customer Management v5 mapped onto the parties service.

A create runs the duplicate check: likely existing customers or open leads answer 409
``DUPLICATE_SUSPECTED`` unless ``?force=true`` (recorded in the audit trail)."""

from functools import cache

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import CUSTOMER_READ, CUSTOMER_WRITE
from parley.parties.collections import Customers
from parley.parties.service import CUSTOMER_COLUMNS

SPEC_FILE = "TMF629-CustomerManagement-v5.0.1.oas.yaml"


@cache
def api() -> TMFApi:
    customer = customer_resource()
    return TMFApi("TMF629", 5, "customer_api_prefix", customer.spec, (customer,), CUSTOMER_READ)


def customer_resource() -> Resource:
    """The collection, which TMF629 v4 serves too (in v4 shapes)."""
    return Resource(
        name="customer",
        type_name="Customer",
        spec=load_spec(SPEC_FILE),
        collection=Customers,
        read_permission=CUSTOMER_READ,
        write_permission=CUSTOMER_WRITE,
        columns=CUSTOMER_COLUMNS,
        create_flags=("force",),
    )
