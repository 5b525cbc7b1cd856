"""External references on tickets: a ticket for another system's customer keeps the reference
as sent; it has no customer in Parley (so it is classified among the types that need none),
and concerns the placeholder party behind the reference, which the party replaces when it
appears. A customer Parley holds is checked strictly."""

from parley.db.base import new_id
from parley.requests.models import CustomerRequest
from tests.factories import assert_tmf_error, create_individual
from tests.requests.helpers import TICKETS, type_id

BSS = "https://bss.example/tmf-api/customerManagement/v5/customer"


def _related(ref: dict) -> dict:
    return {"@type": "RelatedPartyRefOrPartyRoleRef", "role": "customer", "partyOrPartyRole": ref}


def _ticket(ref: dict, **extra) -> dict:
    return {
        "description": "Router reboots every night",
        "severity": "Minor",
        "ticketType": "device",
        "relatedParty": [_related(ref)],
        **extra,
    }


def test_a_ticket_for_another_systems_customer_keeps_it_as_sent(client, session):
    sent = {"@type": "PartyRoleRef", "id": "C-700", "href": f"{BSS}/C-700"}
    sent.update({"name": "Erika Mustermann", "@referredType": "Customer"})

    created = client.post(TICKETS, json=_ticket(sent))
    again = client.post(TICKETS, json=_ticket(sent))

    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["relatedParty"] == [_related(sent)]
    assert ticket["troubleTicketSpecification"]["id"] == type_id(client, "internal")
    row, other = (
        session.get(CustomerRequest, ticket["id"]),
        session.get(CustomerRequest, again.json()["id"]),
    )
    assert row.customer_id is None and row.party_id == other.party_id is not None
    party_id = row.party_id
    session.rollback()
    by_party = client.get(TICKETS, params={"relatedParty.id": party_id}).json()
    assert {t["id"] for t in by_party} == {ticket["id"], again.json()["id"]}

    # The party appears with that identifier: the tickets concern it now, and still say what
    # the other system sent.
    identifier = {"@type": "ExternalIdentifier", "id": "C-700", "owner": BSS}
    person = create_individual(
        client, givenName="Erika", familyName="Mustermann", externalReference=[identifier]
    )
    assert person["id"] == party_id
    found = client.get(TICKETS, params={"relatedParty.id": person["id"]}).json()
    assert {t["relatedParty"][0]["partyOrPartyRole"]["id"] for t in found} == {"C-700"}


def test_a_type_that_needs_a_customer_is_refused_for_another_systems(client):
    sent = {"id": "C-701", "@referredType": "Customer"}

    refused = client.post(TICKETS, json=_ticket(sent, ticketType="fault.repair"))

    assert_tmf_error(refused, 400, "relatedParty")


def test_a_customer_id_of_parleys_form_must_be_one_parley_holds(client):
    ghost = {"id": new_id(), "@referredType": "Customer"}

    assert_tmf_error(client.post(TICKETS, json=_ticket(ghost)), 400, "relatedParty[0]")
