"""Up-selling's front door: the next best offer for a customer, and the customer's answer.

The offer is worked out when an agent (or another system) asks for it, from the customer's
history as it is then (``history.py``, the engine in ``engine.py``): a handful of reads by
the customer's own indexes, cheaper than keeping candidates up to date on every contact
(docs/upsell.md, "Cost"). A new offer is stored when first shown (``shown``), and the same
offer is shown again until the customer answers: **accepted** (an ``addon.selection``
request raised through the request service, as the portal raises one), **refused** (the
rule and its offering are suppressed for the rule's suppression period) or **later** (shown
again next time). Each answer is logged as an interaction of the customer's. The service
never commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from parley.analytics.upsell import engine
from parley.analytics.upsell.acceptance import bucket
from parley.analytics.upsell.history import CustomerHistory
from parley.analytics.upsell.models import (
    ACCEPTED,
    ANSWERS,
    PENDING,
    SHOWN,
    UpsellOffer,
)
from parley.analytics.upsell.options import UpsellOptions
from parley.analytics.upsell.repository import UpsellRepository
from parley.analytics.upsell.rules import UpsellRules
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, storable_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions.models import COMPLETED
from parley.interactions.service import InteractionService
from parley.parties.service import PartyService
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.service import ADDON_SELECTION, RequestService

RESOURCE = "upsellOffer"
ANSWER_REASON = "offer.answer"  # the interaction reason of an answer (seeded by 0034)
MAX_NOTE = 500
WORDS = {ACCEPTED: "accepted", "refused": "refused", "later": "will think about it"}


@dataclass(frozen=True)
class NextOffer:
    """What the 360 shows: the offer (waiting for an answer, or just made) and its offering;
    else why none; every candidate with its score and gate (for staff only)."""

    decision: engine.Decision
    offer: UpsellOffer | None = None
    offering: object | None = None  # the catalogue's ProductOffering
    last_offer: UpsellOffer | None = None  # the offer that keeps the period closed


@dataclass(frozen=True)
class Answered:
    offer: UpsellOffer
    interaction_id: str
    request: object | None  # the add-on request an acceptance raised


class UpsellService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = UpsellRepository(uow.session)
        self.period_days = uow.options(UpsellOptions).period_days

    # -- the next best offer ---------------------------------------------------------------

    def evaluate(self, customer_id: str, now: datetime | None = None):
        """The decision for the customer now, without storing anything; with the offerings
        it may name, by id."""
        now = now or utcnow()
        PartyService(self.uow).get_customer(customer_id)  # an unknown customer: 404
        catalogue = UpsellRules(self.uow)
        rules = catalogue.specs()
        history = CustomerHistory(self.uow)
        signals = history.signals(customer_id, rules, now)
        offers = tuple(map(past, self.repo.offers_of(customer_id)))
        scored = engine.candidates(rules, signals, now)
        waiting = [o for o in offers if o.status in PENDING]
        if not scored and not waiting:
            return engine.Decision(()), {}  # nothing to offer: the gates need not be read
        rules = catalogue.resolved(rules)
        scored = engine.candidates(rules, signals, now)
        wanted = {c.rule.offering_id for c in scored if c.rule.offering_id}
        wanted |= {o.offering_id for o in waiting}
        situation, offerings = history.situation(customer_id, wanted, offers)
        decision = engine.decide(rules, signals, situation, now, self.period_days)
        return decision, offerings

    def next_offer(self, customer_id: str, now: datetime | None = None) -> NextOffer:
        """The offer to make the customer now, stored the first time it is shown."""
        now = now or utcnow()
        decision, offerings = self.evaluate(customer_id, now)
        if decision.pending is not None:
            offer = self.repo.offer(decision.pending.id)
            return NextOffer(decision, offer, offerings.get(offer.offering_id))
        if decision.new is None:
            last = self.repo.offer(decision.last_offer.id) if decision.last_offer else None
            return NextOffer(decision, last_offer=last)
        offering = offerings[decision.new.rule.offering_id]
        offer = self._present(customer_id, decision.new, offering, now)
        if offer is None:  # answered by another agent in the very moment: none now
            return NextOffer(decision)
        return NextOffer(decision, offer, offerings.get(offer.offering_id))

    def _present(
        self, customer_id: str, candidate: engine.Candidate, offering, now: datetime
    ) -> UpsellOffer | None:
        for expired in self.repo.expire_pending(customer_id):  # from before the period
            self.uow.record(RESOURCE, UPDATE, expired, after={"status": "expired"})
        offer = UpsellOffer(
            customer_id=customer_id,
            rule_id=candidate.rule.id,
            rule_code=candidate.rule.code,
            offering_id=offering.id,
            offering_name=offering.name,
            score=candidate.score,
            evidence=[evidence_document(e) for e in candidate.evidence],
            status=SHOWN,
            presented_at=now,
            presented_to=self.uow.writer().name[:150],
        )
        if not self.repo.add_pending(offer):
            # Another agent's view of the customer made the offer at this moment: theirs.
            return self.repo.pending_of(customer_id)
        shown = document(offer)
        self.uow.record(RESOURCE, CREATE, offer.id, after=shown, event=shown)
        return offer

    # -- the customer's answer --------------------------------------------------------------

    def answer(
        self,
        customer_id: str,
        offer_id: str,
        answer: str,
        note: str | None = None,
        channel: str = "phone",
    ) -> Answered:
        """Record the customer's answer to the offer waiting for one, log it as an
        interaction, and for an acceptance raise the add-on request (its checks apply: an
        offering no longer on sale is refused, and nothing is recorded)."""
        if answer not in ANSWERS:
            raise InvalidInput(f"answer: one of {', '.join(ANSWERS)}", "answer")
        note = (note or "").strip() or None
        if note is not None and len(note) > MAX_NOTE:
            raise InvalidInput(f"note: at most {MAX_NOTE} characters", "note")
        found = self.repo.offer(offer_id, for_update=True) if storable_id(offer_id, 36) else None
        if found is None or found.customer_id != customer_id:
            raise NotFound(f"No offer with id {offer_id} for customer {customer_id}")
        if found.status not in PENDING:
            raise Conflict(f"the offer was answered already ({found.status})")
        if found.presented_at < utcnow() - timedelta(days=self.period_days):
            raise Conflict(f"the offer lapsed: it was made more than {self.period_days} days ago")
        before, was = document(found), found.status
        interactions = InteractionService(self.uow)
        contact = interactions.create(
            self._answer_interaction(found, answer, note, channel, open_=answer == ACCEPTED)
        )
        request = None
        if answer == ACCEPTED:
            request = RequestService(self.uow).create(
                self._addon_request(found, contact.id, channel)
            )
            done = {**interactions.get(contact.id).document, "status": COMPLETED}
            interactions.replace(contact.id, done)
        found.status, found.answered_at = answer, utcnow()
        found.answered_by, found.note = self.uow.writer().name[:150], note
        found.interaction_id = contact.id
        found.request_id = request.id if request is not None else None
        self.repo.add(found)
        self._settled_shift(found, was)
        after = document(found)
        self.uow.record(RESOURCE, UPDATE, found.id, before=before, after=after, event=after)
        return Answered(found, contact.id, request)

    def _settled_shift(self, offer: UpsellOffer, was: str) -> None:
        """An answer to an offer whose day is rolled up already (possible only after the
        period was made longer) moves it in the day's figures too."""
        day = offer.presented_at.date()
        if self.repo.is_settled(day, offer.rule_code, offer.offering_id):
            old, new = bucket(was), bucket(offer.status)
            if old != new:
                self.repo.shift_settled(day, offer.rule_code, offer.offering_id, old, new)

    def _answer_interaction(self, offer, answer: str, note, channel: str, open_: bool) -> dict:
        text = f"Offer: {offer.offering_name}: {WORDS[answer]}" + (f". {note}" if note else "")
        return {
            "@type": "PartyInteraction",
            "direction": "outbound",  # the offer was ours; the customer answered
            "status": "inProgress" if open_ else COMPLETED,
            "reason": ANSWER_REASON,
            "description": text[:500],
            "relatedChannel": [
                {
                    "@type": "RelatedChannel",
                    "role": "contact",
                    "channel": {"@type": "ChannelRef", "id": channel},
                }
            ],
            "relatedParty": [_customer_ref(offer.customer_id)],
            "interactionItem": [
                {
                    "@type": "InteractionItem",
                    "item": {
                        "@type": "RelatedEntityRefOrValue",
                        "role": "offer",
                        "entity": {
                            "@type": "EntityRef",
                            "id": offer.offering_id,
                            "@referredType": "ProductOffering",
                        },
                    },
                }
            ],
        }

    def _addon_request(self, offer, interaction_id: str, channel: str) -> dict:
        addon = RequestTypeCatalogue(self.uow).by_code(ADDON_SELECTION)
        return {
            "@type": "TroubleTicket",
            "name": f"Add-on: {offer.offering_name}",
            "description": f"Accepted when offered: {offer.offering_name}",
            **({"troubleTicketSpecification": {"id": addon.id}} if addon else {}),
            "ticketType": ADDON_SELECTION,
            "channel": {"id": channel, "name": channel},
            "troubleTicketCharacteristic": [
                {
                    "@type": "StringCharacteristic",
                    "name": "productOffering",
                    "value": offer.offering_id,
                }
            ],
            "relatedParty": [
                {
                    "@type": "RelatedPartyRefOrPartyRoleRef",
                    "role": "customer",
                    "partyOrPartyRole": {
                        "@type": "PartyRoleRef",
                        "id": offer.customer_id,
                        "@referredType": "Customer",
                    },
                }
            ],
            "relatedEntity": [
                {
                    "@type": "RelatedEntity",
                    "role": "interaction",
                    "entity": {
                        "@type": "EntityRef",
                        "id": interaction_id,
                        "@referredType": "PartyInteraction",
                    },
                }
            ],
        }

    # -- reading ---------------------------------------------------------------------------

    def offers_of(self, customer_id: str, offset: int, limit: int) -> tuple[list, int]:
        PartyService(self.uow).get_customer(customer_id)
        rows = self.repo.offers_of(customer_id, offset, limit)
        return rows, self.repo.count_offers_of(customer_id)


def past(row: UpsellOffer) -> engine.PastOffer:
    return engine.PastOffer(
        row.id, row.rule_id, row.offering_id, row.status, row.presented_at, row.answered_at
    )


def evidence_document(evidence: engine.Evidence) -> dict:
    return {
        "kind": evidence.kind,
        "code": evidence.code,
        "count": evidence.count,
        "latest": iso(evidence.latest),
    }


def document(row: UpsellOffer) -> dict:
    """An offer as the API answers it (staff only: it holds the score)."""
    return {
        "id": row.id,
        "customerId": row.customer_id,
        "rule": {"id": row.rule_id, "code": row.rule_code},
        "productOffering": {"id": row.offering_id, "name": row.offering_name},
        "score": row.score,
        "evidence": row.evidence,
        "status": row.status,
        "presentedAt": iso(row.presented_at),
        "presentedTo": row.presented_to,
        "answeredAt": iso(row.answered_at) if row.answered_at else None,
        "answeredBy": row.answered_by,
        "note": row.note,
        "interactionId": row.interaction_id,
        "requestId": row.request_id,
    }


def _customer_ref(customer_id: str) -> dict:
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": "customer",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer_id,
            "@referredType": "Customer",
        },
    }
