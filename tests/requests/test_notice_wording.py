"""Request notices worded for customers (issue 18: they showed the request's UUID, status codes
such as ``inProgress`` and ISO timestamps with microseconds): the request's reference, the
type's name, the status in words, and the local date and time in the customer's time zone and
language."""

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from parley.notifications.wording import local_moment
from parley.outbox.models import OutboxMessage
from parley.requests.reference import canonical, with_check_digit
from tests.factories import create_customer
from tests.requests.helpers import (
    REQUESTS,
    TICKETS,
    messages_about,
    patch,
    raise_request,
    reference,
)

pytestmark = pytest.mark.usefixtures("without_workflows")
REFERENCE = re.compile(r"R-\d{4}-\d{5}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _customer(client, language: str, zone: str) -> dict:
    customer = create_customer(client)
    preferences = {"language": language, "timeZone": zone, "preferredChannel": "email"}
    answer = client.put(f"/api/v1/customers/{customer['id']}/preferences", json=preferences)
    assert answer.status_code == 200, answer.text
    return customer


def _sent(session, ticket: dict) -> list[dict]:
    """What the outbox sends the customer about the request, oldest first."""
    ids = [m.id for m in messages_about(session, ticket["id"])]
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject_id.in_(ids))
        .order_by(OutboxMessage.created_at)
    ).all()
    session.rollback()
    return [row.payload for row in rows]


def _worded_for_a_customer(text: str) -> None:
    assert not UUID.search(text), text
    assert not ISO_MOMENT.search(text), text
    assert "inProgress" not in text and "acknowledged" not in text


def test_a_german_customer_is_told_in_german_in_their_time_zone(client, session):
    customer = _customer(client, "de", "Europe/Berlin")
    ticket = raise_request(client, customer, ticketType="fault.repair")
    assert patch(client, ticket, {"status": "inProgress"}).status_code == 200

    received, progress = _sent(session, ticket)

    told = reference(ticket)
    # the request's token closes each subject, for the answer to find the request
    assert received["subject"] == f"Ihr Auftrag {told} ist eingegangen [#{told}]"
    due = datetime.fromisoformat(ticket["expectedResolutionDate"].replace("Z", "+00:00"))
    local = local_moment(due, "de", "Europe/Berlin")
    assert local.endswith(("MEZ", "MESZ")) and "." in local
    assert f"({ticket['troubleTicketSpecification']['name']})" in received["body"]
    assert f"bis {local}" in received["body"]
    assert progress["subject"] == f"Ihr Auftrag {told}: in Bearbeitung [#{told}]"
    assert "ist jetzt in Bearbeitung" in progress["body"]
    for text in (received["subject"], received["body"], progress["subject"], progress["body"]):
        _worded_for_a_customer(text)
    # The message as stored shows what the customer was sent, in their language.
    (message, _) = messages_about(session, ticket["id"])
    assert message.document["content"] == received["body"]


def test_an_english_customer_gets_english_in_their_own_zone(client, session):
    customer = _customer(client, "en", "America/New_York")
    ticket = raise_request(client, customer, ticketType="fault.repair")

    (received,) = _sent(session, ticket)

    told = reference(ticket)
    assert received["subject"] == f"We have received your request {told} [#{told}]"
    due = datetime.fromisoformat(ticket["expectedResolutionDate"].replace("Z", "+00:00"))
    local = local_moment(due, "en", "America/New_York")
    assert local.endswith(("EST", "EDT")) and re.search(r"\d{1,2}:\d{2}\s[AP]M", local)
    assert f"resolve it by {local}." in received["body"]
    _worded_for_a_customer(received["body"])


def test_local_moments_are_to_the_minute_in_the_zone_and_language():
    moment = datetime.fromisoformat("2026-12-08T13:30:12.123456+00:00")
    assert local_moment(moment, "de", "Europe/Berlin") == "8. Dezember 2026, 14:30 MEZ"
    assert local_moment(moment, "en", "UTC") == "December 8, 2026, 1:30\u202fPM UTC"
    assert local_moment(moment, "de-AT", "Europe/Vienna") == "8. Dezember 2026, 14:30 MEZ"
    assert local_moment(moment, "xx", "Nowhere/Else").endswith("UTC")  # a safe fallback


def test_a_request_has_a_reference_shown_filterable_and_kept_by_the_server(client, session):
    customer = create_customer(client)
    first = raise_request(client, customer, ticketType="fault.repair")
    second = raise_request(client, customer, ticketType="fault.repair")

    assert REFERENCE.fullmatch(reference(first)) and canonical(reference(first))
    assert reference(first) != reference(second)
    found = client.get(TICKETS, params={"requestReference": reference(first)}).json()
    assert [t["id"] for t in found] == [first["id"]]
    status = client.get(f"{REQUESTS}/{first['id']}/status").json()
    assert status["reference"] == reference(first)
    # The served document goes back as it came (the reference is a characteristic); what a
    # client sends of the reference is ignored.
    forged = [{"@type": "StringCharacteristic", "name": "requestReference", "value": "R-0"}]
    changed = patch(client, first, {"troubleTicketCharacteristic": forged})
    assert changed.status_code == 200, changed.text
    assert changed.json()["troubleTicketCharacteristic"] == [
        {"@type": "StringCharacteristic", "name": "requestReference", "value": reference(first)}
    ]


def test_references_are_read_however_they_are_written():
    made = with_check_digit(48217734)
    assert REFERENCE.fullmatch(made)
    digits = made[2:6] + made[7:]
    for written in (made, f"r {digits[:4]} {digits[4:]}", f"R{digits}", f" r-{digits} "):
        assert canonical(written) == made
    wrong = made[:-1] + str((int(made[-1]) + 1) % 10)
    assert canonical(wrong) is None and canonical("R-1234") is None


def test_notices_of_a_closed_request_say_the_status_in_words(client, session):
    customer = _customer(client, "en", "Europe/London")
    ticket = raise_request(client, customer, ticketType="fault.repair")
    patch(client, ticket, {"status": "inProgress"})
    patch(client, ticket, {"status": "resolved"})

    *_, resolved = _sent(session, ticket)

    told = reference(ticket)
    assert resolved["subject"] == f"Your request {told}: resolved [#{told}]"
    assert "is now resolved." in resolved["body"]
