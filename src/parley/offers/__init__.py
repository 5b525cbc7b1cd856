"""Offers: the catalogue of what customers may select in self-service and agents may propose
(TMF620 productOffering), who may select what (eligibility: segment, validity, the products
the customer holds), the products customers hold, and importing a BSS's export.

The front door: ``OfferCatalogue`` (reading, managing, checking a selection), ``served`` (an
offering as the API and the portal show it), ``CustomerProducts`` and ``served_product`` (the
products a customer holds), ``OfferImport``.
"""

from parley.offers.catalogue import LIST_COLUMNS, RESOURCE, OfferCatalogue, served
from parley.offers.importing import ImportFailed, ImportProblem, OfferImport
from parley.offers.product_import import ProductImport
from parley.offers.products import CustomerProducts, served_product

__all__ = [
    "LIST_COLUMNS",
    "RESOURCE",
    "CustomerProducts",
    "ImportFailed",
    "ImportProblem",
    "OfferCatalogue",
    "OfferImport",
    "ProductImport",
    "served",
    "served_product",
]
