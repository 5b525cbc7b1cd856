"""The KPIs of surveys, self-service sessions and persons with several accounts, each on a
hand-built history with the expected figures worked out here (docs/analytics.md).

The period is the week of Monday 2 November 2026 (WEEK); what falls outside it is there to be
left out."""

from datetime import date, timedelta

import pytest

from parley.analytics.analysis import AnalyticsReader, Period
from parley.analytics.repository import AnalyticsRepository
from parley.analytics.service import AnalyticsService
from parley.channels.models import ChannelSession
from parley.requests.models import SatisfactionSurvey
from tests.analytics.histories import at, contact, context, ticket
from tests.factories import create_customer, create_individual
from tests.requests.helpers import raise_request

WEEK = Period(date(2026, 11, 2), date(2026, 11, 9))
NOW = at(9, 12)


def kpis(uow) -> dict:
    return AnalyticsReader(uow).kpis(WEEK, NOW, customers=100)


def survey(session, request: dict, customer: dict, asked, answered=None, rating=None):
    session.add(
        SatisfactionSurvey(
            request_id=request["id"],
            customer_id=customer["id"],
            token_hash=f"{request['id']}-{asked.isoformat()}"[:64],
            created_at=asked,
            expires_at=asked + timedelta(days=7),
            answered_at=answered,
            rating=rating,
        )
    )


