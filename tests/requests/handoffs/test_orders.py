"""An add-on order handed to the ordering system: the request waits in progress, with its
correlation id and the next step "waiting for ordering", until the ordering system's TMF622
event says how the order went — completed closes it completed and gives the customer the
product, rejected (failed, cancelled) closes it unfulfilled with the reason. Callbacks are
authenticated (a client's token or the ordering system's signature), unknown orders are 404,
and each event is taken once."""

import pytest

from parley.offers.models import CustomerProduct
from parley.requests.handoffs.models import Acknowledgement
from tests.contract.official_schemas import problems
from tests.factories import assert_tmf_error, create_customer
from tests.offers.helpers import create_offering
from tests.requests.handoffs.helpers import (
    ORDERING_SECRET,
    STATE_CHANGE,
    VALUE_CHANGE,
    acknowledgements,
    characteristics,
    correlation_of,
    count,
    handoff_of,
    orders,
    post_signed,
    select_add_on,
    state_change,
    status_of,
    ticket,
)

ORDERING_SPEC = "TMF622-ProductOrdering-v5.0.0.oas.yaml"


@pytest.fixture
def waiting(client):
    """An add-on selection waiting for the ordering system: (customer, offering, ticket)."""
    customer = create_customer(client)
    offering = create_offering(client, "Roaming EU 5 GB")
    return customer, offering, select_add_on(client, customer, offering)


def test_the_request_waits_for_ordering_with_its_correlation_id(client, session, waiting):
    customer, offering, raised = waiting

    status = status_of(client, raised)

    assert raised["status"] == "inProgress"
    correlation = correlation_of(raised)
    assert status["nextExpectedStep"] == "Waiting for the ordering system to confirm the order."
    assert status["waitingFor"] == "order"
    (handoff,) = status["handoffs"]
    assert (handoff["correlationId"], handoff["kind"], handoff["state"]) == (
        correlation,
        "order",
        "waiting",
    )
    assert "waiting for its confirmation" in raised["statusChangeHistory"][-1]["statusChangeReason"]
    (order,) = orders(session)
    assert order.subject_id == correlation
    ids = {(e["externalIdentifierType"], e["id"]) for e in order.payload["externalId"]}
    assert ids == {("correlationId", correlation), ("TroubleTicket", raised["id"])}
    assert order.payload["productOrderItem"][0]["productOffering"]["id"] == offering["id"]


def test_the_order_is_a_valid_tmf622_product_order(session, waiting):
    (order,) = orders(session)
    assert problems(ORDERING_SPEC, "ProductOrder_FVO", order.payload) == []


def test_a_customer_sees_the_step_waited_for_but_not_the_exchange(
    client, session, settings, waiting, customer_login
):
    customer, _offering, raised = waiting
    headers = customer_login(customer)

    mine = client.get(f"/api/v1/requests/{raised['id']}/status", headers=headers).json()

    assert mine["waitingFor"] == "order" and "handoffs" not in mine


def test_completed_closes_it_completed_and_the_customer_holds_the_product(
    client, session, waiting, integration
):
    customer, offering, raised = waiting
    event = state_change(correlation_of(raised), "completed", order_id="PO-77")

    answer = client.post(STATE_CHANGE, json=event, headers=integration)

    assert answer.status_code == 204, answer.text
    closed = ticket(client, raised)
    assert closed["status"] == "closed"
    assert characteristics(closed)["outcome"] == "completed"
    assert characteristics(closed)["resolutionCode"] == "ordered"
    assert characteristics(closed)["productOrderId"] == "PO-77"
    assert "completed the order PO-77" in closed["note"][-1]["text"]
    handoff = handoff_of(session, raised["id"])
    assert (handoff.state, handoff.external_id, handoff.external_state) == (
        "completed",
        "PO-77",
        "completed",
    )
    products = client.get(f"/api/v1/customers/{customer['id']}/products").json()
    assert [(p["name"], p["status"], p["productOrder"]["id"]) for p in products] == [
        ("Roaming EU 5 GB", "active", "PO-77")
    ]
    assert products[0]["productOffering"]["id"] == offering["id"]
    (taken,) = acknowledgements(session)
    assert taken.body == answer.request.content  # kept as received
    assert taken.sender.startswith("test-integration")


@pytest.mark.parametrize(
    ("state", "code"),
    [("rejected", "orderRejected"), ("failed", "orderFailed"), ("cancelled", "orderCancelled")],
)
def test_a_refused_order_closes_it_unfulfilled_with_the_reason(
    client, session, waiting, integration, state, code
):
    _customer, _offering, raised = waiting
    event = state_change(correlation_of(raised), state, reason="No roaming on prepaid plans")

    assert client.post(STATE_CHANGE, json=event, headers=integration).status_code == 204

    closed = ticket(client, raised)
    assert closed["status"] == "closed"
    assert characteristics(closed)["outcome"] == "unfulfilled"
    assert characteristics(closed)["resolutionCode"] == code
    assert "No roaming on prepaid plans" in closed["statusChangeReason"]
    assert handoff_of(session, raised["id"]).reason == "No roaming on prepaid plans"
    assert count(session, CustomerProduct) == 0


