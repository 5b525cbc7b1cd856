"""Deciding an approval: a supervisor whose limit covers the amount approves (to billing; the
request closes completed once billing acknowledges it, and the customer is told) or rejects
(the request closes unfulfilled); never the requester, never twice, never on a stale read."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.errors import DomainError, Forbidden
from parley.outbox.models import OutboxMessage
from parley.requests.approvals.service import ApprovalService
from tests.factories import assert_tmf_error
from tests.requests.adjustment_helpers import (
    APPROVALS,
    approval_of,
    billing_messages,
    characteristics,
    customer_with_account,
    raise_adjustment,
    staff,
)
from tests.requests.handoffs.helpers import BILLING_ACKS
from tests.requests.helpers import REQUESTS, TICKETS, messages_about

SETUP = Actor("test-setup", "test")


@pytest.fixture
def waiting(client, session, settings):
    """An agent's 250 EUR adjustment waiting for approval: (agent, ticket, approval)."""
    customer, account = customer_with_account(client)
    agent = staff(client, session, settings, "agent")
    ticket = raise_adjustment(client, agent.headers, customer, account, "250")
    return agent, ticket, approval_of(client, agent.headers, ticket)


@pytest.fixture
def supervisor(client, session, settings):
    return staff(client, session, settings, "supervisor")


def _decide(client, approval, verdict, headers, note=None, **extra):
    body = {} if note is None else {"note": note}
    return client.post(
        f"{APPROVALS}/{approval['id']}/{verdict}", json=body, headers={**headers, **extra}
    )


def test_a_supervisor_approves_and_billing_gets_it(client, session, waiting, supervisor):
    agent, ticket, approval = waiting

    response = _decide(client, approval, "approve", supervisor.headers, "Loyal customer")

    assert response.status_code == 200, response.text
    decided = response.json()
    assert decided["status"] == "approved" and decided["decisionNote"] == "Loyal customer"
    assert decided["decidedBy"] == {"id": supervisor.user_id, "name": supervisor.username}
    assert decided["decidedAt"] and response.headers["ETag"] == '"2"'
    handed = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert handed["status"] == "inProgress"  # waiting for billing's acknowledgement
    assert handed["statusChangeHistory"][-1]["changedBy"] == supervisor.username
    assert "approved by " + supervisor.username in handed["note"][-1]["text"]
    (message,) = billing_messages(session)
    assert message.idempotency_key == f"adjustment:{ticket['id']}"
    assert message.payload["amount"] == "250.00"
    assert message.payload["requestedBy"] == agent.username
    assert message.payload["approvedBy"] == supervisor.username
    assert message.payload["approval"]["id"] == approval["id"]
    correlation = characteristics(handed)["correlationId"]
    assert message.payload["correlationId"] == correlation
    session.rollback()  # ends the read: billing's answer must not be written inside it
    acknowledged = client.post(
        BILLING_ACKS, json={"correlationId": correlation, "state": "completed"}
    )
    assert acknowledged.status_code == 200, acknowledged.text
    closed = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert closed["status"] == "closed"
    assert characteristics(closed)["outcome"] == "completed"
    assert characteristics(closed)["resolutionCode"] == "adjusted"
    moves = [c["status"] for c in closed["statusChangeHistory"]]
    assert moves[-3:] == ["inProgress", "resolved", "closed"]
    notices = [m.document["description"] for m in messages_about(session, ticket["id"])]
    assert sorted(notices) == [f"request {ticket['id']}: {m}" for m in ("received", "resolved")]
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_type == "approval").order_by(AuditEntry.at)
    ).all()
    assert [(a.action, a.after["status"]) for a in audited] == [
        ("create", "pending"),
        ("update", "approved"),
    ]
    events = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "event")).all()
    told = [
        (e.payload["kind"], e.payload["document"]["status"])
        for e in events
        if e.payload["resourceType"] == "approval"
    ]
    assert sorted(told) == [("create", "pending"), ("update", "approved")]


def test_a_supervisor_rejects_with_a_note(client, session, waiting, supervisor):
    _, ticket, approval = waiting

    assert _decide(client, approval, "reject", supervisor.headers).status_code == 400
    response = _decide(client, approval, "reject", supervisor.headers, "Credited last month")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    status = client.get(f"{REQUESTS}/{ticket['id']}/status").json()
    assert status["status"] == "closed" and status["outcome"] == "unfulfilled"
    closed = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert characteristics(closed)["resolutionCode"] == "rejected"
    assert "Credited last month" in closed["statusChangeHistory"][-1]["statusChangeReason"]
    assert billing_messages(session) == []


def test_the_requester_never_decides_their_own(client, session, settings, waiting):
    agent, _, approval = waiting
    UserService(UnitOfWork(session, settings, SETUP)).update_user(
        agent.user_id, roles=["supervisor"]
    )
    session.commit()  # promoted while the adjustment waits

    for verdict in ("approve", "reject"):
        response = _decide(client, approval, verdict, agent.headers, "mine")
        assert_tmf_error(response, 403, "you raised this adjustment")
    listed = client.get(APPROVALS, params={"decidable": "true"}, headers=agent.headers)
    assert listed.json() == []


