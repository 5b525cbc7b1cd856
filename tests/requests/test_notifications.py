"""Customer notification on the milestones the type's policy names: a TMF681 message from the
seeded templates, queued through the outbox in the same transaction as the change."""

import pytest
from sqlalchemy import select

from parley.outbox.models import OutboxMessage
from tests.factories import create_customer
from tests.requests.helpers import REQUESTS, messages_about, patch, raise_request, reference

pytestmark = pytest.mark.usefixtures("without_workflows")
TEMPLATES = "/api/v1/message-templates"


def _outbox_rows(session, message_ids: list[str]) -> list[OutboxMessage]:
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject_id.in_(message_ids))
            .order_by(OutboxMessage.created_at)  # as queued: row order is no promise
        )
    )
    session.rollback()
    return rows


def test_received_in_progress_and_resolved_are_notified_as_the_policy_says(client, session):
    customer = create_customer(client)
    ticket = raise_request(client, customer, ticketType="fault.repair")  # all milestones

    patch(client, ticket, {"status": "inProgress"})
    patch(client, ticket, {"status": "resolved"})

    messages = messages_about(session, ticket["id"])
    kinds = [
        next(c["value"] for c in m.document["characteristic"] if c["name"] == "templateKind")
        for m in messages
    ]
    assert sorted(kinds) == ["request.progress", "request.progress", "request.received"]
    assert {m.customer_id for m in messages} == {customer["id"]}
    rows = _outbox_rows(session, [m.id for m in messages])
    assert len(rows) == 3
    received = next(r for r in rows if reference(ticket) in (r.payload.get("subject") or ""))
    assert "received your request" in received.payload["body"]
    assert received.destination["to"].endswith("@example.org")


def test_closing_completed_without_resolving_first_notifies_resolved_once(client, session):
    ticket = raise_request(client, create_customer(client), ticketType="contact.change")
    patch(client, ticket, {"status": "inProgress"})  # contact.change: received, resolved only

    client.post(
        f"{REQUESTS}/{ticket['id']}/close",
        json={"outcome": "completed", "resolutionCode": "updated"},
    )

    assert len(messages_about(session, ticket["id"])) == 2  # received + resolved


def test_a_type_whose_policy_names_no_milestone_sends_nothing(client, session):
    ticket = raise_request(client, create_customer(client), ticketType="request.status")
    patch(client, ticket, {"status": "inProgress"})

    assert messages_about(session, ticket["id"]) == []


def test_a_refused_change_queues_no_notice(client, session):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")

    assert patch(client, ticket, {"status": "resolved"}).status_code == 409

    assert len(messages_about(session, ticket["id"])) == 1  # only "received"


def test_a_request_notice_that_breaks_a_bound_fails_and_the_request_goes_on(client, session):
    # Reworded so that a request's own values make it break a bound: the notice fails, with
    # the reason, and the request is raised all the same (issue 18).
    for template in client.get(TEMPLATES, params={"kind": "request.received"}).json():
        body = {"body": "{{ customerName * 10**6 }}"}
        changed = client.patch(f"{TEMPLATES}/{template['id']}", json=body)
        assert changed.status_code == 200, changed.text

    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")

    (notice,) = messages_about(session, ticket["id"])
    assert notice.state == "failed"
    assert "could not be rendered" in notice.failure_reason
