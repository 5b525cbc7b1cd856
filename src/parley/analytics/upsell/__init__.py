"""Up-sell candidates (eTOM 1.1.1.18.9.3, docs/upsell.md): rules as data over a customer's
recent contacts, requests and add-ons, scores that decay with time, gates, at most one offer
per customer per period and a suppression after a refusal; the customer's answers, and the
KPI "up-sell acceptance".

The front door: ``UpsellService`` (the next best offer, the answer), ``UpsellRules`` (the
rules) and ``UpsellAcceptance`` (the KPI)."""

from parley.analytics.upsell.acceptance import UpsellAcceptance
from parley.analytics.upsell.rules import UpsellRules
from parley.analytics.upsell.service import NextOffer, UpsellService

__all__ = ["NextOffer", "UpsellAcceptance", "UpsellRules", "UpsellService"]
