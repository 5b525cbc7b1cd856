"""Offers: the catalogue of what customers may select in self-service and agents may propose
(TMF620 productOffering), who may select what (eligibility), and importing a BSS's export.

The front door: ``OfferCatalogue`` (reading, managing, checking a selection), ``served`` (an
offering as the API and the portal show it) and ``OfferImport``.
"""

from parley.offers.catalogue import LIST_COLUMNS, RESOURCE, OfferCatalogue, served
from parley.offers.importing import ImportFailed, ImportProblem, OfferImport

__all__ = [
    "LIST_COLUMNS",
    "RESOURCE",
    "ImportFailed",
    "ImportProblem",
    "OfferCatalogue",
    "OfferImport",
    "served",
]
