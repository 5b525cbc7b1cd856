"""Problems: opened by detection or by a supervisor, linking new contacts and requests on
their reason in their area, and closing their linked requests when solved."""

from datetime import UTC, datetime, timedelta

from parley.analytics.detection import HOURS_A_WEEK
from parley.analytics.models import ContactHour, Problem
from parley.analytics.problems import Problems
from parley.analytics.service import AnalyticsService
from parley.requests.models import CustomerRequest
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import messages_about, patch, raise_request

PROBLEMS = "/api/v1/problems"


def customer_in(client, post_code: str) -> dict:
    address = {
        "@type": "GeographicAddressContactMedium",
        "street1": "Invalidenstraße 1",
        "postCode": post_code,
        "city": "Berlin",
        "country": "DE",
    }
    return create_customer(client, contactMedium=[address])


def test_a_problem_links_requests_in_its_area_and_closing_it_closes_them(
    client, as_user, uow, session, without_workflows
):
    supervisor = as_user("sup.sam", "supervisor")
    opened = client.post(
        PROBLEMS, json={"reasonCode": "fault.report", "area": "10115"}, headers=supervisor
    )
    assert opened.status_code == 201, opened.text
    problem = opened.json()
    inside, elsewhere = customer_in(client, "10115"), customer_in(client, "80331")
    affected = raise_request(client, inside, ticketType="fault.repair")
    unaffected = raise_request(client, elsewhere, ticketType="fault.repair")
    started = raise_request(client, inside, ticketType="fault.repair")
    assert patch(client, started, {"status": "inProgress"}).status_code == 200
    analytics = AnalyticsService(uow)
    for ticket in (affected, unaffected, started):  # as the event worker's reactions do
        analytics.on_request_event({"resourceId": ticket["id"], "kind": "update"})
    assert [p.id for p in analytics.problems_near(inside["id"])] == [problem["id"]]
    assert analytics.problems_near(elsewhere["id"]) == []
    session.commit()  # as the worker's transaction ends (the reads below roll theirs back)

    shown = client.get(f"{PROBLEMS}/{problem['id']}", headers=supervisor).json()
    linked = {link["id"] for link in shown["linked"] if link["type"] == "request"}
    assert linked == {affected["id"], started["id"]}

    closed = client.post(
        f"{PROBLEMS}/{problem['id']}/close",
        json={"resolution": "Mast 17 repaired"},
        headers=supervisor,
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["requestsClosed"]) == ("closed", 2)
    session.expire_all()  # the API changed them in its own session
    for ticket in (affected, started):
        row = session.get(CustomerRequest, ticket["id"])
        assert (row.status, row.outcome, row.resolution_code) == (
            "closed",
            "completed",
            "problem.resolved",
        )
        assert messages_about(session, ticket["id"]), "the customer is told"
    assert session.get(CustomerRequest, unaffected["id"]).status == "acknowledged"
    again = client.post(
        f"{PROBLEMS}/{problem['id']}/close", json={"resolution": "again"}, headers=supervisor
    )
    assert_tmf_error(again, 409)


def test_agents_read_no_problems_and_open_none(client, as_user):
    agent = as_user("agent.ana")
    assert_tmf_error(client.get(PROBLEMS, headers=agent), 403)
    refused = client.post(PROBLEMS, json={"reasonCode": "x", "area": "1"}, headers=agent)
    assert_tmf_error(refused, 403)


def test_one_open_problem_per_reason_and_area_and_bad_input_is_a_400(client):
    body = {"reasonCode": "fault.report", "area": "20095"}
    assert client.post(PROBLEMS, json=body).status_code == 201
    assert_tmf_error(client.post(PROBLEMS, json=body), 409)
    assert_tmf_error(client.post(PROBLEMS, json={"reasonCode": "", "area": "1"}), 400)
    assert_tmf_error(client.post(PROBLEMS, json={"area": "1"}), 400)
    assert_tmf_error(client.get(PROBLEMS, params={"status": "maybe"}), 400)
    assert_tmf_error(client.get(f"{PROBLEMS}/not-an-id"), 404)


def test_detection_opens_a_problem_for_the_cell_that_spikes_once(uow, session):
    """Five weeks of two contacts an hour on two reasons in one area, then 25 fault
    reports in the last hour: one problem, for the faults, and none more an hour on."""
    now = datetime(2026, 11, 30, 10, 20, tzinfo=UTC)
    end = now.replace(minute=0)
    for back in range(1, 5 * HOURS_A_WEEK + 1):
        hour = end - timedelta(hours=back)
        for reason in ("fault.report", "billing.enquiry"):
            faults = 25 if back == 1 and reason == "fault.report" else 2
            session.add(
                ContactHour(
                    day=hour.date(), hour=hour, reason_code=reason, area="10115", contacts=faults
                )  # fmt: skip
            )
    session.flush()
    opened = Problems(uow).detect(now)
    assert [(p.reason_code, p.area, p.detector, p.observed) for p in opened] == [
        ("fault.report", "10115", "spike", 25)
    ]
    assert opened[0].expected == 2.0 and opened[0].probability < 1e-6
    assert Problems(uow).detect(now) == []  # open already
    assert session.query(Problem).count() == 1
