"""A lead's lifecycle: acknowledged, inProgress, qualified, rejected, converted, cancelled, with
every transition checked, contacts logged as interactions, notes kept as history."""

import pytest

from tests.factories import assert_tmf_error, create_individual, create_organization
from tests.leads.helpers import FULL_ADDRESS, LEADS, V1, create_lead, new_prospect, reach


@pytest.fixture
def lead(client):
    person = new_prospect(client)
    return create_lead(client, person)


def test_a_lead_is_acknowledged_with_its_owner_and_source(client, lead):
    assert lead["status"] == "acknowledged"
    assert lead["@type"] == "SalesLead"
    assert lead["href"].endswith(f"/salesLead/{lead['id']}")
    assert lead["channel"]["id"] == "web"
    assert (lead["rating"], lead["priority"]) == ("hot", "high")
    owner = [p for p in lead["relatedParty"] if p["role"] == "owner"]
    assert owner and owner[0]["@referredType"] == "User"
    assert "creationDate" in lead and "statusChangeDate" in lead
    assert client.get(f"{LEADS}/{lead['id']}").json() == lead
    assert client.get(LEADS, params={"status": "acknowledged"}).json()[0]["id"] == lead["id"]


def test_a_contact_that_reached_the_prospect_is_an_interaction_and_starts_the_work(client, lead):
    logged = reach(client, lead)

    interaction = client.get(logged["href"].replace("http://testserver", ""))
    assert interaction.status_code == 200, interaction.text
    assert interaction.json()["relatedParty"][0]["role"] == "prospect"
    assert client.get(f"{LEADS}/{lead['id']}").json()["status"] == "inProgress"
    contacts = client.get(f"{V1}/{lead['id']}/contacts").json()
    assert [c["id"] for c in contacts] == [logged["id"]]


def test_a_contact_on_an_unknown_medium_is_refused(client, lead):
    body = {
        "direction": "outbound",
        "channel": "phone",
        "description": "x",
        "medium": "+49 30 1234567",
        "reached": True,
    }
    assert_tmf_error(client.post(f"{V1}/{lead['id']}/contacts", json=body), 400, "medium")
    assert client.get(f"{V1}/{lead['id']}/contacts").json() == []


def test_qualification_names_everything_missing(client, lead):
    response = client.patch(f"{LEADS}/{lead['id']}", json={"status": "qualified"})
    body = assert_tmf_error(response, 422, "verified contact medium", "postal address")
    assert body["code"] == "QUALIFICATION_INCOMPLETE"
    assert client.get(f"{LEADS}/{lead['id']}").json()["status"] == "acknowledged"


def test_an_organization_needs_a_contact_person_and_an_interest(client):
    company = create_organization(
        client,
        contactMedium=[
            dict(FULL_ADDRESS),
            {"@type": "PhoneContactMedium", "phoneNumber": "+49 221 777888"},
        ],
    )
    lead = create_lead(client, company, description=None, productOffering=None)
    lead_url = f"{LEADS}/{lead['id']}"
    reach(client, lead, "+49 221 777888")
    response = client.patch(lead_url, json={"status": "qualified"})
    assert_tmf_error(response, 422, "contact person", "interest")
    assert "verified" not in response.json()["message"]
    assert "postal address" not in response.json()["message"]


def test_a_complete_lead_qualifies_then_closes_with_a_reason(client):
    person = new_prospect(client)
    lead = create_lead(
        client,
        person,
        prospectContact=[
            {
                "mediumType": "postalAddress",
                "characteristic": {
                    "street1": "Lindenstr. 4",
                    "postCode": "50674",
                    "city": "Köln",
                    "country": "DE",
                },
            }
        ],
    )
    url = f"{LEADS}/{lead['id']}"
    reach(client, lead)
    assert client.patch(url, json={"status": "qualified"}).json()["status"] == "qualified"
    assert_tmf_error(client.patch(url, json={"status": "converted"}), 409, "conversion")
    assert_tmf_error(client.patch(url, json={"status": "rejected"}), 400, "statusChangeReason")
    closed = client.patch(url, json={"status": "rejected", "statusChangeReason": "no coverage"})
    assert closed.json()["status"] == "rejected"
    assert_tmf_error(client.patch(url, json={"status": "inProgress"}), 409)
    assert_tmf_error(client.patch(url, json={"rating": "cold"}), 409)


@pytest.mark.parametrize(
    "start, target, status",
    [
        ("acknowledged", "cancelled", 200),
        ("acknowledged", "pending", 400),
        ("cancelled", "inProgress", 409),
    ],
)
def test_transitions(client, lead, start, target, status):
    url = f"{LEADS}/{lead['id']}"
    if start == "cancelled":
        client.patch(url, json={"status": "cancelled", "statusChangeReason": "duplicate"})
    body = {"status": target, "statusChangeReason": "asked to"}
    assert client.patch(url, json=body).status_code == status


def test_notes_are_appended_never_rewritten(client, lead):
    url = f"{LEADS}/{lead['id']}"
    first = client.patch(url, json={"note": [{"text": "Prefers evening calls"}]}).json()
    assert first["note"][0]["author"] and first["note"][0]["date"]
    notes = [*first["note"], {"text": "Neighbour is a customer"}]
    assert len(client.patch(url, json={"note": notes}).json()["note"]) == 2
    assert_tmf_error(client.patch(url, json={"note": [{"text": "rewritten"}]}), 409, "note")


@pytest.mark.parametrize(
    "change, named",
    [
        ({"channel": None}, "channel"),
        ({"relatedParty": []}, "prospect"),
        ({"rating": "lukewarm"}, "rating"),
        ({"priority": "urgent"}, "priority"),
        ({"name": " "}, "name"),
        ({"status": "qualified"}, "status"),
        (
            {
                "relatedParty": [
                    {
                        "id": "00000000-0000-4000-8000-000000000000",
                        "role": "prospect",
                        "@referredType": "Individual",
                    }
                ]
            },
            "relatedParty",
        ),
        ({"prospectContact": [{"characteristic": {"phoneNumber": "12"}}]}, "phoneNumber"),
        ({"unknownThing": 1}, "unknownThing"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(client, change, named):
    person = create_individual(client)
    payload = {
        "name": "Lead",
        "channel": {"id": "shop"},
        "relatedParty": [{"id": person["id"], "role": "prospect", "@referredType": "Individual"}],
    }
    for key, value in change.items():
        if value is None:
            payload.pop(key)
        else:
            payload[key] = value
    assert_tmf_error(client.post(LEADS, json=payload), 400, named)
    assert client.get(LEADS).headers["X-Total-Count"] == "0"


def test_an_unknown_owner_is_refused(client):
    person = create_individual(client)
    owner = {"id": "nobody-here", "role": "owner", "@referredType": "User"}
    payload = {
        "name": "Lead",
        "channel": {"id": "shop"},
        "relatedParty": [
            {"id": person["id"], "role": "prospect", "@referredType": "Individual"},
            owner,
        ],
    }
    assert_tmf_error(client.post(LEADS, json=payload), 400, "owner")
