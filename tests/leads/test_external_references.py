"""A lead whose prospect (or contact person) another system masters: the reference is kept as
sent, the placeholder party behind it is the lead's prospect, and the party replaces it when it
is created with that external identifier. A prospect named by Parley's id must exist."""

from sqlalchemy import select

from parley.db.base import new_id
from parley.interactions.models import Interaction
from parley.leads.models import SalesLead
from tests.factories import assert_tmf_error, create_individual
from tests.leads.helpers import LEADS, V1, lead_payload

CRM = "https://crm.example/tmf-api/partyManagement/v4/individual"


def _prospect(**extra) -> dict:
    return {
        "@type": "RelatedParty",
        "id": "P-77",
        "href": f"{CRM}/P-77",
        "name": "Lena Vogt",
        "role": "prospect",
        **extra,
    }


def _lead(client, prospect: dict) -> dict:
    payload = lead_payload(
        {"id": "-", "@type": "Individual", "givenName": "Lena"}, relatedParty=[prospect]
    )
    response = client.post(LEADS, json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def test_another_systems_prospect_is_kept_as_sent_and_resolved_when_it_appears(client, session):
    sent = _prospect(**{"@referredType": "Individual"})

    lead = _lead(client, sent)
    changed = client.patch(f"{LEADS}/{lead['id']}", json={"rating": "warm"})

    prospect = next(p for p in lead["relatedParty"] if p["role"] == "prospect")
    assert prospect == sent
    assert changed.status_code == 200, changed.text
    placeholder_id = session.scalar(select(SalesLead.party_id).where(SalesLead.id == lead["id"]))
    session.rollback()
    contact = client.post(
        f"{V1}/{lead['id']}/contacts",
        json={"direction": "outbound", "channel": "phone", "description": "Left a message"},
    )
    assert contact.status_code == 201, contact.text

    identifier = {"@type": "ExternalIdentifier", "id": "P-77", "owner": CRM}
    person = create_individual(
        client, givenName="Lena", familyName="Vogt", externalReference=[identifier]
    )

    assert person["id"] == placeholder_id
    logged = session.scalars(
        select(Interaction.party_id).where(Interaction.party_id == person["id"])
    )
    assert len(logged.all()) == 1  # the contact with the prospect is the person's now
    session.rollback()
    assert client.get(f"{LEADS}/{lead['id']}").json()["relatedParty"][0] == sent


def test_a_prospect_named_by_parleys_id_must_exist(client):
    ghost = {"id": new_id(), "role": "prospect", "@referredType": "Individual"}
    payload = lead_payload(
        {"id": "-", "@type": "Individual", "givenName": "Ghost"}, relatedParty=[ghost]
    )

    assert_tmf_error(client.post(LEADS, json=payload), 400, "relatedParty[0]")


def test_a_prospect_of_ours_is_completed_as_before(client):
    person = create_individual(client, givenName="Mia", familyName="Brandt")
    ours = {"id": person["id"], "role": "prospect", "@referredType": "Individual"}

    lead = _lead(client, ours)

    assert lead["relatedParty"][0]["name"] == "Mia Brandt"
    assert lead["relatedParty"][0]["href"].endswith(f"/individual/{person['id']}")
