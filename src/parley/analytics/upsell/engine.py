"""The up-sell rule engine, pure: a customer's history and situation in, the scored candidates
and the next best offer out. Nothing here reads the database: ``history.py`` reads what the
engine needs through the other domains' front doors, and the tests build it by hand.

A rule counts **signals** (an inbound contact on a reason, a request of a type, an add-on
selected) within its window, each weighted and halved every ``half_life_days`` of its age:
score = Σ weight · 0.5^(age in days / half-life). From its threshold on, the rule is a
**candidate** for its offering. The **gates** then say whether anything may be offered now
(no open complaint, no open problem in the customer's area, marketing allowed, no offer made
within the period) and whether this offering may (eligible for the customer, not selected
already, not refused within the rule's suppression period). The next best offer is the
eligible candidate with the highest score; an offer made within the period and still
waiting for the customer's answer is shown again instead, so a customer gets at most one
offer per period.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from parley.analytics.upsell.models import ACCEPTED, PENDING, REFUSED

INTERACTION, REQUEST, PRODUCT = "interaction", "request", "product"
SIGNAL_KINDS = (INTERACTION, REQUEST, PRODUCT)
DAY_SECONDS = 86_400.0

# Why nothing may be offered to the customer now (checked in this order).
COMPLAINT, PROBLEM, NO_CONSENT, PERIOD = "openComplaint", "problemArea", "noConsent", "period"
# Why a candidate's offering may not be offered; an offering the customer may not select
# says why in the catalogue's words (``offering:<kind>``: retired, segment, ...).
HOLDS, SUPPRESSED, NO_OFFERING = "holds", "suppressed", "offering"


@dataclass(frozen=True)
class Signal:
    """Something the customer did that a rule may count: ``kind`` interaction (``code``: the
    reason), request (the request type) or product (the offering selected)."""

    kind: str
    code: str
    at: datetime


@dataclass(frozen=True)
class Counted:
    """A signal a rule counts, with its weight."""

    kind: str
    code: str
    weight: float


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    name: str
    offering_id: str | None  # None: the offering it names is not in the catalogue
    counts: tuple[Counted, ...]
    window_days: int
    half_life_days: float
    threshold: float
    suppression_days: int
    # The offering's BSS id, when the rule names it so: looked up only once the rule scores.
    offering_external_id: str | None = None

    @property
    def reasons(self) -> set[str]:
        return {c.code for c in self.counts if c.kind == INTERACTION}

    @property
    def counts_requests(self) -> bool:
        return any(c.kind in (REQUEST, PRODUCT) for c in self.counts)


@dataclass(frozen=True)
class Evidence:
    """Why a rule scored: how many of one counted signal, and the latest."""

    kind: str
    code: str
    count: int
    latest: datetime


@dataclass(frozen=True)
class Candidate:
    rule: Rule
    score: float
    evidence: tuple[Evidence, ...]
    blocked: str | None = None  # why its offering may not be offered now (None: it may)


@dataclass(frozen=True)
class PastOffer:
    """An offer made to the customer before, as the gates read it."""

    id: str
    rule_id: str | None
    offering_id: str
    status: str
    presented_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class Situation:
    """What the gates read of the customer now."""

    open_complaint: bool = False
    problem_area: bool = False
    marketing_allowed: bool = True
    # offering id -> why the customer may not select it (the catalogue's kind), None: may.
    refusals: dict[str, str | None] = field(default_factory=dict)
    holds: frozenset[str] = frozenset()  # offerings selected already (add-on requests)
    offers: tuple[PastOffer, ...] = ()  # newest first


@dataclass(frozen=True)
class Decision:
    """What to show: an offer waiting for an answer (``pending``), or a new one to make
    (``new``), or neither and why (``blocked``); every candidate with its score and gate."""

    candidates: tuple[Candidate, ...]
    pending: PastOffer | None = None
    new: Candidate | None = None
    blocked: str | None = None
    last_offer: PastOffer | None = None  # the offer that keeps the period closed


def decay(weight: float, age_days: float, half_life_days: float) -> float:
    """A signal's weight after ``age_days`` (never more than its weight: a signal stamped a
    little in the future counts as now)."""
    return weight * 0.5 ** (max(age_days, 0.0) / half_life_days)


def score(rule: Rule, history: Iterable[Signal], now: datetime) -> Candidate | None:
    """The rule's score for this history now, with its evidence; None when the rule counts
    nothing in it or scores below its threshold."""
    weights = {(c.kind, c.code): c.weight for c in rule.counts}
    start = now - timedelta(days=rule.window_days)
    total, counted = 0.0, {}
    for signal in history:
        weight = weights.get((signal.kind, signal.code))
        if weight is None or signal.at < start:
            continue
        total += decay(weight, (now - signal.at).total_seconds() / DAY_SECONDS, rule.half_life_days)
        count, latest = counted.get((signal.kind, signal.code), (0, signal.at))
        counted[(signal.kind, signal.code)] = (count + 1, max(latest, signal.at))
    if not counted or total < rule.threshold:
        return None
    evidence = tuple(
        Evidence(kind, code, count, latest)
        for (kind, code), (count, latest) in sorted(counted.items(), key=lambda i: -i[1][0])
    )
    return Candidate(rule, round(total, 4), evidence)


def candidates(rules: Iterable[Rule], history: list[Signal], now: datetime) -> list[Candidate]:
    """Every rule at or above its threshold, best first (ties: by rule code)."""
    scored = [found for rule in rules if (found := score(rule, history, now)) is not None]
    return sorted(scored, key=lambda c: (-c.score, c.rule.code))


def gate(candidate: Candidate, situation: Situation, now: datetime) -> str | None:
    """Why the candidate's offering may not be offered now; None when it may."""
    rule, offering = candidate.rule, candidate.rule.offering_id
    if offering is None:
        return f"{NO_OFFERING}:unknown"
    refusal = situation.refusals.get(offering, "unknown")
    if refusal is not None:
        return f"{NO_OFFERING}:{refusal}"
    if offering in situation.holds:
        return HOLDS
    since = now - timedelta(days=rule.suppression_days)
    for offer in situation.offers:
        refused_lately = (
            offer.status == REFUSED and (offer.answered_at or offer.presented_at) >= since
        )
        if refused_lately and (offer.rule_id == rule.id or offer.offering_id == offering):
            return SUPPRESSED
    return None


