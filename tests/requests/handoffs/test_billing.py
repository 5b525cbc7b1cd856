"""An adjustment handed to billing waits, in progress, for billing's acknowledgement
(``POST /api/v1/billing/acknowledgements``): completed closes it completed (``adjusted``),
rejected or failed closes it unfulfilled with billing's reason; intermediate states are
noted. The same authentication and once-only rules as for orders."""

import pytest

from parley.requests.handoffs.models import Acknowledgement
from tests.factories import assert_tmf_error
from tests.requests.adjustment_helpers import (
    billing_messages,
    customer_with_account,
    raise_adjustment,
    staff,
)
from tests.requests.handoffs.helpers import (
    BILLING_ACKS,
    BILLING_SECRET,
    ORDERING_SECRET,
    characteristics,
    correlation_of,
    count,
    handoff_of,
    post_signed,
    status_of,
    ticket,
)


@pytest.fixture
def adjustment(client, session, settings) -> dict:
    """An agent's 80 EUR adjustment, within their limit: handed to billing."""
    customer, account = customer_with_account(client)
    agent = staff(client, session, settings, "agent")
    return raise_adjustment(client, agent.headers, customer, account, "80.00")


def _ack(correlation: str, state: str, **extra) -> dict:
    return {"correlationId": correlation, "state": state, **extra}


def test_the_adjustment_carries_its_correlation_id_and_the_request_waits(
    client, session, adjustment
):
    (message,) = billing_messages(session)

    assert adjustment["status"] == "inProgress"
    assert message.payload["correlationId"] == correlation_of(adjustment)
    assert message.subject_id == correlation_of(adjustment)
    status = status_of(client, adjustment)
    assert status["waitingFor"] == "billing"
    assert status["nextExpectedStep"] == (
        "Waiting for the billing system to confirm the adjustment."
    )


def test_billing_completes_it(client, session, adjustment, integration):
    answer = client.post(
        BILLING_ACKS,
        json=_ack(correlation_of(adjustment), "completed", billingReference="ADJ-42"),
        headers=integration,
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["duplicate"] is False
    assert answer.json()["correlationId"] == correlation_of(adjustment)
    closed = ticket(client, adjustment)
    assert closed["status"] == "closed"
    assert characteristics(closed)["resolutionCode"] == "adjusted"
    assert characteristics(closed)["outcome"] == "completed"
    assert handoff_of(session, adjustment["id"]).external_id == "ADJ-42"


@pytest.mark.parametrize(
    ("state", "code"), [("rejected", "adjustmentRejected"), ("failed", "adjustmentFailed")]
)
def test_billing_refuses_it(client, session, adjustment, integration, state, code):
    body = _ack(correlation_of(adjustment), state, reason="Account in collection")

    assert client.post(BILLING_ACKS, json=body, headers=integration).status_code == 200

    closed = ticket(client, adjustment)
    assert characteristics(closed)["outcome"] == "unfulfilled"
    assert characteristics(closed)["resolutionCode"] == code
    assert "Account in collection" in closed["statusChangeReason"]


def test_a_state_on_the_way_is_noted(client, session, adjustment, integration):
    body = _ack(correlation_of(adjustment), "inProgress")

    answer = client.post(BILLING_ACKS, json=body, headers=integration)

    assert answer.status_code == 200
    assert "waits on" in answer.json()["note"]
    assert ticket(client, adjustment)["status"] == "inProgress"
    assert handoff_of(session, adjustment["id"]).external_state == "inProgress"


def test_a_repeat_is_taken_once(client, session, adjustment, integration):
    body = _ack(correlation_of(adjustment), "completed", eventId="bill-1")

    first = client.post(BILLING_ACKS, json=body, headers=integration).json()
    again = client.post(BILLING_ACKS, json=body, headers=integration).json()

    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["acknowledgement"] is None
    assert count(session, Acknowledgement) == 1


def test_billing_signs_with_its_own_secret(client, anonymous_client, session, adjustment):
    body = _ack(correlation_of(adjustment), "completed")

    wrong = post_signed(anonymous_client, BILLING_ACKS, body, ORDERING_SECRET)
    right = post_signed(anonymous_client, BILLING_ACKS, body, BILLING_SECRET)

    assert_tmf_error(wrong, 401, "billing")
    assert right.status_code == 200, right.text
    assert ticket(client, adjustment)["status"] == "closed"


def test_an_order_is_not_acknowledged_as_billing(client, session, integration):
    from tests.factories import create_customer
    from tests.requests.handoffs.helpers import select_add_on

    order = select_add_on(client, create_customer(client))

    answer = client.post(
        BILLING_ACKS, json=_ack(correlation_of(order), "completed"), headers=integration
    )

    assert_tmf_error(answer, 404, correlation_of(order))
    assert ticket(client, order)["status"] == "inProgress"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"state": "completed"}, "correlationId"),
        ({"correlationId": "x", "state": "booked"}, "state"),
        ({"correlationId": "x", "state": "completed", "reason": 7}, "reason"),
    ],
)
def test_a_malformed_acknowledgement_is_400(client, session, integration, body, named):
    assert_tmf_error(client.post(BILLING_ACKS, json=body, headers=integration), 400, named)
    assert count(session, Acknowledgement) == 0
