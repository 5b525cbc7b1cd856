"""The next best offer on the customer 360 (``upsell:read``): the offering with its price, why
it is offered (what the customer asked about lately), its score, and, for those who may
record the answer (``upsell:answer``), three buttons (``upsell.py`` takes them). What holds an
offer back is said instead (a complaint, consent, a problem in the area, an offer made within
the period)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.numbers import format_decimal

from parley.analytics.upsell import UpsellService
from parley.analytics.upsell import engine as e
from parley.analytics.upsell.models import LATER
from parley.analytics.upsell.options import UpsellOptions
from parley.analytics.upsell.service import NextOffer
from parley.auth.permissions import UPSELL_ANSWER, UPSELL_READ
from parley.errors import NotFound
from parley.interactions.reasons import ReasonCatalogue
from parley.offers import OfferCatalogue
from parley.requests.catalogue import RequestTypeCatalogue
from parley.web.access import Visitor
from parley.web.forms import Form
from parley.web.i18n import N_
from parley.web.portal.offers import PriceView, offer_view

# The seeded reasons and rules of up-selling (migration 0034): their names are msgids.
SEEDED_NAMES = (
    N_("Data allowance or usage"),
    N_("Roaming"),
    N_("Answer to an offer"),
    N_("Data add-on after repeated data-limit enquiries"),
    N_("Roaming pack after repeated roaming questions"),
)
BLOCKED = {
    e.COMPLAINT: N_("No offer now: the customer has an open complaint."),
    e.PROBLEM: N_("No offer now: there is a known problem in the customer's area."),
    e.NO_CONSENT: N_("No offer: the customer has opted out of marketing."),
}
ANSWER_WORDS = {
    "accepted": N_("accepted"),
    "refused": N_("refused"),
    "later": N_("will think about it"),
    "shown": N_("not answered"),
    "expired": N_("not answered"),
}
DONE = {
    "accepted": N_("Accepted: the add-on request was raised."),
    "refused": N_("Refused: this offer is not made to the customer again for a while."),
    "later": N_("The customer will think about it: the offer is shown again next time."),
}


@dataclass(frozen=True)
class OfferView:
    id: str
    name: str
    description: str
    prices: list[PriceView]
    reason: str  # why, in the reader's words
    score: str  # written as the reader writes numbers
    threshold: str | None
    rule: str
    later_on: datetime | None  # when the customer asked to be asked again


@dataclass(frozen=True)
class OfferPanel:
    offer: OfferView | None
    said: str | None  # why none is offered, or the offer made within the period
    notice: str | None
    request_id: str | None  # the request an acceptance raised (the notice links to it)
    can_answer: bool
    form: Form
    contact_id: str | None


def offer_panel(
    visitor: Visitor, customer_id: str, params, form: Form | None = None
) -> OfferPanel | None:
    """The panel for the 360; None for a visitor who may not see offers."""
    if not visitor.may(UPSELL_READ):
        return None
    found = UpsellService(visitor.uow).next_offer(customer_id)
    gettext = visitor.locale.gettext
    answered = params.get("offer")
    last = found.last_offer
    notice = gettext(DONE[answered]) if answered in DONE else None
    return OfferPanel(
        offer=_offer_view(visitor, found) if found.offer is not None else None,
        said=_said(visitor, found),
        notice=notice,
        request_id=last.request_id if notice and last is not None else None,
        can_answer=visitor.may(UPSELL_ANSWER),
        form=form or Form(),
        contact_id=(params.get("contact") or "")[:64] or None,
    )


def _offer_view(visitor: Visitor, found: NextOffer) -> OfferView:
    offer, offering = found.offer, found.offering
    shown = offer_view(offering) if offering is not None else None
    candidate = next((c for c in found.decision.candidates if c.rule.id == offer.rule_id), None)
    return OfferView(
        id=offer.id,
        name=shown.name if shown else offer.offering_name,
        description=shown.description if shown else "",
        prices=shown.prices if shown else [],
        reason=reason_text(visitor, offer.evidence),
        score=_number(visitor, candidate.score if candidate is not None else offer.score),
        threshold=_number(visitor, candidate.rule.threshold) if candidate is not None else None,
        rule=candidate.rule.name if candidate is not None else offer.rule_code,
        later_on=offer.answered_at if offer.status == LATER else None,
    )


def _said(visitor: Visitor, found: NextOffer) -> str | None:
    gettext, decision = visitor.locale.gettext, found.decision
    if decision.blocked in BLOCKED:
        return gettext(BLOCKED[decision.blocked])
    last = found.last_offer
    if last is None:
        return None
    period = visitor.uow.options(UpsellOptions).period_days
    return gettext(
        "An offer was made on %(day)s: %(offering)s (%(answer)s). The next one from %(next)s."
    ) % {
        "day": visitor.locale.day(last.presented_at),
        "offering": last.offering_name,
        "answer": gettext(ANSWER_WORDS.get(last.status, last.status)),
        "next": visitor.locale.day(last.presented_at + timedelta(days=period)),
    }


def _number(visitor: Visitor, value: float) -> str:
    return format_decimal(value, "#,##0.0#", locale=visitor.locale.babel)


def reason_text(visitor: Visitor, evidence: list[dict]) -> str:
    """What the customer asked about lately, e.g. "2 contacts about Roaming, the latest on 3
    March 2027"."""
    locale = visitor.locale
    parts = []
    for item in evidence:
        count, latest = item["count"], datetime.fromisoformat(item["latest"])
        what = _name(visitor, item["kind"], item["code"])
        if item["kind"] == e.INTERACTION:
            text = locale.ngettext(
                "%(num)d contact about %(what)s", "%(num)d contacts about %(what)s", count
            )
        elif item["kind"] == e.REQUEST:
            text = locale.ngettext("%(num)d request: %(what)s", "%(num)d requests: %(what)s", count)
        else:
            text = locale.ngettext(
                "%(what)s selected once", "%(what)s selected %(num)d times", count
            )
        latest_on = locale.gettext("the latest on %(day)s") % {"day": locale.day(latest)}
        parts.append(f"{text % {'num': count, 'what': what}}, {latest_on}")
    return "; ".join(parts)


def _name(visitor: Visitor, kind: str, code: str) -> str:
    gettext = visitor.locale.gettext
    try:
        if kind == e.INTERACTION:
            return gettext(ReasonCatalogue(visitor.uow).get(code).label)
        if kind == e.REQUEST:
            found = RequestTypeCatalogue(visitor.uow).by_code(code)
            return gettext(found.name) if found is not None else code
        return OfferCatalogue(visitor.uow).get(code).name
    except NotFound:  # gone since: its code
        return code
