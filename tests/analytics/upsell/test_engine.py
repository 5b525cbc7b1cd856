"""The up-sell engine on hand-built histories: scores that halve every half-life, windows,
thresholds, the gates, suppression after a refusal and at most one offer per period. The
expected scores are worked out here from the definition (docs/upsell.md)."""

from datetime import UTC, datetime, timedelta

import pytest

from parley.analytics.upsell import engine as e

NOW = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
DATA = e.Rule(
    id="rule-data",
    code="data-addon",
    name="Data add-on",
    offering_id="offer-data",
    counts=(e.Counted(e.INTERACTION, "usage.data", 1.0), e.Counted(e.REQUEST, "plan.query", 0.5)),
    window_days=30,
    half_life_days=14,
    threshold=1.5,
    suppression_days=90,
)
ROAMING = e.Rule(
    id="rule-roaming",
    code="roaming-pack",
    name="Roaming pack",
    offering_id="offer-roaming",
    counts=(e.Counted(e.INTERACTION, "roaming", 1.0),),
    window_days=30,
    half_life_days=10,
    threshold=1.5,
    suppression_days=60,
)
SELLABLE = {"offer-data": None, "offer-roaming": None}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def contacts(reason: str, *ages: float) -> list[e.Signal]:
    return [e.Signal(e.INTERACTION, reason, ago(age)) for age in ages]


def offer(rule: e.Rule, status: str, days_ago: float, answered_days_ago=None) -> e.PastOffer:
    answered = None if answered_days_ago is None else ago(answered_days_ago)
    return e.PastOffer(f"o-{rule.code}-{days_ago}", rule.id, rule.offering_id, status,
                       ago(days_ago), answered)  # fmt: skip


def test_a_signal_weighs_half_after_one_half_life_and_a_quarter_after_two():
    assert e.decay(1.0, 0, 14) == 1.0
    assert e.decay(1.0, 14, 14) == pytest.approx(0.5)
    assert e.decay(2.0, 28, 14) == pytest.approx(0.5)
    assert e.decay(1.0, -0.01, 14) == 1.0  # stamped a moment ahead: counts as now


def test_the_score_sums_decayed_weights_within_the_window_and_stops_below_the_threshold():
    # Two enquiries today: 1 + 1 = 2.0.
    assert e.score(DATA, contacts("usage.data", 0, 0), NOW).score == 2.0
    # Today and 10 days ago: 1 + 0.5^(10/14) = 1.6095 (at least 1.5: a candidate).
    found = e.score(DATA, contacts("usage.data", 0, 10), NOW)
    assert found.score == pytest.approx(1 + 0.5 ** (10 / 14), abs=1e-4)
    assert found.score == 1.6095  # kept to four places
    # Today and 20 days ago: 1 + 0.5^(20/14) = 1.3715: below the threshold.
    assert e.score(DATA, contacts("usage.data", 0, 20), NOW) is None
    # The same two a fortnight later: both have halved (0.5 + 0.5^(24/14) = 0.805).
    assert e.score(DATA, contacts("usage.data", 0, 10), NOW + timedelta(days=14)) is None
    # Three, one outside the 30-day window: 0.5^(1/14) + 0.5^(2/14) = 1.8574.
    inside = e.score(DATA, contacts("usage.data", 1, 2, 31), NOW)
    assert inside.score == pytest.approx(1.8574, abs=1e-4)
    assert inside.evidence == (e.Evidence(e.INTERACTION, "usage.data", 2, ago(1)),)


def test_other_reasons_do_not_count_and_weights_differ_by_signal():
    history = [
        *contacts("usage.data", 0),
        *contacts("billing.enquiry", 0, 0, 0),
        e.Signal(e.REQUEST, "plan.query", ago(0)),
    ]
    found = e.score(DATA, history, NOW)
    assert found.score == 1.5  # 1 (the enquiry) + 0.5 (the request); the bills count nothing
    assert {(x.kind, x.code, x.count) for x in found.evidence} == {
        (e.INTERACTION, "usage.data", 1),
        (e.REQUEST, "plan.query", 1),
    }


def test_the_best_eligible_candidate_is_offered():
    history = contacts("usage.data", 0, 3) + contacts("roaming", 0, 1, 2)
    decided = e.decide([DATA, ROAMING], history, e.Situation(refusals=SELLABLE), NOW, 30)
    # Roaming: 1 + 0.5^(1/10) + 0.5^(2/10) = 2.8036; data: 1 + 0.5^(3/14) = 1.8619.
    assert [c.rule.code for c in decided.candidates] == ["roaming-pack", "data-addon"]
    assert decided.candidates[0].score == pytest.approx(2.8036, abs=1e-4)
    assert decided.new.rule is ROAMING and decided.blocked is None

    # The roaming pack is not for this customer's segment: the data add-on instead.
    segment = {**SELLABLE, "offer-roaming": "segment"}
    decided = e.decide([DATA, ROAMING], history, e.Situation(refusals=segment), NOW, 30)
    assert decided.candidates[0].blocked == "offering:segment"
    assert decided.new.rule is DATA

    # Holding it already (an add-on selected before): nothing to sell there either.
    held = e.Situation(refusals=segment, holds=frozenset({"offer-data"}))
    decided = e.decide([DATA, ROAMING], history, held, NOW, 30)
    assert [c.blocked for c in decided.candidates] == ["offering:segment", "holds"]
    assert decided.new is None and decided.blocked is None