def test_an_agent_cannot_decide(client, waiting):
    agent, _, approval = waiting
    other_agent_headers = agent.headers
    response = _decide(client, approval, "approve", other_agent_headers)
    assert_tmf_error(response, 403, "request:approve")


def test_an_approver_whose_limit_is_too_low_is_refused(client, session, settings, waiting):
    _, _, approval = waiting
    RoleService(UnitOfWork(session, settings, SETUP)).create_role(
        "team-lead",
        ["request:approve", "approval:read"],
        {"adjustmentLimit": 200.0, "currency": "EUR"},
    )
    session.commit()
    lead = staff(client, session, settings, "team-lead")

    response = _decide(client, approval, "approve", lead.headers)

    assert_tmf_error(response, 403, "200.00 EUR", "250.00 EUR")
    assert client.get(APPROVALS, params={"decidable": "true"}, headers=lead.headers).json() == []
    assert approval_of(client, lead.headers, {"id": approval["request"]["id"]})["status"] == (
        "pending"
    )


def test_a_stale_if_match_is_412_and_a_second_decision_409(client, session, waiting, supervisor):
    _, _, approval = waiting

    stale = _decide(client, approval, "approve", supervisor.headers, **{"If-Match": '"7"'})
    assert_tmf_error(stale, 412, "version 1")
    first = _decide(client, approval, "approve", supervisor.headers, **{"If-Match": '"1"'})
    assert first.status_code == 200, first.text
    again = _decide(client, approval, "reject", supervisor.headers, "changed my mind")
    assert_tmf_error(again, 409, "already approved", supervisor.username)
    assert len(billing_messages(session)) == 1


def test_the_queue_shows_what_the_caller_may_decide(client, session, settings, supervisor):
    customer, account = customer_with_account(client)
    agent = staff(client, session, settings, "agent")
    small = raise_adjustment(client, agent.headers, customer, account, "150")
    large = raise_adjustment(client, agent.headers, customer, account, "900")
    raise_adjustment(client, agent.headers, customer, account, "50")  # within the limit

    queue = client.get(APPROVALS, params={"decidable": "true"}, headers=supervisor.headers)

    assert queue.status_code == 200 and queue.headers["X-Total-Count"] == "2"
    assert {a["request"]["id"] for a in queue.json()} == {small["id"], large["id"]}
    _decide(client, approval_of(client, agent.headers, small), "approve", supervisor.headers)
    pending = client.get(APPROVALS, params={"status": "pending"}, headers=agent.headers).json()
    assert [a["request"]["id"] for a in pending] == [large["id"]]
    assert client.get(APPROVALS, params={"status": "maybe"}).status_code == 400
    assert client.get(APPROVALS, params={"decidable": "true"}, headers=agent.headers).json() == []
    assert client.get(f"{APPROVALS}/no-such-approval").status_code == 404


def test_the_service_refuses_a_decider_without_the_permission(session, settings, client, waiting):
    _, _, approval = waiting
    made = UserService(UnitOfWork(session, settings, SETUP)).create_user(
        "plain-agent", ["agent"], "staff", "Correct-Horse-Battery-9"
    )
    session.commit()
    actor = Actor("plain-agent", "cli", made.user.id)

    with pytest.raises(Forbidden, match="request:approve"):
        ApprovalService(UnitOfWork(session, settings, actor)).approve(approval["id"])
    session.rollback()


def test_two_supervisors_deciding_at_once_make_one_decision(client, engine, settings, waiting):
    _, ticket, approval = waiting
    deciders = []
    with Session(engine) as setup:
        for name in ("sup.one", "sup.two"):
            made = UserService(UnitOfWork(setup, settings, SETUP)).create_user(
                name, ["supervisor"], "staff", "Correct-Horse-Battery-9"
            )
            deciders.append(Actor(name, "test", made.user.id))
        setup.commit()
    start, outcomes = threading.Barrier(2), []

    def decide(actor: Actor, verdict: str) -> None:
        with Session(engine) as session:
            service = ApprovalService(UnitOfWork(session, settings, actor))
            start.wait()
            try:
                if verdict == "approve":
                    service.approve(approval["id"], "ok")
                else:
                    service.reject(approval["id"], "no")
                session.commit()
                outcomes.append(verdict)
            except DomainError as error:
                session.rollback()
                outcomes.append(error.status)

    threads = [
        threading.Thread(target=decide, args=(actor, verdict))
        for actor, verdict in zip(deciders, ("approve", "reject"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(map(str, outcomes)) in (["409", "approve"], ["409", "reject"])
    decided = client.get(f"{APPROVALS}/{approval['id']}").json()
    assert (
        decided["status"]
        == {"approve": "approved", "reject": "rejected"}[next(o for o in outcomes if o != 409)]
    )
    # Approved, it waits for billing; rejected, it is closed: either way, once.
    decided_request = client.get(f"{TICKETS}/{ticket['id']}").json()
    winner = next(o for o in outcomes if o != 409)
    assert decided_request["status"] == {"approve": "inProgress", "reject": "closed"}[winner]
    closings = [c["status"] for c in decided_request["statusChangeHistory"]].count("closed")
    assert closings == (1 if winner == "reject" else 0)
