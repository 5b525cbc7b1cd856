"""External references (parties/external.py): a party Parley does not hold is kept as sent,
stands behind a placeholder, and is resolved when the party appears with that identifier;
what Parley does hold stays checked strictly."""

from sqlalchemy import select

from parley.db.base import new_id
from parley.parties.models import Customer, Party
from tests.conftest import CUSTOMER_API, PARLEY_API, PARTY_API
from tests.factories import assert_tmf_error, create_individual

CUSTOMERS = f"{CUSTOMER_API}/customer"
BSS = "https://bss.example/tmf-api/partyManagement/v4/individual"


def _customer(client, engaged: dict, **extra) -> dict:
    response = client.post(CUSTOMERS, json={"name": "Kim Berg", "engagedParty": engaged, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def _engaged_row(session, customer: dict) -> Party:
    party_id = session.scalar(select(Customer.party_id).where(Customer.id == customer["id"]))
    return session.get(Party, party_id)


def test_a_bare_foreign_id_is_kept_as_sent(client, session):
    sent = {"id": "500", "@type": "PartyRef"}
    customer = _customer(client, sent)
    assert customer["engagedParty"] == sent  # no Parley href, no rewritten id
    again = client.get(f"{CUSTOMERS}/{customer['id']}").json()
    assert again["engagedParty"] == sent
    placeholder = _engaged_row(session, customer)
    assert placeholder.display_name == "Party 500"
    assert placeholder.document["externalReference"][0]["id"] == "500"


def test_a_reference_with_href_name_and_type_is_kept_as_sent(client, session):
    sent = {
        "id": "P-77",
        "href": f"{BSS}/P-77",
        "name": "Kim Berg",
        "@referredType": "Individual",
        "@type": "PartyRef",
    }
    customer = _customer(client, sent)
    assert customer["engagedParty"] == sent
    placeholder = _engaged_row(session, customer)
    assert (placeholder.kind, placeholder.given_name, placeholder.family_name) == (
        "Individual",
        "Kim",
        "Berg",
    )
    assert placeholder.document["externalReference"][0]["owner"] == BSS
    # The same reference again stands behind the same placeholder.
    other = _customer(client, sent)
    assert _engaged_row(session, other).id == placeholder.id


def test_the_party_appearing_with_that_identifier_resolves_the_reference(client, session):
    sent = {"id": "P-88", "href": f"{BSS}/P-88", "name": "Ute Kranz", "@type": "PartyRef"}
    sent["@referredType"] = "Individual"
    customer = _customer(client, sent)
    placeholder_id = _engaged_row(session, customer).id
    external = {"id": "P-88", "owner": BSS, "@type": "ExternalIdentifier"}
    person = create_individual(
        client, givenName="Ute", familyName="Kranz-Lindner", externalReference=[external]
    )
    assert person["id"] == placeholder_id  # the party took its placeholder's place
    assert not any(
        c.get("name") == "externalReferenceOnly" for c in person.get("partyCharacteristic", [])
    )
    session.expire_all()
    assert _engaged_row(session, customer).display_name == "Ute Kranz-Lindner"
    assert client.get(f"{CUSTOMERS}/{customer['id']}").json()["engagedParty"] == sent
    found = client.get(f"{PARLEY_API}/identify", params={"q": "Ute Kranz-Lindner"}).json()
    assert customer["id"] in [c["customer"]["id"] for c in found["candidates"]]


def test_a_foreign_contact_is_kept_as_sent_and_is_no_contact(client, session):
    own = create_individual(client)
    foreign = {
        "role": "billingContact",
        "@type": "RelatedPartyOrPartyRole",
        "partyOrPartyRole": {"id": "C-9", "@type": "PartyRef", "@referredType": "Individual"},
    }
    customer = _customer(client, {"id": own["id"]}, relatedParty=[foreign])
    assert customer["relatedParty"] == [foreign]
    by_contact = client.get(CUSTOMERS, params={"relatedParty.id": "C-9"})
    assert by_contact.json() == []  # contacts are Parley's parties


def test_what_parley_holds_stays_strict(client):
    own = create_individual(client)
    unknown_uuid = {"id": new_id(), "@referredType": "Individual"}
    assert_tmf_error(
        client.post(CUSTOMERS, json={"name": "X", "engagedParty": unknown_uuid}),
        400,
        "engagedParty.id",
    )
    wrong_kind = {"id": own["id"], "@referredType": "Organization"}
    assert_tmf_error(
        client.post(CUSTOMERS, json={"name": "X", "engagedParty": wrong_kind}),
        400,
        "engagedParty.@referredType",
    )
    # Parley's own party named by its Parley href is Parley's, whatever else is sent.
    ours = {"id": own["id"], "href": f"http://testserver{PARTY_API}/individual/{own['id']}"}
    answered = _customer(client, ours)["engagedParty"]
    assert answered["id"] == own["id"] and answered["@referredType"] == "Individual"
