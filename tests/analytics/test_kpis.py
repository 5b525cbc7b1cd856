"""The KPIs on a hand-built week of requests and contacts, each expected figure worked out
here from the history (docs/analytics.md has the definitions).

The default team works Monday to Friday, 08:00-18:00 in Berlin (UTC+1 in November); the
``technical`` team 06:00-22:00 UTC on weekdays. The week is Monday 2 to Sunday 8 November 2026.
"""

from datetime import date

import pytest

from parley.analytics import histogram
from parley.analytics.analysis import AnalyticsReader, Period
from parley.analytics.service import AnalyticsService
from tests.analytics.histories import (
    BERLIN_OFFICE,
    LONG_DAYS,
    at,
    calendars,
    contact,
    context,
    task,
    ticket,
)

WEEK = Period(date(2026, 11, 2), date(2026, 11, 9))
NOW = at(9, 12)


def rid(letter: str) -> str:
    return f"00000000-0000-4000-8000-00000000000{letter}"


@pytest.fixture
def week(uow, session):
    calendars(session, **BERLIN_OFFICE, technical=("UTC", LONG_DAYS, []))
    service = AnalyticsService(uow)
    made = {}
    # A: answered in 30 min, closed completed within the hour; c1 calls again on Thursday.
    made["A"] = service.record_request(
        ticket(
            rid("a"),
            "c1",
            at(2, 9),
            [("inProgress", at(2, 9, 30)), ("closed", at(2, 10))],
            due=at(3, 9),
            outcome="completed",
            code="explained",
        ),
        context("billing.enquiry"),
    )
    # B: raised Monday 17:00 Berlin (1 business hour left), answered Tuesday 09:00 Berlin,
    # closed unfulfilled Tuesday 13:00 Berlin, after its due time.
    made["B"] = service.record_request(
        ticket(
            rid("b"),
            "c4",
            at(2, 16),
            [("inProgress", at(3, 8)), ("closed", at(3, 12))],
            due=at(3, 10),
            outcome="unfulfilled",
            code="no-coverage",
        ),
        context("fault.report"),
    )
    # C: closed Wednesday after an hour, reopened Thursday 08:00, closed again at 10:00:
    # open 1 h + 2 h; the night it spent closed is not resolution time.
    made["C"] = service.record_request(
        ticket(
            rid("c"),
            "c5",
            at(4, 8),
            [
                ("inProgress", at(4, 8, 10)),
                ("closed", at(4, 9)),
                ("inProgress", at(5, 8)),
                ("closed", at(5, 10)),
            ],
            due=at(5, 8),
            outcome="completed",
            code="fixed",
        ),
        context("fault.report"),
    )
    # D: handed to the technical team, handed back once, closed completed by 11:00 UTC.
    made["D"] = service.record_request(
        ticket(
            rid("d"),
            "c6",
            at(6, 7),
            [("inProgress", at(6, 7, 5)), ("closed", at(6, 11))],
            due=at(7, 7),
            outcome="completed",
            code="fixed",
        ),
        context("fault.report", tasks=[task("technical", at(6, 7, 5), handed_back=True)]),
    )
    # G: Saturday, in self-service, done in 20 minutes: no business time at all.
    made["G"] = service.record_request(
        ticket(
            rid("e"),
            "c2",
            at(7, 10),
            [("inProgress", at(7, 10, 0, 30)), ("closed", at(7, 10, 20))],
            due=at(8, 10),
            outcome="completed",
            code="changed",
            type_code="plan",
        ),
        context("plan.change", channel="web"),
    )
    # The backlog: one open for 8 days, one for 6 hours; a cancelled one is not backlog.
    service.record_request(
        ticket(rid("f"), "c7", at(1, 12), [("inProgress", at(1, 13))]), context("x")
    )
    service.record_request(ticket(rid("g"), "c8", at(9, 6), []), context("x"))
    service.record_request(
        ticket(rid("h"), "c9", at(3, 6), [("cancelled", at(3, 7))]), context("x")
    )
    for row in (
        contact(
            "10000000-0000-4000-8000-000000000001", "c1", "phone", "billing.enquiry", at(2, 8, 50)
        ),
        contact(
            "10000000-0000-4000-8000-000000000002", "c1", "phone", "billing.enquiry", at(5, 10)
        ),
        contact("10000000-0000-4000-8000-000000000003", "c2", "web", "plan.change", at(7, 9)),
        contact("10000000-0000-4000-8000-000000000004", "c2", "phone", "plan.change", at(7, 10)),
        contact("10000000-0000-4000-8000-000000000005", "c2", "phone", "plan.change", at(20, 9)),
        contact("10000000-0000-4000-8000-000000000006", "c3", "ussd", "information", at(8, 12)),
        contact(
            "10000000-0000-4000-8000-000000000007",
            "c3",
            "email",
            "billing.issued",
            at(8, 13),
            direction="outbound",
        ),
    ):
        service.record_interaction(row)
    while service.roll_up():
        pass
    return made