def customer_gate(situation: Situation) -> str | None:
    """Why nothing may be offered to the customer now, whatever the offering."""
    if situation.open_complaint:
        return COMPLAINT
    if situation.problem_area:
        return PROBLEM
    if not situation.marketing_allowed:
        return NO_CONSENT
    return None


def decide(
    rules: Iterable[Rule],
    history: list[Signal],
    situation: Situation,
    now: datetime,
    period_days: int,
) -> Decision:
    """The next best offer for the customer now (see the module's description)."""
    scored = tuple(
        Candidate(c.rule, c.score, c.evidence, gate(c, situation, now))
        for c in candidates(rules, history, now)
    )
    blocked = customer_gate(situation)
    if blocked is not None:
        return Decision(scored, blocked=blocked)
    period_start = now - timedelta(days=period_days)
    recent = next((o for o in situation.offers if o.presented_at >= period_start), None)
    if recent is not None:
        if recent.status in PENDING and _still_offerable(recent, situation):
            return Decision(scored, pending=recent)
        return Decision(scored, blocked=PERIOD, last_offer=recent)
    best = next((c for c in scored if c.blocked is None), None)
    return Decision(scored, new=best)


def _still_offerable(offer: PastOffer, situation: Situation) -> bool:
    """An offer waiting for an answer is shown again while the customer may still select it
    and has not meanwhile (in self-service, say)."""
    return (
        situation.refusals.get(offer.offering_id, "unknown") is None
        and offer.offering_id not in situation.holds
    )


def accepted_offerings(offers: Iterable[PastOffer]) -> set[str]:
    return {offer.offering_id for offer in offers if offer.status == ACCEPTED}
