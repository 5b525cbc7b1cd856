"""Issue 6 end to end, through the HTTP API: a customer phones in a fault; the request raised in
that call is classified and routed by the fault.repair workflow; two agents work its three tasks
(one hands a task back once); the SLA warning fires on a moved clock; the customer's progress
emails reach a real SMTP server through the outbox worker; the request closes completed by
itself; and the customer's timeline shows the call, the emails and the closing."""

import random

import pytest

from parley.outbox.worker import Worker
from parley.requests.sla.watch import SlaWatch
from tests.factories import create_person_customer
from tests.interactions.helpers import API as INTERACTIONS_API
from tests.interactions.helpers import log_interaction
from tests.outbox.smtp_server import SmtpServer
from tests.requests.helpers import TICKETS, interaction_entity, raise_request, reference
from tests.requests.sla.helpers import moment
from tests.requests.task_helpers import act, open_task, status_of

MESSAGES = "/tmf-api/communicationManagement/v4/communicationMessage"
EMAIL = "maria.lopez@example.org"


@pytest.fixture
def settings(settings):
    """Access tokens that outlast the hours this test makes pass with the clock."""
    return settings.model_copy(update={"access_token_minutes": 24 * 60})


def test_a_phoned_in_fault_is_routed_worked_watched_told_and_closed(
    client, as_user, engine, settings, clock
):
    customer = create_person_customer(client, "Maria", "Lopez", email=EMAIL, phone="0171 5550123")
    preferences = f"/api/v1/customers/{customer['id']}/preferences"
    assert client.put(preferences, json={"preferredChannel": "email"}).status_code == 200

    # The call, and a request raised within it that names no type.
    call = log_interaction(
        client,
        customer,
        reason="fault.report",
        description="Calls because her internet at home has been down since last night",
    )
    assert call["status"] == "opened"
    ticket = raise_request(
        client,
        customer,
        name="Internet down",
        description="No connection at home since last night; router lights are red",
        ticketType="request",
        priority="high",
        relatedEntity=[interaction_entity(call)],
    )
    assert ticket["ticketType"] == "request"  # the client's word, kept as sent
    assert ticket["troubleTicketSpecification"]["name"] == "Fault repair"
    first = ticket["statusChangeHistory"][0]
    assert (first["status"], first["statusChangeReason"]) == (
        "acknowledged",
        "received; classified as fault.repair by reasonCode",
    )
    linked = client.get(f"{INTERACTIONS_API}/partyInteraction/{call['id']}").json()
    assert ticket["id"] in [i["item"]["entity"]["id"] for i in linked["interactionItem"]]
    ended = client.patch(
        f"{INTERACTIONS_API}/partyInteraction/{call['id']}", json={"status": "completed"}
    )
    assert ended.status_code == 200, ended.text

    kim, ole = as_user("kim"), as_user("ole")
    with SmtpServer() as smtp:
        deliver_outbox(engine, settings, smtp)
        # Worded for the customer (issue 18): the reference, the status in words.
        told = reference(ticket)
        # Each about the request carries its token, for the customer's answer to find it.
        assert subjects(smtp) == [
            f"We have received your request {told} [#{told}]",
            f"Your request {told}: in progress [#{told}]",
        ]

        # Diagnosis: Kim takes it, hands it back; Ole diagnoses.
        view = status_of(client, ticket)
        due = moment(view["expectedResolutionDate"])
        assert due == moment(view["sla"]["dueDate"])
        assert (due - moment(view["sla"]["startDate"])).total_seconds() == 8 * 3600  # high
        assert (view["status"], view["workflowStage"]["code"]) == ("inProgress", "diagnose")
        assert view["nextExpectedStep"] == "A technician diagnoses the fault."
        assert tasks_seen(view) == [("Diagnose the fault", "technical", "open", None)]
        diagnosis = open_task(client, ticket)
        assert act(client, diagnosis, "claim", kim).status_code == 200
        handed = act(client, diagnosis, "handBack", kim, {"reason": "needs the line tester"})
        assert handed.status_code == 200, handed.text
        assert handed.json()["reason"] == "needs the line tester"
        assert tasks_seen(status_of(client, ticket)) == [
            ("Diagnose the fault", "technical", "open", None)
        ]
        complete(client, diagnosis, ole, "line card faulty at the cabinet")

        # Repair: Kim takes it; six hours later the SLA warning fires (75 % of 8 h).
        view = status_of(client, ticket)
        assert (view["workflowStage"]["code"], view["nextExpectedStep"]) == (
            "repair",
            "An engineer repairs the fault.",
        )
        assert tasks_seen(view) == [
            ("Diagnose the fault", "technical", "done", "ole"),
            ("Repair the fault", "field", "open", None),
        ]
        repair = open_task(client, ticket)
        assert act(client, repair, "claim", kim).status_code == 200
        clock.advance(hours=6, minutes=1)
        raised = SlaWatch(engine, settings).run_once()
        assert (raised.warnings, raised.breaches, raised.failed) == (1, 0, 0)
        sla = status_of(client, ticket)["sla"]
        assert (sla["state"], sla["warned"], sla["breached"]) == ("running", True, False)
        notes = client.get(f"{TICKETS}/{ticket['id']}").json()["note"]
        assert [n["id"] for n in notes] == ["sla-warning-1"]
        assert notes[0]["text"].startswith("SLA warning: 75 % of the 8 h target (high)")
        complete(client, repair, kim, "line card replaced")

        # Confirmation: Ole calls the customer back; the workflow resolves and closes.
        view = status_of(client, ticket)
        assert view["nextExpectedStep"] == "We check with you that the service works again."
        assert moment(view["expectedResolutionDate"]) == due  # a warning moves no date
        complete(client, open_task(client, ticket), ole, "customer confirms it works")

        view = status_of(client, ticket)
        assert (view["status"], view["outcome"], view["resolutionCode"]) == (
            "closed",
            "completed",
            "repaired",
        )
        assert [h["status"] for h in view["statusChangeHistory"]] == [
            "acknowledged",
            "inProgress",
            "resolved",
            "closed",
        ]
        assert view["statusChangeHistory"][-1]["changedBy"] == "ole"
        assert tasks_seen(view) == [
            ("Diagnose the fault", "technical", "done", "ole"),
            ("Repair the fault", "field", "done", "kim"),
            ("Confirm the repair with the customer", "customer-care", "done", "ole"),
        ]
        sla = view["sla"]
        assert (sla["state"], sla["warned"], sla["breached"]) == ("stopped", True, False)
        assert SlaWatch(engine, settings).run_once().clocks == 0

        deliver_outbox(engine, settings, smtp)

    # The customer's mailbox: every notice the type's notifyOn names, none for the warning,
    # then the satisfaction survey of the closed request.
    told = reference(ticket)
    assert subjects(smtp) == [
        f"We have received your request {told} [#{told}]",
        f"Your request {told}: in progress [#{told}]",
        f"Your request {told}: resolved [#{told}]",
        "How did we do?",
    ]
    assert all(mail.rcpt_tos == [EMAIL] for mail in smtp.received)
    bodies = [mail.message.get_content() for mail in smtp.received][:3]
    assert all(told in body and "Maria Lopez" in body for body in bodies)
    assert not any(ticket["id"] in body for body in bodies)
    assert "(Fault repair)" in bodies[0]

    # The timeline, newest first: the call, the three emails as delivered, the closing (the
    # channel of the API call that closed it), the survey's email. Deliveries refer to their
    # message, and the message names the request; the call and the closing refer to the
    # ticket itself.
    timeline = f"/api/v1/customers/{customer['id']}/interactions"
    entries = client.get(timeline, params={"limit": 50}).json()["items"]
    closing = f"Request {ticket['id']} (Fault repair) closed completed: repaired"
    assert [(summary(e), e["description"]) for e in entries] == [
        (("outbound", "email", "notification"), subjects(smtp)[3]),
        (("outbound", "api", "fault.report"), f"{closing} (repaired and confirmed)"),
        (("outbound", "email", "notification"), subjects(smtp)[2]),
        (("outbound", "email", "notification"), subjects(smtp)[1]),
        (("outbound", "email", "notification"), subjects(smtp)[0]),
        (("inbound", "phone", "fault.report"), call["description"]),
    ]
    assert all(e["status"] == "completed" for e in entries)
    assert [message_of(client, e) for e in entries[2:5]] == [
        f"request {ticket['id']}: {milestone}"
        for milestone in ("resolved", "inProgress", "received")
    ]
    about = client.get(timeline, params={"relatedEntity": ticket["id"]}).json()["items"]
    assert [e["id"] for e in about] == [entries[1]["id"], call["id"]]


