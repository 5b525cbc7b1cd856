"""What the up-sell engine reads of a customer, through the other domains' front doors: the
signals (recent inbound contacts by reason, requests by type, add-ons selected) and the
situation the gates check (open complaints, problems in the area, marketing consent, which
offerings the customer may select and holds already).

Every read is by the customer's own indexes (interactions by customer and time, requests by
customer and time, the offers by customer): the cost of a customer does not grow with the
customer base.
"""

from datetime import datetime, timedelta

from parley.analytics.service import AnalyticsService
from parley.analytics.upsell import engine
from parley.changes import UnitOfWork
from parley.errors import NotFound
from parley.interactions.service import MAX_TIMELINE_PAGE, InteractionService
from parley.notifications.preferences import PreferenceService
from parley.offers import OfferCatalogue
from parley.requests import lifecycle as lc
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.service import ADDON_SELECTION, RequestService

# A complaint still open: a request of a complaint type or opened on a complaint reason, or
# an open contact on one. While there is one, nothing is offered.
COMPLAINT_REASONS = frozenset({"complaint", "billing.dispute"})
COMPLAINT_TYPES = frozenset({"bill.dispute"})
REQUESTS_READ = 100  # the customer's latest requests (the 360 reads as many for open ones)
NOT_HELD = (lc.CANCELLED, lc.REJECTED)


class CustomerHistory:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self._requests: dict[str, list] = {}
        self._type_codes: dict[str, str] = {}

    # -- signals -------------------------------------------------------------------------

    def signals(
        self, customer_id: str, rules: list[engine.Rule], now: datetime
    ) -> list[engine.Signal]:
        """What the rules may count: the customer's inbound contacts on the reasons they
        name and requests within the longest window; add-ons selected (any time)."""
        if not rules:
            return []
        since = now - timedelta(days=max(rule.window_days for rule in rules))
        reasons = set().union(*(rule.reasons for rule in rules))
        found = []
        if reasons:
            page = InteractionService(self.uow).timeline(
                customer_id, MAX_TIMELINE_PAGE, own_only=True, since=since, direction="inbound"
            )
            found += [
                engine.Signal(engine.INTERACTION, row.reason_code, row.started_at)
                for row in page.items
                if row.reason_code in reasons
            ]
        if not any(rule.counts_requests for rule in rules):
            return found  # the requests are read for the gates, if anything scores
        for row in self._latest_requests(customer_id):
            code = self._type_code(row.type_id)
            if row.created_at >= since:
                found.append(engine.Signal(engine.REQUEST, code, row.created_at))
            offering = _selected_offering(row, code)
            if offering is not None:
                found.append(engine.Signal(engine.PRODUCT, offering, row.created_at))
        return found

    # -- the gates' situation ------------------------------------------------------------

    def situation(
        self,
        customer_id: str,
        offering_ids: set[str],
        offers: tuple[engine.PastOffer, ...],
    ) -> tuple[engine.Situation, dict]:
        """The situation, and the offerings (by id) the customer may be offered."""
        catalogue, refusals, offerings = OfferCatalogue(self.uow), {}, {}
        for offering_id in sorted(offering_ids):
            row, why = catalogue.selection(offering_id, customer_id, False)
            refusals[offering_id] = why.kind if why is not None else None
            if row is not None:
                offerings[offering_id] = row
        held = {
            offering
            for row in self._latest_requests(customer_id)
            if (offering := _selected_offering(row, self._type_code(row.type_id))) is not None
        }
        situation = engine.Situation(
            open_complaint=self.open_complaint(customer_id),
            problem_area=bool(AnalyticsService(self.uow).problems_near(customer_id)),
            marketing_allowed=not PreferenceService(self.uow).get(customer_id).marketing_opt_out,
            refusals=refusals,
            holds=frozenset(held | engine.accepted_offerings(offers)),
            offers=offers,
        )
        return situation, offerings

    def open_complaint(self, customer_id: str) -> bool:
        interactions = InteractionService(self.uow)
        if any(
            i.reason_code in COMPLAINT_REASONS for i in interactions.open_of_customer(customer_id)
        ):
            return True
        for row in self._latest_requests(customer_id):
            if row.status in lc.FINAL:
                continue
            if self._type_code(row.type_id) in COMPLAINT_TYPES:
                return True
            if row.interaction_id and self._opened_on(row.interaction_id) in COMPLAINT_REASONS:
                return True
        return False

    # -- reading ---------------------------------------------------------------------------

    def _latest_requests(self, customer_id: str) -> list:
        if customer_id not in self._requests:
            service = RequestService(self.uow)
            self._requests[customer_id] = service.of_customer(customer_id, REQUESTS_READ)
        return self._requests[customer_id]

    def _type_code(self, type_id: str) -> str:
        if type_id not in self._type_codes:
            self._type_codes[type_id] = RequestTypeCatalogue(self.uow).get(type_id).code
        return self._type_codes[type_id]

    def _opened_on(self, interaction_id: str) -> str | None:
        try:
            return InteractionService(self.uow).get(interaction_id).reason_code
        except NotFound:
            return None


def _selected_offering(row, type_code: str) -> str | None:
    """The offering an add-on request selected, unless it came to nothing."""
    if type_code != ADDON_SELECTION or row.status in NOT_HELD or row.outcome == "unfulfilled":
        return None
    for characteristic in row.document.get("troubleTicketCharacteristic") or []:
        if characteristic.get("name") == "productOffering":
            value = characteristic.get("value")
            return value if isinstance(value, str) else None
    return None
