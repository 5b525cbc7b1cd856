"""Proactive notices of a problem: who an audience is, the preview, the notices sent by the
workers' job through the customers' preferences (channel, quiet hours; a service message, so
a marketing opt-out does not stop it), a customer told once, and word that it is solved when
the problem closes."""

from datetime import timedelta
from types import SimpleNamespace

from parley.analytics.models import ProblemNoticeRecipient
from parley.analytics.notices import ProblemNotices
from parley.analytics.service import AnalyticsService
from parley.db.base import utcnow
from parley.interactions.models import Interaction
from parley.notifications.models import CommunicationMessage
from parley.outbox.models import OutboxMessage
from tests.analytics.test_problems import PROBLEMS
from tests.factories import assert_tmf_error, create_customer, create_person
from tests.outbox.conftest import drain
from tests.outbox.smtp_server import SmtpServer
from tests.requests.helpers import messages_about, raise_request

ADDRESS = {
    "@type": "GeographicAddressContactMedium",
    "street1": "Invalidenstraße 1",
    "city": "Berlin",
    "country": "DE",
}


def customer(client, uow, post_code: str, **media) -> dict:
    """A customer with a postal address in ``post_code`` and exactly the ``media`` given
    (email=, phone=), known to analysis (as the customer event's reaction makes it)."""
    person = create_person(client, "Kim", f"Muster{post_code}{len(media)}", **media)
    made = create_customer(
        client, person, force=True, contactMedium=[{**ADDRESS, "postCode": post_code}]
    )
    AnalyticsService(uow).on_customer_event({"resourceId": made["id"], "kind": "create"})
    return made


def contacted(uow, who: dict, reason: str, number: int) -> None:
    """An inbound contact of ``who`` on ``reason`` an hour ago, as analysis keeps it."""
    AnalyticsService(uow).record_interaction(
        SimpleNamespace(
            id=f"40000000-0000-4000-8000-{number:012d}",
            customer_id=who["id"],
            direction="inbound",
            channel="phone",
            reason_code=reason,
            started_at=utcnow() - timedelta(hours=1),
            ended_at=utcnow() - timedelta(hours=1),
        )
    )


def test_a_supervisor_tells_the_customers_of_an_area_as_their_preferences_allow(
    client, uow, session, as_user, without_workflows
):
    supervisor = as_user("sup.sam", "supervisor")
    caller = customer(client, uow, "10115", email="caller@example.net")
    texter = customer(client, uow, "10115", phone="+4915112345601")
    unreachable = customer(client, uow, "10115")
    opted_out = customer(client, uow, "10115", email="no.ads@example.net")
    elsewhere = customer(client, uow, "80331", email="far@example.net")
    now = utcnow()
    quiet = {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=2)).strftime("%H:%M"),
    }
    preferences = {"preferredChannel": "sms", "timeZone": "UTC", "quietHours": quiet}
    assert (
        client.put(f"/api/v1/customers/{texter['id']}/preferences", json=preferences).status_code
        == 200
    )
    assert (
        client.put(
            f"/api/v1/customers/{opted_out['id']}/preferences", json={"marketingOptOut": True}
        ).status_code
        == 200
    )
    contacted(uow, caller, "fault.report", 1)
    contacted(uow, elsewhere, "fault.report", 2)  # on the reason, but in another area
    contacted(uow, texter, "billing.enquiry", 3)  # in the area, on another reason
    body = {"reasonCode": "fault.report", "area": "10115", "note": "Mast 17"}
    problem = client.post(PROBLEMS, json=body, headers=supervisor).json()
    notices = f"{PROBLEMS}/{problem['id']}/notices"

    def preview(audience: str) -> dict:
        answer = client.get(f"{notices}/preview", params={"audience": audience}, headers=supervisor)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert preview("contacted") == {
        "audience": "contacted",
        "customers": 1,
        "toldAlready": 0,
        "toReach": 1,
    }
    assert preview("area")["toReach"] == 4
    words = "Engineers are on site; back by 18:00."
    sent = client.post(notices, json={"audience": "area", "message": words}, headers=supervisor)
    assert sent.status_code == 202, sent.text
    assert (sent.json()["status"], sent.json()["audienceSize"]) == ("sending", 4)

    assert ProblemNotices(uow).send_pending(batch=3) == 3  # a batch at a time
    assert ProblemNotices(uow).send_pending(batch=3) == 1
    assert ProblemNotices(uow).send_pending() == 0

    (notice,) = client.get(notices, headers=supervisor).json()
    assert (notice["status"], notice["reached"], notice["unreachable"]) == ("sent", 3, 1)
    told = {r.customer_id: r for r in session.query(ProblemNoticeRecipient)}
    assert set(told) == {caller["id"], texter["id"], unreachable["id"], opted_out["id"]}
    assert "no email or SMS address" in told[unreachable["id"]].unreachable
    email = session.get(CommunicationMessage, told[caller["id"]].message_id)
    assert (email.channel, email.category, email.state) == ("email", "service", "initial")
    assert email.document["subject"] == "We are working on a problem in your area"
    assert words in email.document["content"] and "Fault report" in email.document["content"]
    assert session.get(CommunicationMessage, told[opted_out["id"]].message_id) is not None
    sms = session.get(CommunicationMessage, told[texter["id"]].message_id)
    (held,) = session.query(OutboxMessage).filter_by(subject_id=sms.id).all()
    assert sms.channel == "sms"
    assert held.next_attempt_at == now.replace(second=0, microsecond=0) + timedelta(hours=2)
    # Told once: a second notice to the area reaches nobody new.
    assert preview("area") == {"audience": "area", "customers": 4, "toldAlready": 4, "toReach": 0}


