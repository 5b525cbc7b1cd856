"""TMF620 Product Catalog Management v5 (``productOffering``) mapped onto the offer catalogue.

The subset a CIM needs: an offering's name, description, prices (``productOfferingPrice``
given inline), validity, lifecycle status and the customer segments it is for
(``marketSegment``). Administrators manage it (``offer:write``); customers read the released
offerings of their own segment. The spec's other collections are answered 501.

The published FVO requires ``lastUpdate``, which the server sets (it is served from the row),
and an inline price's ``lastUpdate`` and ``lifecycleStatus``, which a price given as part of
its offering does not have: those are not required here. Everything else is the file's.
"""

from functools import cache

import yaml

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import SPEC_DIR, Spec
from parley.auth.permissions import OFFER_READ, OFFER_WRITE
from parley.offers import LIST_COLUMNS, RESOURCE, OfferCatalogue, served

SPEC_FILE = "TMF620-ProductCatalog-v5.0.0.oas.yaml"
UNSERVED = (
    "productOfferingPrice",
    "productSpecification",
    "productCatalog",
    "category",
    "importJob",
    "exportJob",
)
SERVER_SET = {"ProductOffering_FVO": ("lastUpdate",), "ProductOfferingPrice_FVO": ("lastUpdate",)}
GIVEN_WITH_ITS_OFFERING = {"ProductOfferingPrice_FVO": ("lifecycleStatus",)}


@cache
def product_catalog_spec() -> Spec:
    with open(SPEC_DIR / SPEC_FILE, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schemas = document["components"]["schemas"]
    for relaxed in (SERVER_SET, GIVEN_WITH_ITS_OFFERING):
        for name, fields in relaxed.items():
            body = schemas[name]["allOf"][1]
            body["required"] = [f for f in body.get("required", []) if f not in fields]
    return Spec(document)


@cache
def api() -> TMFApi:
    spec = product_catalog_spec()
    offering = Resource(
        name=RESOURCE,
        type_name="ProductOffering",
        spec=spec,
        collection=OfferCatalogue,
        read_permission=OFFER_READ,
        write_permission=OFFER_WRITE,
        columns=LIST_COLUMNS,
        stored=lambda row: row.document,
        served=served,
    )
    return TMFApi(
        "TMF620", 5, "product_catalog_api_prefix", spec, (offering,), OFFER_READ, unserved=UNSERVED
    )