def test_csat_counts_the_answers_of_the_period_by_type_and_overall(client, uow, session):
    customer = create_customer(client)
    faults = [raise_request(client, customer, ticketType="fault.repair") for _ in range(4)]
    plans = [raise_request(client, customer, ticketType="request.status") for _ in range(3)]
    # Asked in the week: six surveys, four answered (the fourth only after the week).
    survey(session, faults[0], customer, at(2, 9), at(2, 10), 5)
    survey(session, faults[1], customer, at(3, 9), at(4, 10), 4)
    survey(session, faults[2], customer, at(4, 9), at(5, 10), 2)
    survey(session, plans[0], customer, at(5, 9), at(6, 10), 3)
    survey(session, plans[1], customer, at(8, 20), at(10, 9), 5)  # answered after the week
    survey(session, plans[2], customer, at(6, 9))  # never answered
    # Asked the week before, answered in this one: counts as an answer of the week.
    survey(session, faults[3], customer, at(28, 9, month=10), at(2, 11), 1)
    session.flush()

    csat = kpis(uow)["csat"]

    # Answers given in the week: 5, 4, 2 (faults), 3 (dispute), 1 (fault asked the week before).
    assert (csat["answered"], csat["satisfied"]) == (5, 2)
    assert csat["score"] == 0.4  # 2 of 5 rated 4 or 5
    assert csat["averageRating"] == 3.0  # (5 + 4 + 2 + 3 + 1) / 5
    assert csat["ratings"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    # Of the six asked in the week, five are answered by now (one after the week).
    assert (csat["asked"], csat["responseRate"]) == (6, 0.8333)
    assert csat["byType"] == {
        "fault.repair": {"answered": 4, "satisfied": 2, "score": 0.5, "averageRating": 3.0},
        "request.status": {"answered": 1, "satisfied": 0, "score": 0.0, "averageRating": 3.0},
    }


def test_csat_of_a_period_without_surveys_says_so_with_no_figures(uow):
    csat = kpis(uow)["csat"]
    assert csat["asked"] == csat["answered"] == 0
    assert csat["score"] is csat["averageRating"] is csat["responseRate"] is None


def sessions(session, channel: str, *statuses_and_starts) -> None:
    for number, (status, started) in enumerate(statuses_and_starts):
        session.add(
            ChannelSession(
                channel=channel,
                gateway="test",
                session_key=f"{channel}-{started.isoformat()}-{number}",
                msisdn="+4915112345678",
                menu_code="main",
                language="en",
                status=status,
                step=1,
                state={},
                expires_at=started,
                created_at=started,
                updated_at=started,
            )
        )


def test_abandoned_sessions_are_the_share_of_the_sessions_over(uow, session):
    sessions(
        session,
        "ussd",
        ("ended", at(2, 9)),
        ("abandoned", at(2, 10)),
        ("ended", at(3, 9)),
        ("ended", at(8, 23, 59)),
        ("active", at(8, 23, 59, 30)),  # still going on: not over, left out
        ("abandoned", at(9, 0, 0)),  # the day after the week
    )
    sessions(
        session,
        "ivr",
        ("abandoned", at(4, 9)),
        ("abandoned", at(4, 10)),
        ("ended", at(5, 9)),
        ("abandoned", at(1, 23, 59, 59)),  # the day before the week
    )
    sessions(session, "sms", ("abandoned", at(4, 9)))  # not a session one abandons
    session.flush()

    figures = kpis(uow)["abandonedSessions"]

    assert figures["byChannel"] == {
        "ivr": {"sessions": 3, "abandoned": 2, "rate": 0.6667},
        "ussd": {"sessions": 4, "abandoned": 1, "rate": 0.25},
    }
    assert (figures["sessions"], figures["abandoned"], figures["rate"]) == (7, 3, 0.4286)


PEOPLE = {"c10": "p1", "c11": "p1", "c12": "p2", "c13": "p2", "c14": "p4"}


def persons(session, people: dict) -> None:
    repo = AnalyticsRepository(session)
    for customer, party in people.items():
        repo.save_customer(
            {"customer_id": customer, "party_id": party, "status": "active", "segment": None,
             "area": "10115"}
        )  # fmt: skip


@pytest.fixture
def two_accounts(uow, session):
    """c10 and c11 are two accounts of one person (p1), c12 and c13 of another (p2); c14 is
    someone else."""
    service = AnalyticsService(uow)
    # A request of c10 closed at the first touch on Monday; the same person calls on
    # Wednesday about the same thing, quoting the other account.
    service.record_request(
        ticket(
            "00000000-0000-4000-8000-0000000000a1",
            "c10",
            at(2, 9),
            [("inProgress", at(2, 9, 10)), ("closed", at(2, 9, 30))],
            outcome="completed",
            code="explained",
        ),
        context("billing.enquiry"),
    )
    for number, (customer, channel, started) in enumerate(
        (
            ("c10", "phone", at(2, 9)),
            ("c11", "phone", at(4, 9)),
            ("c12", "web", at(5, 8)),  # self-service, then the other account calls
            ("c13", "phone", at(5, 9)),
            ("c14", "web", at(6, 8)),  # someone else's self-service, and no call after
            (None, "ussd", at(6, 9)),  # nobody we know
        )
    ):
        service.record_interaction(
            contact(
                f"20000000-0000-4000-8000-00000000000{number}",
                customer,
                channel,
                "billing.enquiry",
                started,
            )
        )
    while service.roll_up():
        pass
    # Who is who, as the customer events keep it (these customers are not on record, so
    # the facts' upkeep above found nobody behind them).
    persons(session, PEOPLE)


def test_a_person_s_accounts_count_as_one_customer(uow, two_accounts):
    figures = kpis(uow)
    # Five contacts with a customer. Within 7 days the same person came back on
    # billing.enquiry after the 1st (p1, by the 2nd) and the 3rd (p2, by the 4th).
    assert figures["repeatContactRate"]["7d"] == {"contacts": 5, "repeated": 2, "rate": 0.4}
    # The request of c10 was resolved at the first touch, but its person called again.
    assert figures["firstContactResolution"] == {"requests": 1, "resolved": 0, "rate": 0.0}
    # c12's self-service was followed by c13's call an hour later: not contained; c14's
    # was; the unknown caller's cannot be followed.
    assert figures["selfServiceContainment"] == {
        "selfService": 2,
        "contained": 1,
        "rate": 0.5,
        "unidentified": 1,
    }


def test_accounts_of_different_people_count_apart(uow, session, two_accounts):
    """Had every account been someone else's, none of the above would be a repeat."""
    persons(session, {customer: f"own-{customer}" for customer in PEOPLE})
    figures = kpis(uow)
    assert figures["repeatContactRate"]["7d"] == {"contacts": 5, "repeated": 0, "rate": 0.0}
    assert figures["firstContactResolution"]["resolved"] == 1
    assert figures["selfServiceContainment"]["contained"] == 2


def test_the_person_behind_an_account_is_kept_from_the_parties_events(client, uow, session):
    person = create_individual(client)
    first = create_customer(client, person)
    second = create_customer(client, person, force=True)
    other = create_customer(client)
    service = AnalyticsService(uow)
    for customer in (first, second, other):  # as the event worker's reactions do
        service.on_customer_event({"resourceId": customer["id"], "kind": "create"})
    persons = AnalyticsRepository(session).persons_of([first["id"], second["id"], other["id"]])
    assert persons[first["id"]] == persons[second["id"]] == person["id"]
    assert persons[other["id"]] != person["id"]
