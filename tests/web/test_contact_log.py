"""Log this contact through the TestClient: an interaction started and wrapped up (reason,
notes, outcome), a request raised from it of the type classification suggests or the agent
chooses, a request Parley fulfils itself shown at once, a summary where the agent decides;
wrong input said beside the field, with nothing changed."""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from parley.changes.models import AuditEntry
from parley.interactions.models import Interaction
from parley.notifications.models import CommunicationMessage
from parley.requests.models import CustomerRequest
from tests.web.conftest import CONSOLE, main_text
from tests.web.helpers import error_beside, make_customer, page_of, post_on

REASONS = "/api/v1/interaction-reasons"


@pytest.fixture
def nora(client) -> dict:
    return make_customer(client)


def _start(browser, customer: dict, **form) -> str:
    started = post_on(browser, customer, f"/customers/{customer['id']}/interactions", form)
    assert started.status_code == 303, started.text[:500]
    found = re.search(r"\?contact=([0-9a-f-]+)#contact$", started.headers["location"])
    assert found, started.headers["location"]
    return found.group(1)


def _wrap_up(browser, customer: dict, interaction_id: str, **form):
    base = {"reason": "billing.enquiry", "outcome": "resolved", "notes": "", "priority": "medium"}
    return post_on(
        browser,
        customer,
        f"/customers/{customer['id']}/interactions/{interaction_id}/wrap-up",
        {**base, **form},
        page=f"/customers/{customer['id']}?contact={interaction_id}",
    )


def _interaction(session, interaction_id: str) -> SimpleNamespace:
    """The interaction as stored now, read in a transaction of its own (see _row of
    test_request_page)."""
    session.expire_all()
    row = session.get(Interaction, interaction_id)
    columns = ("status", "channel", "direction", "logged_by", "customer_id", "reason_code")
    found = SimpleNamespace(**{c: getattr(row, c) for c in columns}, document=row.document)
    session.rollback()
    return found


def test_a_contact_is_started_on_the_phone_and_shown_for_wrapping_up(signed_in, session, nora):
    interaction_id = _start(signed_in, nora)

    started = _interaction(session, interaction_id)
    assert (started.status, started.channel, started.direction) == (
        "inProgress",
        "phone",
        "inbound",
    )
    assert started.logged_by == "kim.agent" and started.customer_id == nora["id"]
    words = main_text(page_of(signed_in, nora, f"?contact={interaction_id}"))
    assert "This contact Phone Inbound started" in words
    assert "Complete the contact" in words
    other_page = main_text(page_of(signed_in, nora))
    assert "Open contacts Phone, started" in other_page and "Wrap up" in other_page


def test_a_contact_on_an_unknown_channel_is_refused_beside_the_field(signed_in, session, nora):
    refused = post_on(signed_in, nora, f"/customers/{nora['id']}/interactions", {
        "channel": "pigeon", "direction": "inbound",
    })  # fmt: skip

    assert refused.status_code == 422
    assert error_beside(refused.text, "start-channel") == "Choose a channel from the list."
    assert session.scalars(select(Interaction)).all() == []


def test_wrapping_up_completes_the_contact_with_reason_notes_and_outcome(signed_in, session, nora):
    interaction_id = _start(signed_in, nora)

    done = _wrap_up(signed_in, nora, interaction_id, notes="Explained the roaming charge.")

    assert done.status_code == 303
    assert done.headers["location"].endswith(f"?wrapped={interaction_id}#contact")
    completed = _interaction(session, interaction_id)
    assert (completed.status, completed.reason_code) == ("completed", "billing.enquiry")
    assert completed.document["description"] == "Explained the roaming charge."
    assert {"id": "outcome", "text": "resolved"}.items() <= completed.document["note"][0].items()
    words = main_text(page_of(signed_in, nora, f"?wrapped={interaction_id}"))
    assert "Contact completed Reason Billing enquiry Outcome Resolved on this contact" in words
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_id == interaction_id)
    ).all()
    assert [(e.action, e.channel) for e in entries] == [
        ("create", "console"),
        ("update", "console"),
    ]


@pytest.mark.parametrize(
    ("form", "field", "said"),
    [
        ({"reason": ""}, "wrap-reason", "Choose the reason for the contact."),
        ({"outcome": "shrug"}, "wrap-outcome", "Choose how the contact ended."),
        ({"notes": "x" * 2001}, "wrap-notes", "At most 2000 characters"),
    ],
)
def test_a_wrap_up_with_a_missing_or_wrong_field_changes_nothing(
    signed_in, session, nora, form, field, said
):
    interaction_id = _start(signed_in, nora)

    refused = _wrap_up(signed_in, nora, interaction_id, **form)

    assert refused.status_code == 422
    assert error_beside(refused.text, field).startswith(said)
    assert _interaction(session, interaction_id).status == "inProgress"


