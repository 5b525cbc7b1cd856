"""Automatic fulfilment of contact changes: the new email, phone or address goes onto the
customer's party (the old one kept as history) and the request closes completed; invalid
details are refused with nothing written; without details the request waits for an agent."""

import pytest

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.requests.service import RequestService
from tests.conftest import PARTY_API
from tests.factories import assert_tmf_error, create_person_customer
from tests.requests.helpers import (
    TICKETS,
    characteristic,
    counts,
    raise_request,
    ticket_payload,
)

OLD_EMAIL, OLD_PHONE = "nora.keller@example.org", "+49 171 3334440"


@pytest.fixture
def customer(client) -> dict:
    return create_person_customer(
        client, "Nora", "Keller", city="Kiel", email=OLD_EMAIL, phone=OLD_PHONE
    )


def _change(client, customer: dict, **details):
    wanted = [characteristic(name, value) for name, value in details.items()]
    payload = ticket_payload(
        customer, ticketType="contact.change", troubleTicketCharacteristic=wanted
    )
    return client.post(TICKETS, json=payload)


def _media(client, customer: dict, kind: str) -> list[dict]:
    party_id = customer["engagedParty"]["id"]
    party = client.get(f"{PARTY_API}/individual/{party_id}").json()
    return [m for m in party["contactMedium"] if m["@type"] == kind]


def _closed_as_updated(ticket: dict) -> str:
    assert ticket["status"] == "closed", ticket
    outcome = {c["name"]: c["value"] for c in ticket["troubleTicketCharacteristic"]}
    assert (outcome["outcome"], outcome["resolutionCode"]) == ("completed", "contactUpdated")
    assert [c["status"] for c in ticket["statusChangeHistory"]][-1] == "closed"
    return ticket["note"][-1]["text"]


def test_an_email_change_is_applied_and_the_request_closed_completed(client, customer):
    response = _change(client, customer, emailAddress=" Nora.K@Example.ORG ")

    assert response.status_code == 201, response.text
    note = _closed_as_updated(response.json())
    assert f"email changed from {OLD_EMAIL} to Nora.K@example.org" in note
    old, new = _media(client, customer, "EmailContactMedium")
    assert old["emailAddress"] == OLD_EMAIL and "endDateTime" in old["validFor"]
    assert new["emailAddress"] == "Nora.K@example.org" and new["preferred"] is True
    assert "endDateTime" not in new["validFor"]
    found = client.get("/api/v1/identify", params={"q": "nora.k@example.org"}).json()
    assert found["candidates"][0]["customer"]["id"] == customer["id"]
    audit = client.get("/api/v1/audit", params={"resourceId": party_id(customer)}).json()
    assert "update" in {entry["action"] for entry in audit}


def test_a_phone_change_is_applied_and_the_old_number_becomes_former(client, customer):
    ticket = raise_request(
        client,
        customer,
        ticketType="contact.change",
        troubleTicketCharacteristic=[characteristic("phoneNumber", "0176 5554441")],
    )

    assert "phone changed from +491713334440 to +491765554441" in _closed_as_updated(ticket)
    numbers = {m["phoneNumber"]: m for m in _media(client, customer, "PhoneContactMedium")}
    assert "endDateTime" in numbers["+491713334440"]["validFor"]
    found = client.get("/api/v1/identify", params={"q": OLD_PHONE}).json()
    assert found["candidates"][0]["historical"] is True


def test_a_new_postal_address_replaces_the_preferred_one(client, customer):
    address = dict(street1="Holstenstraße 5", postCode="24103", city="Kiel", country="DE")

    ticket = raise_request(
        client,
        customer,
        ticketType="contact.change",
        troubleTicketCharacteristic=[characteristic(k, v) for k, v in address.items()],
    )

    assert "postal address changed" in _closed_as_updated(ticket)
    current = [
        m
        for m in _media(client, customer, "GeographicAddressContactMedium")
        if "endDateTime" not in (m.get("validFor") or {})
    ]
    assert [m["street1"] for m in current] == ["Holstenstraße 5"]


@pytest.mark.parametrize(
    ("details", "named"),
    [
        ({"emailAddress": "nora at example"}, "troubleTicketCharacteristic.emailAddress"),
        ({"phoneNumber": "12"}, "troubleTicketCharacteristic.phoneNumber"),
        ({"street1": "Holstenstraße 5", "city": "Kiel"}, "postCode"),
    ],
)
def test_invalid_details_are_refused_and_nothing_is_written(
    client, session, customer, details, named
):
    before = counts(session)

    assert_tmf_error(_change(client, customer, **details), 400, named)

    assert counts(session) == before
    (email,) = _media(client, customer, "EmailContactMedium")
    assert email["emailAddress"] == OLD_EMAIL


def test_a_contact_change_without_details_waits_for_an_agent(client, customer):
    ticket = raise_request(client, customer, ticketType="contact.change")
    assert ticket["status"] == "acknowledged"
    assert len(_media(client, customer, "EmailContactMedium")) == 1


def test_a_customer_changes_its_own_email_through_tmf621(client, customer, customer_login):
    wanted = [characteristic("emailAddress", "nora.new@example.org")]
    raised = client.post(
        TICKETS,
        json=ticket_payload(
            customer, ticketType="contact.change", troubleTicketCharacteristic=wanted
        ),
        headers=customer_login(customer),
    )

    assert raised.status_code == 201, raised.text
    assert raised.json()["status"] == "closed"  # a self-service type, fulfilled at once
    emails = [m["emailAddress"] for m in _media(client, customer, "EmailContactMedium")]
    assert "nora.new@example.org" in emails


def test_through_the_service(client, session, settings, customer):
    service = RequestService(UnitOfWork(session, settings, Actor("agent.kim", "phone")))
    document = ticket_payload(
        customer,
        ticketType="contact.change",
        troubleTicketCharacteristic=[characteristic("emailAddress", "nora@example.net")],
    )

    row = service.create(document)
    assert (row.status, row.document["note"][-1]["text"]) == (
        "closed",
        f"Contact details: email changed from {OLD_EMAIL} to nora@example.net.",
    )
    session.commit()

    bad = {**document, "troubleTicketCharacteristic": [characteristic("emailAddress", "x@")]}
    with pytest.raises(InvalidInput):
        RequestService(UnitOfWork(session, settings, Actor("agent.kim", "phone"))).create(bad)
    session.rollback()
    emails = [m["emailAddress"] for m in _media(client, customer, "EmailContactMedium")]
    assert emails == [OLD_EMAIL, "nora@example.net"]


def party_id(customer: dict) -> str:
    return customer["engagedParty"]["id"]