@pytest.mark.parametrize(
    ("situation", "why"),
    [
        (e.Situation(open_complaint=True, refusals=SELLABLE), e.COMPLAINT),
        (e.Situation(problem_area=True, refusals=SELLABLE), e.PROBLEM),
        (e.Situation(marketing_allowed=False, refusals=SELLABLE), e.NO_CONSENT),
    ],
)
def test_a_complaint_a_problem_in_the_area_or_no_consent_means_no_offer(situation, why):
    decided = e.decide([DATA], contacts("usage.data", 0, 0), situation, NOW, 30)
    assert decided.new is None and decided.pending is None and decided.blocked == why
    assert decided.candidates[0].score == 2.0  # staff still see why it would have been made


def test_a_refusal_suppresses_the_rule_and_its_offering_for_the_suppression_period():
    history = contacts("usage.data", 0, 0)
    refused = offer(DATA, "refused", 40, answered_days_ago=40)  # outside the 30-day period
    decided = e.decide([DATA], history, e.Situation(refusals=SELLABLE, offers=(refused,)), NOW, 30)
    assert decided.candidates[0].blocked == e.SUPPRESSED and decided.new is None

    # 91 days after the refusal (suppression: 90), the rule may offer again.
    refused = offer(DATA, "refused", 91, answered_days_ago=91)
    decided = e.decide([DATA], history, e.Situation(refusals=SELLABLE, offers=(refused,)), NOW, 30)
    assert decided.new.rule is DATA

    # Another rule offering the same offering is suppressed with it.
    same = e.Rule(**{**vars(ROAMING), "id": "rule-other", "offering_id": "offer-data"})
    refused = offer(DATA, "refused", 40, answered_days_ago=40)
    situation = e.Situation(refusals=SELLABLE, offers=(refused,))
    decided = e.decide([same], contacts("roaming", 0, 0), situation, NOW, 30)
    assert decided.candidates[0].blocked == e.SUPPRESSED


def test_at_most_one_offer_per_period():
    history = contacts("usage.data", 0, 0) + contacts("roaming", 0, 0, 0)
    # Accepted 10 days ago: nothing new until the 30-day period is over.
    accepted = offer(DATA, "accepted", 10, answered_days_ago=10)
    situation = e.Situation(refusals=SELLABLE, offers=(accepted,))
    decided = e.decide([DATA, ROAMING], history, situation, NOW, 30)
    assert decided.new is None and decided.blocked == e.PERIOD
    assert decided.last_offer == accepted
    # 31 days later the roaming pack may be offered (the data add-on is held: accepted).
    later = e.Situation(refusals=SELLABLE, offers=(accepted,), holds=frozenset({"offer-data"}))
    decided = e.decide([DATA, ROAMING], history, later, NOW, 9)
    assert decided.new.rule is ROAMING

    # Shown 5 days ago and not answered yet: shown again, whatever scores higher now.
    waiting = offer(DATA, "later", 5)
    situation = e.Situation(refusals=SELLABLE, offers=(waiting,))
    decided = e.decide([DATA, ROAMING], history, situation, NOW, 30)
    assert decided.pending == waiting and decided.new is None
    # ... unless its offering can no longer be selected: then nothing in this period.
    situation = e.Situation(refusals={**SELLABLE, "offer-data": "retired"}, offers=(waiting,))
    decided = e.decide([DATA, ROAMING], history, situation, NOW, 30)
    assert decided.pending is None and decided.new is None and decided.blocked == e.PERIOD

    # Shown 40 days ago and never answered: the period is over, a new offer is made.
    stale = offer(DATA, "shown", 40)
    situation = e.Situation(refusals=SELLABLE, offers=(stale,))
    decided = e.decide([DATA, ROAMING], history, situation, NOW, 30)
    assert decided.new.rule is ROAMING


def test_a_rule_whose_offering_is_not_in_the_catalogue_offers_nothing():
    missing = e.Rule(**{**vars(DATA), "offering_id": None})
    decided = e.decide([missing], contacts("usage.data", 0, 0), e.Situation(), NOW, 30)
    assert decided.candidates[0].blocked == "offering:unknown" and decided.new is None
