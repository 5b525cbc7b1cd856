"""The duplicate check on customer creation (TMF629 and the parties service): seeded
near-duplicates of customers and of open leads are reported with scores and reasons; distinct
people are not; ``force`` creates and is audited with what it overrode."""

import re

import pytest

from parley.actor import Actor
from parley.auth.audit import AuditFilter, AuditTrail
from parley.changes import UnitOfWork
from parley.parties.duplicates import DuplicateSuspected
from parley.parties.service import FORCED_CREATE, PartyService
from tests.auth.helpers import bearer, login, make_user
from tests.conftest import CUSTOMER_API
from tests.factories import (
    assert_tmf_error,
    create_customer,
    create_organization,
    create_person,
    create_person_customer,
    customer_payload,
    total_count,
)
from tests.leads.helpers import create_lead

CUSTOMERS = f"{CUSTOMER_API}/customer"
BORN = "1984-03-09T00:00:00Z"


def _post(client, party: dict, **params):
    return client.post(CUSTOMERS, json=customer_payload(party), params=params)


def _forced_audit(client, customer_id: str) -> dict:
    entries = client.get("/api/v1/audit", params={"resourceId": customer_id}).json()
    (forced,) = [e for e in entries if e["action"] == FORCED_CREATE]
    return forced


def test_a_misspelt_name_in_the_same_city_is_reported_with_score_and_reasons(client):
    known = create_person_customer(client, "Katharina", "Schmidt", city="Bremen")
    lookalike = create_person(client, "Katharina", "Schmitt", city="Bremen")

    response = _post(client, lookalike)

    body = assert_tmf_error(response, 409, known["id"], known["href"], "name fuzzy", "city")
    assert body["code"] == "DUPLICATE_SUSPECTED"
    score = re.search(
        r"score ([\d.]+): name fuzzy Katharina Schmidt, city exact Bremen", body["message"]
    )
    assert score and 85 <= float(score.group(1)) < 100, body["message"]
    assert "force=true" in body["message"]
    assert total_count(client, CUSTOMERS) == 1


def test_the_same_phone_in_another_format_is_reported(client):
    known = create_person_customer(client, "Jonas", "Berger", phone="+49 171 2223334")
    caller = create_person(client, "J.", "Berger-Lang", phone="0171 222 3334")

    body = assert_tmf_error(_post(client, caller), 409, known["id"], "phone exact +491712223334")
    assert "score 100" in body["message"]


def test_the_same_email_on_the_customer_itself_is_reported(client):
    known = create_person_customer(client, "Mira", "Hahn", email="mira.hahn@example.org")
    other = create_person(client, "Mira", "Lenz")
    own_media = [{"@type": "EmailContactMedium", "emailAddress": "Mira.Hahn@Example.org"}]
    payload = customer_payload(other, contactMedium=own_media)

    response = client.post(CUSTOMERS, json=payload)

    assert_tmf_error(response, 409, known["id"], "email exact")


def test_the_same_name_born_the_same_day_is_reported_wherever_they_live(client):
    known = create_person_customer(client, "Paul", "Richter", city="Dresden", birthDate=BORN)
    again = create_person(client, "Paul", "Richter", city="Stuttgart", birthDate=BORN)

    response = _post(client, again)

    assert_tmf_error(response, 409, known["id"], "birthDate exact 1984-03-09")


def test_a_lookalike_of_an_open_lead_is_reported(client):
    prospect = create_person(client, "Lena", "Vogt", city="Kiel", phone="+49 176 5550101")
    lead = create_lead(client, prospect)
    lookalike = create_person(client, "Lena", "Vogt", city="Kiel")

    assert_tmf_error(_post(client, lookalike), 409, "open lead", lead["id"], "salesLead")
    # The prospect itself, while its lead is open, is converted rather than made a customer.
    assert_tmf_error(_post(client, prospect), 409, lead["id"], "phone exact")


