"""Provide Request Status and Close Request: transitions from the table only, each kept in the
status history with who and why; cancel with a reason, close with an outcome (logged as an
interaction), reopen within the window."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from parley.db.base import utcnow
from parley.requests.lifecycle import TRANSITIONS
from parley.requests.models import CustomerRequest
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import REQUESTS, TICKETS, patch, raise_request

pytestmark = pytest.mark.usefixtures("without_workflows")


def _status(client, ticket, **headers):
    response = client.get(f"{REQUESTS}/{ticket['id']}/status", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_transition_table_is_complete_and_final_states_lead_nowhere():
    assert set(TRANSITIONS) == {s for targets in TRANSITIONS.values() for s in targets} | {
        "acknowledged",
        "cancelled",
        "rejected",
    }
    assert TRANSITIONS["cancelled"] == TRANSITIONS["rejected"] == frozenset()


def test_allowed_moves_are_kept_in_the_history_with_actor_and_reason(client, as_user):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    kim = as_user("agent.kim")

    for status, reason in (("inProgress", "engineer assigned"), ("pending", "awaiting router")):
        moved = patch(client, ticket, {"status": status, "statusChangeReason": reason}, **kim)
        assert moved.status_code == 200, moved.text

    status = _status(client, ticket)
    assert status["status"] == "pending"
    assert status["nextExpectedStep"].startswith("We are waiting")
    assert [
        (e["status"], e.get("statusChangeReason"), e["changedBy"])
        for e in status["statusChangeHistory"][1:]
    ] == [
        ("inProgress", "engineer assigned", "agent.kim"),
        ("pending", "awaiting router", "agent.kim"),
    ]
    assert status["expectedResolutionDate"]


@pytest.mark.parametrize(
    ("path", "wanted"),
    [((), "resolved"), ((), "closed"), (("inProgress", "resolved"), "pending")],
)
def test_moves_outside_the_table_are_refused_and_change_nothing(client, path, wanted):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    for status in path:
        assert patch(client, ticket, {"status": status}).status_code == 200

    refused = patch(client, ticket, {"status": wanted, "statusChangeReason": "try"})

    assert_tmf_error(refused, 409)
    assert len(_status(client, ticket)["statusChangeHistory"]) == 1 + len(path)


def test_held_rejected_and_cancelled_need_a_reason(client):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")

    assert_tmf_error(patch(client, ticket, {"status": "held"}), 400)
    assert_tmf_error(client.post(f"{REQUESTS}/{ticket['id']}/cancel", json={}), 400)


def test_a_customer_cancels_their_own_request_but_not_anothers(
    client, session, settings, customer_login
):
    own = create_customer(client)
    other = create_customer(client)
    mine = raise_request(client, own, ticketType="fault.repair")
    theirs = raise_request(client, other, ticketType="fault.repair")
    me = customer_login(own)

    assert client.get(f"{TICKETS}/{theirs['id']}", headers=me).status_code == 404
    assert (
        client.post(
            f"{REQUESTS}/{theirs['id']}/cancel", json={"reason": "mine now"}, headers=me
        ).status_code
        == 404
    )
    cancelled = client.post(
        f"{REQUESTS}/{mine['id']}/cancel", json={"reason": "fixed itself"}, headers=me
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert [t["id"] for t in client.get(TICKETS, headers=me).json()] == [mine["id"]]
    assert client.get(f"{REQUESTS}/{theirs['id']}/status", headers=me).status_code == 404
    assert _status(client, mine, **me)["statusChangeHistory"][-1]["statusChangeReason"] == (
        "fixed itself"
    )
    assert client.patch(f"{TICKETS}/{mine['id']}", json={}, headers=me).status_code == 403


def test_closing_needs_an_outcome_is_logged_as_an_interaction_and_may_be_reopened(client):
    customer = create_customer(client)
    ticket = raise_request(client, customer, ticketType="fault.repair")
    patch(client, ticket, {"status": "inProgress"})

    closed = client.post(
        f"{REQUESTS}/{ticket['id']}/close",
        json={"outcome": "completed", "resolutionCode": "fixed.remotely"},
    )

    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "completed")
    timeline = client.get(
        f"/api/v1/customers/{customer['id']}/interactions", params={"relatedEntity": ticket["id"]}
    ).json()["items"]
    assert [entry["direction"] for entry in timeline] == ["outbound", "inbound"]
    assert "fixed.remotely" in timeline[0]["description"]
    reopened = client.post(f"{REQUESTS}/{ticket['id']}/reopen", json={"reason": "back again"})
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "inProgress"
    assert reopened.json()["outcome"] is None
    assert reopened.json()["statusChangeHistory"][-1]["statusChangeReason"] == (
        "reopened: back again"
    )


def test_closing_by_patch_takes_the_outcome_from_characteristics(client):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    patch(client, ticket, {"status": "inProgress"})
    assert_tmf_error(patch(client, ticket, {"status": "closed"}), 400)

    closing = {
        "status": "closed",
        "troubleTicketCharacteristic": [
            {"name": "outcome", "value": "unfulfilled"},
            {"name": "resolutionCode", "value": "no.fault.found"},
        ],
    }
    closed = patch(client, ticket, closing)

    assert closed.status_code == 200, closed.text
    assert _status(client, ticket)["resolutionCode"] == "no.fault.found"


def test_reopening_after_the_window_is_refused(client, session, settings):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    patch(client, ticket, {"status": "inProgress"})
    client.post(
        f"{REQUESTS}/{ticket['id']}/close",
        json={"outcome": "completed", "resolutionCode": "fixed"},
    )
    long_ago = utcnow() - timedelta(days=settings.request_reopen_days + 1)
    session.execute(
        update(CustomerRequest).where(CustomerRequest.id == ticket["id"]).values(closed_at=long_ago)
    )
    session.commit()

    refused = client.post(f"{REQUESTS}/{ticket['id']}/reopen", json={"reason": "again"})

    assert_tmf_error(refused, 409)
    assert "within" in refused.json()["message"]


def test_only_an_administrator_deletes_a_request(client, as_user):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")

    assert client.delete(f"{TICKETS}/{ticket['id']}", headers=as_user("kim")).status_code == 403
    assert client.delete(f"{TICKETS}/{ticket['id']}").status_code == 204
    assert client.get(f"{TICKETS}/{ticket['id']}").status_code == 404
