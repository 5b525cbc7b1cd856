"""Taking a monetary adjustment: within the requester's limit it goes to billing at once and the
request waits in progress for billing's acknowledgement (requests/handoffs); above it an
approval waits and the request is pending; bad amounts, currencies and accounts are refused
with nothing written."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.requests.approvals.models import Approval
from parley.requests.service import RequestService
from tests.accounts.helpers import API as ACCOUNT_API
from tests.factories import assert_tmf_error, create_customer
from tests.requests.adjustment_helpers import (
    APPROVALS,
    adjustment_payload,
    approval_of,
    billing_messages,
    characteristics,
    customer_with_account,
    raise_adjustment,
    staff,
    written,
)
from tests.requests.helpers import TICKETS, characteristic, patch


@pytest.fixture
def account(client):
    return customer_with_account(client)


def test_within_the_agents_limit_it_goes_to_billing_and_waits(client, session, settings, account):
    customer, billing_account = account
    agent = staff(client, session, settings, "agent")

    ticket = raise_adjustment(client, agent.headers, customer, billing_account, "99.50")

    assert ticket["status"] == "inProgress"
    assert [c["status"] for c in ticket["statusChangeHistory"]] == ["acknowledged", "inProgress"]
    assert "handed to billing (within the limit of" in ticket["statusChangeReason"]
    assert "outcome" not in characteristics(ticket)
    (message,) = billing_messages(session)
    assert message.payload["correlationId"] == characteristics(ticket)["correlationId"]
    assert message.idempotency_key == f"adjustment:{ticket['id']}"
    sent = message.payload
    assert (sent["amount"], sent["currency"]) == ("99.50", "EUR")
    assert sent["billingAccount"]["id"] == billing_account["id"]
    assert sent["customer"]["id"] == customer["id"] and sent["request"]["id"] == ticket["id"]
    assert sent["reason"] == "Credit for the outage of last week"
    assert sent["requestedBy"] == sent["approvedBy"] == agent.username
    assert sent["approval"] is None
    assert session.scalars(select(Approval)).all() == []


def test_above_the_agents_limit_it_waits_for_approval(client, session, settings, account):
    customer, billing_account = account
    agent = staff(client, session, settings, "agent")

    ticket = raise_adjustment(client, agent.headers, customer, billing_account, "250")

    assert ticket["status"] == "pending"
    assert ticket["statusChangeHistory"][-1]["statusChangeReason"] == (
        "awaiting approval by a supervisor"
    )
    assert billing_messages(session) == []
    approval = approval_of(client, agent.headers, ticket)
    assert approval["status"] == "pending"
    assert (approval["amount"], approval["currency"], approval["requesterLimit"]) == (
        "250.00",
        "EUR",
        "100.00",
    )
    assert approval["requestedBy"] == {"id": agent.user_id, "name": agent.username}
    assert approval["billingAccount"]["id"] == billing_account["id"]
    assert approval["request"]["id"] == ticket["id"] and approval["decidedBy"] is None
    one = client.get(f"{APPROVALS}/{approval['id']}", headers=agent.headers)
    assert one.status_code == 200 and one.json() == approval
    assert one.headers["ETag"] == '"1"'
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_type == "approval")
    ).all()
    assert [(a.action, a.actor_name) for a in audited] == [("create", agent.username)]


def test_a_supervisor_adjusts_within_their_own_limit(client, session, settings, account):
    customer, billing_account = account
    supervisor = staff(client, session, settings, "supervisor")

    ticket = raise_adjustment(client, supervisor.headers, customer, billing_account, "500")

    assert ticket["status"] == "inProgress"  # to billing, not to approval
    assert len(billing_messages(session)) == 1


def test_the_highest_limit_of_several_roles_counts(client, session, settings, account):
    customer, billing_account = account
    both = staff(client, session, settings, "agent", "supervisor")

    ticket = raise_adjustment(client, both.headers, customer, billing_account, "700")

    assert ticket["status"] == "inProgress"  # to billing, not to approval
    assert len(billing_messages(session)) == 1


def test_above_every_approvers_limit_is_refused(client, session, settings, account):
    customer, billing_account = account
    before = written(session)

    response = client.post(
        TICKETS, json=adjustment_payload(customer, billing_account["id"], "5000")
    )

    assert_tmf_error(response, 400, "amount", "5000.00 EUR", "1000.00 EUR")
    assert written(session) == before


@pytest.mark.parametrize(
    ("amount", "currency", "named"),
    [
        ("lots", "EUR", "amount"),
        ("-5", "EUR", "amount"),
        ("0", "EUR", "amount"),
        ("10.001", "EUR", "two decimal places"),
        ("NaN", "EUR", "amount"),
        ("1e12", "EUR", "amount"),
        ("10", "EURO", "currency"),
        ("10", "€", "currency"),
        ("500", "USD", "no role's limit is in USD"),
    ],
)
def test_bad_amounts_and_currencies_are_refused(client, session, account, amount, currency, named):
    customer, billing_account = account
    before = written(session)
    payload = adjustment_payload(customer, billing_account["id"], amount, currency)

    assert_tmf_error(client.post(TICKETS, json=payload), 400, named)
    assert written(session) == before


def test_the_account_must_be_an_active_one_of_the_customer(client, session, account):
    customer, billing_account = account
    _, strangers = customer_with_account(client)
    closed = client.patch(
        f"{ACCOUNT_API}/billingAccount/{billing_account['id']}", json={"state": "closed"}
    )
    assert closed.status_code == 200, closed.text
    before = written(session)

    for account_id, named in (
        (strangers["id"], "no billing account"),
        ("no-such-account", "no billing account"),
        (billing_account["id"], "closed"),
    ):
        payload = adjustment_payload(customer, account_id)
        assert_tmf_error(client.post(TICKETS, json=payload), 400, "billingAccount", named)
    assert written(session) == before


def test_an_integrations_adjustment_always_waits_for_approval(session, settings, client):
    customer, billing_account = customer_with_account(client)
    setup = UnitOfWork(session, settings, Actor("test-setup", "test"))
    made = UserService(setup).create_user("crm-client", ["integration"], "client", None)
    session.commit()
    crm = Actor("crm-client", "api", made.user.id, "crm-client")

    row = RequestService(UnitOfWork(session, settings, crm)).create(
        adjustment_payload(customer, billing_account["id"], "5")
    )
    session.commit()

    assert row.status == "pending"
    approval = session.scalars(select(Approval)).one()
    assert approval.requested_by_id == made.user.id and approval.requester_limit == Decimal(0)


def test_a_system_without_a_user_gets_no_limit_either(session, settings, client):
    customer, billing_account = customer_with_account(client)
    system = Actor("nightly-import", "cli")

    row = RequestService(UnitOfWork(session, settings, system)).create(
        adjustment_payload(customer, billing_account["id"], "1.00")
    )

    assert row.status == "pending"
    assert session.scalars(select(Approval)).one().requested_by == "nightly-import"
    session.rollback()


def test_a_taken_adjustment_keeps_its_amount(client, session, settings, account):
    customer, billing_account = account
    agent = staff(client, session, settings, "agent")
    ticket = raise_adjustment(client, agent.headers, customer, billing_account, "250")
    changed = [
        characteristic("amount", "90"),
        characteristic("currency", "EUR"),
        characteristic("billingAccount", billing_account["id"]),
    ]

    response = patch(client, ticket, {"troubleTicketCharacteristic": changed})

    assert_tmf_error(response, 400, "amount", "can't change")


def test_cancelling_the_request_withdraws_its_approval(client, session, settings, account):
    customer, billing_account = account
    agent = staff(client, session, settings, "agent")
    supervisor = staff(client, session, settings, "supervisor")
    ticket = raise_adjustment(client, agent.headers, customer, billing_account, "250")
    approval = approval_of(client, agent.headers, ticket)

    cancelled = client.post(
        f"/api/v1/requests/{ticket['id']}/cancel",
        json={"reason": "customer changed their mind"},
        headers=agent.headers,
    )

    assert cancelled.status_code == 200, cancelled.text
    withdrawn = approval_of(client, agent.headers, ticket)
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["decidedBy"]["name"] == agent.username
    assert "customer changed their mind" in withdrawn["decisionNote"]
    late = client.post(f"{APPROVALS}/{approval['id']}/approve", json={}, headers=supervisor.headers)
    assert_tmf_error(late, 409, "withdrawn")
    assert billing_messages(session) == []


def test_other_request_types_are_not_affected(client, session):
    customer = create_customer(client)
    response = client.post(
        TICKETS,
        json={
            "@type": "TroubleTicket",
            "description": "No signal",
            "severity": "major",
            "ticketType": "fault.repair",
            "relatedParty": adjustment_payload(customer, "x")["relatedParty"],
        },
    )
    # Its workflow takes it on (the first task queued), no approval is asked for.
    assert response.status_code == 201 and response.json()["status"] == "inProgress"
    assert session.scalars(select(Approval)).all() == []