def test_the_facts_hold_the_times_worked_out_by_hand(week):
    a, b, c, d, g = (week[key] for key in "ABCDG")
    assert (a["first_response_seconds"], a["first_response_business_seconds"]) == (1800, 1800)
    assert (a["resolution_seconds"], a["resolution_business_seconds"]) == (3600, 3600)
    # B: 16 h to answer, of which 1 h Monday evening and 1 h Tuesday morning were business.
    assert (b["first_response_seconds"], b["first_response_business_seconds"]) == (57600, 7200)
    assert (b["resolution_seconds"], b["resolution_business_seconds"]) == (72000, 21600)
    assert b["closed_day"] == date(2026, 11, 3) and b["sla_met"] is False
    # C: reopened once; 3 h open; closed on Thursday, after its due time.
    assert (c["reopens"], c["resolution_seconds"], c["resolution_business_seconds"]) == (
        1,
        10800,
        10800,
    )
    assert c["first_response_seconds"] == 600 and c["closed_day"] == date(2026, 11, 5)
    assert c["sla_met"] is False
    # D: the technical team's calendar (06:00-22:00 UTC) counts all of its 4 hours.
    assert (d["team"], d["tasks"], d["handbacks"]) == ("technical", 1, 1)
    assert (d["resolution_seconds"], d["resolution_business_seconds"]) == (14400, 14400)
    # G: on a Saturday nothing is business time.
    assert (g["first_response_seconds"], g["first_response_business_seconds"]) == (30, 0)
    assert (g["resolution_seconds"], g["resolution_business_seconds"]) == (1200, 0)


def test_the_week_s_kpis(uow, week):
    kpis = AnalyticsReader(uow).kpis(WEEK, NOW, customers=250)
    closed = kpis["closedRequests"]
    # Closed in the week: A, B, C (its last close), D, G; 4 completed, B unfulfilled.
    assert (closed["closed"], closed["completed"], closed["unfulfilled"]) == (5, 4, 1)
    assert closed["completionRate"] == 0.8
    assert closed["reopenRate"] == 0.2  # C
    assert closed["slaCompliance"] == 0.6  # A, D, G met; B and C late
    assert closed["firstTouchRate"] == 0.4  # A and G (C reopened, D went to a team, B failed)
    # FCR: A is followed by c1's call on the same reason 3 days later; G's next plan.change
    # contact is 13 days after: only G.
    assert kpis["firstContactResolution"] == {"requests": 5, "resolved": 1, "rate": 0.2}
    # Inbound contacts in the week: 1, 2, 3, 4, 6. Within 7 days on the same reason: 1 (by
    # 2) and 3 (by 4); within 30 days 4 too (by 5, on the 20th).
    assert kpis["repeatContactRate"]["7d"] == {"contacts": 5, "repeated": 2, "rate": 0.4}
    assert kpis["repeatContactRate"]["30d"] == {"contacts": 5, "repeated": 3, "rate": 0.6}
    assert kpis["channelMix"] == {"phone": 0.6, "web": 0.2, "ussd": 0.2}
    # Self-service: 3 (web, followed by a call an hour later) and 6 (ussd, nothing after).
    assert kpis["selfServiceContainment"] == {
        "selfService": 2,
        "contained": 1,
        "rate": 0.5,
        "unidentified": 0,
    }
    assert kpis["contactReasonsPer1000Customers"] == {
        "billing.enquiry": 8.0,
        "plan.change": 8.0,
        "information": 4.0,
    }
    # Open at noon on the 9th: F for 8 days, the one raised at 06:00 for 6 hours.
    assert kpis["backlog"] == {
        "open": 2,
        "byAge": {"<1d": 1, "1-3d": 0, "3-7d": 0, "7-30d": 1, ">30d": 0},
    }


