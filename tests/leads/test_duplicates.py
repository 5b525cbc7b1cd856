"""The duplicate check on lead creation: seeded near-duplicates of customers and of open leads
are reported with scores and reasons; distinct people (a namesake elsewhere, another name) are
not; a forced create goes through and is recorded."""

from tests.factories import assert_tmf_error, create_person, create_person_customer
from tests.leads.helpers import LEADS, V1, create_lead, lead_payload


def _suspects(client, lead) -> list[dict]:
    response = client.get(f"{V1}/{lead['id']}/duplicates")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_same_phone_in_another_format_is_a_duplicate_customer(client):
    customer = create_person_customer(client, "Jonas", "Berger", phone="+49 171 2223334")
    prospect = create_person(client, "J.", "Berger", phone="0171 222 3334")

    response = client.post(LEADS, json=lead_payload(prospect))
    body = assert_tmf_error(response, 409, "Jonas Berger", "phone", "force=true")
    assert body["code"] == "DUPLICATE_SUSPECTED"
    assert client.get(LEADS).headers["X-Total-Count"] == "0"

    lead = create_lead(client, prospect, force=True)
    (suspect,) = _suspects(client, lead)
    assert suspect["customer"]["id"] == customer["id"]
    assert suspect["score"] == 100
    assert suspect["reasons"][0]["field"] == "phone"
    audit = client.get("/api/v1/audit", params={"resourceId": lead["id"]}).json()
    assert {"create", "create_forced"} <= {entry["action"] for entry in audit}


def test_a_slightly_misspelt_name_in_the_same_city_is_a_duplicate_lead(client):
    first = create_person(client, "Katharina", "Schmidt", city="Bremen", phone="+49 160 1000001")
    create_lead(client, first)
    second = create_person(client, "Katharina", "Schmitt", city="Bremen", phone="+49 160 1000002")

    response = client.post(LEADS, json=lead_payload(second))
    assert_tmf_error(response, 409, "open lead", "name", "city")


def test_the_same_email_prospect_contact_is_a_duplicate(client):
    create_person_customer(client, "Mira", "Hahn", email="mira.hahn@example.org")
    prospect = create_person(client, "Mira", "Hahn-Lenz")
    contact = [{"mediumType": "email", "characteristic": {"emailAddress": "Mira.Hahn@Example.org"}}]

    response = client.post(LEADS, json=lead_payload(prospect, prospectContact=contact))
    assert_tmf_error(response, 409, "email")


def test_distinct_people_are_not_reported(client):
    create_person_customer(client, "Paul", "Richter", city="Dresden", phone="+49 151 24440001")
    create_person_customer(client, "Anna", "Krüger", city="Berlin", phone="+49 151 24440002")
    # The same name in another city with other keys; and another name in the same city.
    namesake = create_person(client, "Paul", "Richter", city="Stuttgart", phone="+49 151 24440003")
    neighbour = create_person(client, "Jan", "Kowalski", city="Berlin", phone="+49 151 24440004")

    for prospect in (namesake, neighbour):
        lead = create_lead(client, prospect)
        assert _suspects(client, lead) == []


def test_the_prospect_already_a_customer_is_reported(client):
    prospect = create_person(client, "Ole", "Sander", phone="+49 172 9990001")
    client.post(
        "/tmf-api/customerManagement/v5/customer",
        json={
            "name": "Ole Sander",
            "engagedParty": {"id": prospect["id"], "@referredType": "Individual"},
        },
    )
    assert_tmf_error(client.post(LEADS, json=lead_payload(prospect)), 409, "Ole Sander")


def test_force_must_be_true_or_false(client):
    prospect = create_person(client, "Eva", "Lang")
    response = client.post(LEADS, json=lead_payload(prospect), params={"force": "yes"})
    assert_tmf_error(response, 400, "force")