def test_closing_tells_those_told_it_is_solved_except_whose_request_it_closed(
    client, uow, session, as_user, without_workflows
):
    supervisor = as_user("sup.sam", "supervisor")
    with_request = customer(client, uow, "20095", email="req@example.net")
    without = customer(client, uow, "20095", email="plain@example.net")
    body = {"reasonCode": "fault.report", "area": "20095"}
    problem = client.post(PROBLEMS, json=body, headers=supervisor).json()
    ticket = raise_request(client, with_request, ticketType="fault.repair")
    AnalyticsService(uow).on_request_event({"resourceId": ticket["id"], "kind": "create"})
    notices = f"{PROBLEMS}/{problem['id']}/notices"
    assert client.post(notices, json={"audience": "area"}, headers=supervisor).status_code == 202
    ProblemNotices(uow).send_pending()
    session.commit()

    closed = client.post(
        f"{PROBLEMS}/{problem['id']}/close", json={"resolution": "Mast 17 repaired"},
        headers=supervisor,
    )  # fmt: skip
    assert closed.status_code == 200 and closed.json()["requestsClosed"] == 1
    assert ProblemNotices(uow).send_pending() == 1

    notice, solved = client.get(notices, headers=supervisor).json()
    assert (solved["kind"], solved["audience"], solved["reached"]) == ("resolved", "told", 1)
    session.expire_all()
    resolved = {
        r.customer_id: r for r in session.query(ProblemNoticeRecipient).filter_by(kind="resolved")
    }
    message = session.get(CommunicationMessage, resolved[without["id"]].message_id)
    assert "Mast 17 repaired" in message.document["content"]
    assert resolved[with_request["id"]].message_id is None  # their request's notice says it
    assert messages_about(session, ticket["id"])
    refused = client.post(notices, json={"audience": "area"}, headers=supervisor)
    assert_tmf_error(refused, 409)


def test_notices_need_problem_write_and_a_known_audience(client, as_user):
    problem = client.post(PROBLEMS, json={"reasonCode": "fault.report", "area": "50667"}).json()
    notices = f"{PROBLEMS}/{problem['id']}/notices"
    agent = as_user("agent.ana")
    assert_tmf_error(client.post(notices, json={"audience": "area"}, headers=agent), 403)
    assert_tmf_error(client.post(notices, json={"audience": "world"}), 400)
    assert_tmf_error(client.post(notices, json={"audience": "area", "message": "x" * 301}), 400)
    assert_tmf_error(client.get(f"{notices}/preview", params={"audience": "world"}), 400)
    assert_tmf_error(client.get(f"{PROBLEMS}/not-a-problem/notices"), 404)


def test_each_notice_delivered_is_an_outbound_interaction_of_the_customer(
    client, uow, session, engine, make_worker
):
    told = customer(client, uow, "40210", email="told@example.net")
    session.commit()  # the area kept for the customer (SQLite: the write lock let go)
    problem = client.post(PROBLEMS, json={"reasonCode": "fault.report", "area": "40210"}).json()
    sent = client.post(f"{PROBLEMS}/{problem['id']}/notices", json={"audience": "area"})
    assert sent.status_code == 202, sent.text
    assert ProblemNotices(uow).send_pending() == 1
    session.commit()

    with SmtpServer() as smtp:
        drain(make_worker(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="p@example.net"))

    (got,) = smtp.received
    assert got.rcpt_tos == ["told@example.net"]
    assert got.message["Subject"] == "We are working on a problem in your area"
    session.expire_all()
    (recipient,) = session.query(ProblemNoticeRecipient).all()
    logged = (
        session.query(Interaction).filter_by(customer_id=told["id"], direction="outbound").all()
    )
    (interaction,) = logged
    assert interaction.status == "completed"
    items = interaction.document["interactionItem"]
    assert items[0]["item"]["entity"]["id"] == recipient.message_id