@pytest.mark.parametrize(
    ("measure", "values"),
    [
        # Sorted: p50 is the 3rd of 5 (nearest rank), p90 the 5th.
        ("resolution", [1200, 3600, 10800, 14400, 72000]),
        ("resolutionBusiness", [0, 3600, 10800, 14400, 21600]),
        ("firstResponse", [30, 300, 600, 1800, 57600]),
        ("firstResponseBusiness", [0, 300, 600, 1800, 7200]),
    ],
)
def test_percentiles_from_the_roll_ups_lie_in_the_exact_value_s_bucket(uow, week, measure, values):
    closed = AnalyticsReader(uow).kpis(WEEK, NOW, customers=1)["closedRequests"]
    for label, fraction in (("P50", 0.5), ("P90", 0.9)):
        exact = histogram.exact_percentile(values, fraction)
        estimate = closed[f"{measure}{label}Seconds"]
        assert histogram.bucket_of(estimate) == histogram.bucket_of(exact), (label, estimate)
        assert abs(estimate - exact) <= max(60, 0.2 * exact)


def test_a_reopen_takes_the_request_off_its_closing_day(uow, week):
    """C, last closed on Thursday, reopened again (its second close undone): Thursday's
    roll-up loses it, and it is open again."""
    service = AnalyticsService(uow)
    reader = AnalyticsReader(uow)
    service.record_request(
        ticket(
            rid("c"),
            "c5",
            at(4, 8),
            [("inProgress", at(4, 8, 10)), ("closed", at(4, 9)), ("inProgress", at(5, 8))],
            due=at(5, 8),
        ),
        context("fault.report"),
    )
    while service.roll_up():
        pass
    wednesday_thursday = Period(date(2026, 11, 4), date(2026, 11, 6))
    assert reader.closed_requests(wednesday_thursday, [], {}) == []
    assert reader.kpis(WEEK, NOW, customers=1)["backlog"]["open"] == 3


NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))


def test_a_whole_month_is_read_from_its_month_rows_with_the_same_figures(uow, week, session):
    from parley.analytics.models import RequestRollup

    reader = AnalyticsReader(uow)
    months = session.query(RequestRollup).filter_by(span="month").count()
    assert months > 0
    for group_by in (["type", "outcome"], ["resolutionCode"], ["area", "reason"]):
        by_month = reader.closed_requests(NOVEMBER, group_by, {})
        by_day = reader.closed_requests(Period(date(2026, 11, 2), date(2026, 11, 30)), group_by, {})
        assert by_month == by_day and by_month, group_by


def test_a_grouping_no_small_cuboid_holds_is_answered_by_day_from_the_full_one(uow, week):
    groups = AnalyticsReader(uow).closed_requests(NOVEMBER, ["channel", "team"], {"area": "10115"})
    assert [(g["channel"], g["team"], g["closed"]) for g in groups] == [
        ("phone", None, 3),
        ("phone", "technical", 1),
        ("web", None, 1),
    ]


def test_a_reopen_is_taken_off_the_month_too(uow, week):
    service = AnalyticsService(uow)
    service.record_request(
        ticket(rid("b"), "c4", at(2, 16), [("inProgress", at(3, 8))], due=at(3, 10)),
        context("fault.report"),
    )
    while service.roll_up():
        pass
    closed = AnalyticsReader(uow).closed_requests(NOVEMBER, ["outcome"], {})
    assert [(g["outcome"], g["closed"]) for g in closed] == [("completed", 4)]
