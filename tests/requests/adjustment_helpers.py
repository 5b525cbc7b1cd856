"""Adjustment requests and their approvals in tests: a customer with a billing account, users
of each role with their headers, and raising an adjustment."""

from dataclasses import dataclass

from sqlalchemy import func, select

from parley.outbox.models import OutboxMessage
from parley.requests.approvals.models import Approval
from parley.requests.models import CustomerRequest
from tests.accounts.helpers import create_account
from tests.auth.helpers import bearer, login, make_user
from tests.factories import create_customer, create_individual
from tests.requests.helpers import TICKETS, characteristic, ticket_payload

APPROVALS = "/api/v1/approvals"


@dataclass(frozen=True)
class Staff:
    user_id: str
    username: str
    headers: dict


def staff(client, session, settings, *roles: str) -> Staff:
    made = make_user(session, settings, *roles)
    token = login(client, made.user.username)["access_token"]
    return Staff(made.user.id, made.user.username, bearer(token))


def customer_with_account(client) -> tuple[dict, dict]:
    person = create_individual(client)
    customer = create_customer(client, person)
    return customer, create_account(client, customer["id"], person)


def adjustment_payload(customer, account_id, amount="80.00", currency="EUR", **overrides):
    return ticket_payload(
        customer,
        ticketType="adjustment",
        description="Credit for the outage of last week",
        troubleTicketCharacteristic=[
            characteristic("amount", amount),
            characteristic("currency", currency),
            characteristic("billingAccount", account_id),
        ],
        **overrides,
    )


def raise_adjustment(client, headers, customer, account, amount="80.00", **options) -> dict:
    payload = adjustment_payload(customer, account["id"], amount, **options)
    response = client.post(TICKETS, json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def approval_of(client, headers, ticket: dict) -> dict:
    response = client.get(APPROVALS, params={"requestId": ticket["id"]}, headers=headers)
    assert response.status_code == 200, response.text
    (approval,) = response.json()
    return approval


def billing_messages(session) -> list[OutboxMessage]:
    rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "billing")))
    session.rollback()
    return rows


def written(session) -> tuple[int, int, int]:
    """Rows of requests, approvals and outbox messages (ends the read)."""
    found = tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (CustomerRequest, Approval, OutboxMessage)
    )
    session.rollback()
    return found


def characteristics(ticket: dict) -> dict:
    return {c["name"]: c["value"] for c in ticket["troubleTicketCharacteristic"]}