def test_a_state_on_the_way_is_noted_and_the_request_waits_on(
    client, session, waiting, integration
):
    _customer, _offering, raised = waiting
    event = state_change(correlation_of(raised), "inProgress", order_id="PO-9")

    assert (
        client.post(
            VALUE_CHANGE,
            json={
                **event,
                "@type": "ProductOrderAttributeValueChangeEvent",
                "eventType": "ProductOrderAttributeValueChangeEvent",
            },
            headers=integration,
        ).status_code
        == 204
    )

    now = ticket(client, raised)
    assert now["status"] == "inProgress"
    assert characteristics(now)["productOrderId"] == "PO-9"
    handoff = handoff_of(session, raised["id"])
    assert (handoff.state, handoff.external_state) == ("waiting", "inProgress")
    # Named by its order id from now on, without the correlation id.
    later = state_change(None, "completed", order_id="PO-9")
    assert client.post(STATE_CHANGE, json=later, headers=integration).status_code == 204
    assert ticket(client, raised)["status"] == "closed"


def test_a_repeated_event_is_taken_once(client, session, waiting, integration):
    _customer, _offering, raised = waiting
    event = state_change(correlation_of(raised), "completed", event_id="evt-1")

    first = client.post(STATE_CHANGE, json=event, headers=integration)
    again = client.post(STATE_CHANGE, json=event, headers=integration)

    assert (first.status_code, again.status_code) == (204, 204)
    assert count(session, Acknowledgement) == 1
    assert count(session, CustomerProduct) == 1
    history = [c["status"] for c in ticket(client, raised)["statusChangeHistory"]]
    assert history.count("closed") == 1


def test_a_signed_event_is_taken_without_a_token(client, anonymous_client, session, waiting):
    _customer, _offering, raised = waiting

    answer = post_signed(
        anonymous_client, STATE_CHANGE, state_change(correlation_of(raised), "completed")
    )

    assert answer.status_code == 204, answer.text
    assert ticket(client, raised)["status"] == "closed"
    (taken,) = acknowledgements(session)
    assert taken.sender == "ordering system (signed)"
    assert (
        ticket(client, raised)["statusChangeHistory"][-1]["changedBy"] == "ordering system (signed)"
    )


@pytest.mark.parametrize(
    "how",
    ["unsigned", "wrong secret", "body changed", "billing's secret"],
)
def test_an_unauthenticated_event_is_401_and_changes_nothing(
    client, anonymous_client, session, waiting, how
):
    _customer, _offering, raised = waiting
    event = state_change(correlation_of(raised), "completed")
    if how == "unsigned":
        answer = anonymous_client.post(STATE_CHANGE, json=event)
    elif how == "wrong secret":
        answer = post_signed(anonymous_client, STATE_CHANGE, event, "x" * 48)
    elif how == "billing's secret":
        from tests.requests.handoffs.helpers import BILLING_SECRET

        answer = post_signed(anonymous_client, STATE_CHANGE, event, BILLING_SECRET)
    else:
        from tests.requests.handoffs.helpers import body_and_signature

        _body, headers = body_and_signature(event, ORDERING_SECRET)
        tampered = {
            **event,
            "event": {"productOrder": {**event["event"]["productOrder"], "state": "rejected"}},
        }
        answer = anonymous_client.post(STATE_CHANGE, json=tampered, headers=headers)

    assert_tmf_error(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert ticket(client, raised)["status"] == "inProgress"
    assert count(session, Acknowledgement) == 0


def test_a_client_without_the_permission_is_refused(client, session, settings, waiting):
    from tests.conftest import staff_headers

    _customer, _offering, raised = waiting
    agent = staff_headers(session, settings, "agent")

    answer = client.post(
        STATE_CHANGE, json=state_change(correlation_of(raised), "completed"), headers=agent
    )

    assert_tmf_error(answer, 403, "handoff:acknowledge")
    assert ticket(client, raised)["status"] == "inProgress"


def test_an_unknown_order_is_404(client, session, waiting, integration):
    event = state_change("5f0e0c1e-0000-4000-8000-000000000000", "completed", order_id="PO-404")

    answer = client.post(STATE_CHANGE, json=event, headers=integration)

    assert_tmf_error(answer, 404, "PO-404")
    assert count(session, Acknowledgement) == 0


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"@type": "ProductOrderStateChangeEvent", "event": {}}, "productOrder"),
        (
            {"@type": "ProductOrderStateChangeEvent", "event": {"productOrder": {"state": "done"}}},
            "state",
        ),
        ({"@type": "ProductOrderCreateEvent", "event": {"productOrder": {"id": "1"}}}, "@type"),
        (
            {
                "@type": "ProductOrderStateChangeEvent",
                "eventTime": "yesterday",
                "event": {"productOrder": {"id": "1"}},
            },
            "eventTime",
        ),
    ],
)
def test_an_event_the_spec_does_not_allow_is_400(
    client, session, waiting, integration, body, named
):
    assert_tmf_error(client.post(STATE_CHANGE, json=body, headers=integration), 400, named)
    assert count(session, Acknowledgement) == 0


def test_a_partial_order_is_a_task_for_an_agent(client, session, waiting, integration):
    _customer, _offering, raised = waiting

    event = state_change(correlation_of(raised), "partial")
    assert client.post(STATE_CHANGE, json=event, headers=integration).status_code == 204

    status = status_of(client, raised)
    assert status["status"] == "inProgress"
    (task,) = status["tasks"]
    assert task["queue"]["code"] == "customer-care" and "partial" in task["name"]