def deliver_outbox(engine, settings, smtp: SmtpServer) -> None:
    """What the outbox holds, through a real worker, to the SMTP server."""
    update = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_from": "care@example.net"}
    worker = Worker(engine, settings.model_copy(update=update), rng=random.Random(6))
    try:
        while worker.run_once():
            pass
    finally:
        worker.close()


def subjects(smtp: SmtpServer) -> list[str]:
    return [mail.message["Subject"] for mail in smtp.received]


def complete(client, task: dict, headers: dict, note: str) -> None:
    """Done by the user of ``headers`` (an open task is claimed on the way)."""
    done = act(client, task, "complete", headers, {"note": note})
    assert done.status_code == 200, done.text


def tasks_seen(view: dict) -> list[tuple]:
    return [
        (t["name"], t["queue"]["code"], t["status"], (t.get("assignee") or {}).get("name"))
        for t in view["tasks"]
    ]


def summary(entry: dict) -> tuple:
    return (entry["direction"], entry["channel"], entry["reason"]["code"])


def message_of(client, entry: dict) -> str:
    """The description of the message a delivery refers to: it names the request."""
    logged = client.get(entry["href"].removeprefix("http://testserver")).json()
    (item,) = logged["interactionItem"]
    message = client.get(f"{MESSAGES}/{item['item']['entity']['id']}").json()
    return message["description"]