def test_distinct_people_are_not_reported(client):
    create_person_customer(client, "Paul", "Richter", city="Dresden", birthDate=BORN)
    create_person_customer(client, "Anna", "Krüger", city="Berlin")
    namesake_elsewhere = create_person(client, "Paul", "Richter", city="Stuttgart")
    born_another_day = create_person(
        client, "Paul", "Richter", city="Bonn", birthDate="1991-11-30T00:00:00Z"
    )
    neighbour = create_person(client, "Jan", "Kowalski", city="Berlin")

    for person in (namesake_elsewhere, born_another_day, neighbour):
        assert _post(client, person).status_code == 201, person
    assert total_count(client, CUSTOMERS) == 5


def test_a_contact_person_of_a_company_becoming_a_customer_is_not_its_duplicate(client):
    person = create_person(client, "Ole", "Sander", city="Kiel", phone="+49 172 9990001")
    company = create_organization(client)
    contact = {"role": "primaryContact", "partyOrPartyRole": {"id": person["id"]}}
    create_customer(client, company, relatedParty=[contact])

    assert _post(client, person).status_code == 201


def test_a_forced_create_goes_through_and_is_audited_with_the_suspects(client):
    known = create_person_customer(client, "Jonas", "Berger", phone="+49 171 2223334")
    caller = create_person(client, "Jonas", "Berger", phone="+49 171 2223334")

    response = _post(client, caller, force="true")

    assert response.status_code == 201, response.text
    created = response.json()
    forced = _forced_audit(client, created["id"])
    (suspect,) = forced["after"]["suspects"]
    assert suspect["customer"]["id"] == known["id"]
    assert suspect["score"] == 100
    assert [r["field"] for r in suspect["reasons"]] == ["phone"]  # no city: no name reason
    assert total_count(client, CUSTOMERS) == 2


def test_a_create_without_suspects_records_no_override(client):
    created = _post(client, create_person(client, "Eva", "Lang"), force="true").json()
    entries = client.get("/api/v1/audit", params={"resourceId": created["id"]}).json()
    assert [e["action"] for e in entries] == ["create"]


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_force_must_be_true_or_false(client, value):
    response = _post(client, create_person(client, "Eva", "Lang"), force=value)
    assert_tmf_error(response, 400, "force")
    assert total_count(client, CUSTOMERS) == 0


def test_a_self_service_customer_cannot_create_customers(client, session, settings):
    own = create_person_customer(client, "Ida", "Brandt")
    user = make_user(session, settings, "customer", kind="customer", customer_id=own["id"])
    headers = bearer(login(client, user.user.username)["access_token"])
    other = create_person(client, "Ida", "Brandt-Kurz")

    response = client.post(CUSTOMERS, json=customer_payload(other), headers=headers)

    assert_tmf_error(response, 403)
    assert total_count(client, CUSTOMERS) == 1


def test_the_service_refuses_then_forces_and_records(session, settings):
    parties = PartyService(UnitOfWork(session, settings, Actor("agent.kim", "test")))
    people = [
        parties.create_party(
            "Individual",
            {
                "givenName": "Greta",
                "familyName": "Wolff",
                "contactMedium": [{"@type": "PhoneContactMedium", "phoneNumber": phone}],
            },
        )
        for phone in ("+49 151 27770001", "0151 27770001")
    ]
    first = parties.create_customer(_engaging(people[0]))

    with pytest.raises(DuplicateSuspected) as refused:
        parties.create_customer(_engaging(people[1]))
    (suspect,) = refused.value.suspects
    assert suspect.customer.id == first.id
    assert [(r.field, r.match) for r in suspect.reasons][0] == ("phone", "exact")

    second = parties.create_customer(_engaging(people[1]), force=True)
    entries, _ = AuditTrail(session).query(AuditFilter(resource_id=second.id))
    (forced,) = [e for e in entries if e.action == FORCED_CREATE]
    assert forced.after["suspects"][0]["customer"]["id"] == first.id
    session.rollback()


def _engaging(party) -> dict:
    return {"engagedParty": {"id": party.id, "@referredType": "Individual"}}