def test_a_fault_request_of_the_suggested_type_is_raised_within_the_contact(
    signed_in, session, nora
):
    interaction_id = _start(signed_in, nora)
    choices = signed_in.get(
        f"{CONSOLE}/customers/{nora['id']}/interactions/{interaction_id}/wrap-up",
        params={"reason": "fault.report", "raise_request": "yes", "priority": "medium"},
        headers={"HX-Request": "true"},
    )
    assert "Parley's suggestion: Fault repair" in choices.text
    assert "Suggested from the reason for the contact." in choices.text

    done = _wrap_up(
        signed_in,
        nora,
        interaction_id,
        reason="fault.report",
        outcome="requestRaised",
        notes="No mobile data since the morning",
        raise_request="yes",
        priority="high",
    )

    assert done.status_code == 303, done.text[:1000]
    session.expire_all()
    (request,) = session.scalars(select(CustomerRequest)).all()
    assert request.document["ticketType"] == "fault.repair" and request.priority == "high"
    assert request.interaction_id == interaction_id
    assert request.document["description"] == "No mobile data since the morning"
    completed = _interaction(session, interaction_id)
    items = [i["item"]["entity"]["id"] for i in completed.document["interactionItem"]]
    assert items == [request.id] and completed.status == "completed"
    words = main_text(page_of(signed_in, nora, f"?wrapped={interaction_id}"))
    assert "Request: Fault repair In progress" in words
    assert f'href="/console/requests/{request.id}"' in page_of(
        signed_in, nora, f"?wrapped={interaction_id}"
    )


def test_a_request_parley_fulfils_itself_shows_its_outcome_at_once(signed_in, session, nora):
    interaction_id = _start(signed_in, nora)

    done = _wrap_up(
        signed_in,
        nora,
        interaction_id,
        reason="request.status",
        outcome="informed",
        raise_request="yes",
    )

    assert done.status_code == 303, done.text[:1000]
    words = main_text(page_of(signed_in, nora, f"?wrapped={interaction_id}"))
    assert "Request: Request status enquiry Closed Completed" in words
    assert "Done by Parley: You have no other open requests." in words


def test_the_agent_may_choose_another_type_and_its_characteristics_are_asked_for(
    signed_in, session, nora
):
    interaction_id = _start(signed_in, nora)
    chosen = {
        "reason": "billing.enquiry",
        "raise_request": "yes",
        "request_type": "bill.dispute",
        "outcome": "requestRaised",
    }

    missing = _wrap_up(signed_in, nora, interaction_id, **chosen)

    assert missing.status_code == 422
    assert error_beside(missing.text, "wrap-char-billNumber") == "Needed for this type of request."
    assert session.scalars(select(CustomerRequest)).all() == []
    assert _interaction(session, interaction_id).status == "inProgress"
    done = _wrap_up(signed_in, nora, interaction_id, **chosen, **{"char.billNumber": "B-2026-11"})
    assert done.status_code == 303
    session.expire_all()
    (request,) = session.scalars(select(CustomerRequest)).all()
    characteristics = {
        c["name"]: c["value"] for c in request.document["troubleTicketCharacteristic"]
    }
    assert request.document["ticketType"] == "bill.dispute"
    assert characteristics["billNumber"] == "B-2026-11"


def test_a_summary_goes_where_the_agent_decides_and_not_where_the_reason_sends_none(
    signed_in, client, session, nora
):
    client.patch(f"{REASONS}/complaint", json={"summaryPolicy": "agentDecides"})
    interaction_id = _start(signed_in, nora)
    choices = signed_in.get(
        f"{CONSOLE}/customers/{nora['id']}/interactions/{interaction_id}/wrap-up",
        params={"reason": "complaint"},
        headers={"HX-Request": "true"},
    )
    assert "Send the customer a summary (Email)" in choices.text

    refused = _wrap_up(signed_in, nora, interaction_id, send_summary="yes")  # billing: never
    assert refused.status_code == 422
    assert "This reason sends no summary" in main_text(refused.text)
    sent = _wrap_up(
        signed_in,
        nora,
        interaction_id,
        reason="complaint",
        notes="Waited too long for the repair.",
        send_summary="yes",
    )

    assert sent.status_code == 303
    session.expire_all()
    (message,) = session.scalars(select(CommunicationMessage)).all()
    assert message.customer_id == nora["id"] and message.channel == "email"
    assert "Waited too long for the repair." in message.document["content"]
    words = main_text(page_of(signed_in, nora, f"?wrapped={interaction_id}"))
    assert "A summary was sent to the customer." in words


def test_a_completed_contact_cannot_be_wrapped_up_again(signed_in, session, nora):
    interaction_id = _start(signed_in, nora)
    assert _wrap_up(signed_in, nora, interaction_id).status_code == 303

    again = _wrap_up(signed_in, nora, interaction_id, reason="complaint")

    assert again.status_code == 422
    assert "already completed" in main_text(again.text)
    assert _interaction(session, interaction_id).reason_code == "billing.enquiry"
