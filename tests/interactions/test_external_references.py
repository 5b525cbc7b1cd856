"""External references in interactions: a ``relatedParty`` naming another system's customer or
party is kept as sent; the placeholder party behind it is the interaction's subject, so when
the party appears (with that external identifier) the interactions join its history. What
Parley holds stays checked strictly."""

from sqlalchemy import func, select

from parley.db.base import new_id
from parley.interactions.models import Interaction
from parley.parties.models import Party
from tests.conftest import CUSTOMER_API
from tests.factories import assert_tmf_error, create_customer, create_individual
from tests.interactions.helpers import API, V4_API, interaction_payload

BSS = "https://bss.example/tmf-api/customerManagement/v5/customer"
INTERACTIONS = f"{API}/partyInteraction"


def _related(ref: dict, role: str = "customer") -> dict:
    return {"@type": "RelatedPartyOrPartyRole", "role": role, "partyOrPartyRole": ref}


def _log(client, *refs: dict) -> dict:
    response = client.post(INTERACTIONS, json=interaction_payload(relatedParty=list(refs)))
    assert response.status_code == 201, response.text
    return response.json()


def _subject(session, interaction: dict) -> tuple[str | None, str | None]:
    row = session.get(Interaction, interaction["id"])
    found = (row.customer_id, row.party_id)
    session.rollback()
    return found


def test_another_systems_customer_is_kept_as_sent_behind_one_placeholder(client, session):
    sent = {
        "@type": "PartyRoleRef",
        "id": "C-500",
        "href": f"{BSS}/C-500",
        "name": "Erika Mustermann",
        "@referredType": "Customer",
    }

    first = _log(client, _related(sent))
    second = _log(client, _related(sent))

    assert first["relatedParty"] == [_related(sent)]  # as sent: no Parley href, same id
    assert client.get(f"{INTERACTIONS}/{first['id']}").json()["relatedParty"] == [_related(sent)]
    v4 = client.get(f"{V4_API}/partyInteraction/{first['id']}").json()["relatedParty"][0]
    assert (v4["id"], v4["href"]) == ("C-500", f"{BSS}/C-500")
    customer_id, party_id = _subject(session, first)
    assert customer_id is None and _subject(session, second) == (None, party_id)
    placeholder = session.get(Party, party_id)
    assert placeholder.display_name == "Erika Mustermann"
    assert placeholder.document["externalReference"] == [
        {
            "@type": "ExternalIdentifier",
            "id": "C-500",
            "externalIdentifierType": "Customer",
            "owner": BSS,
        }
    ]
    session.rollback()
    by_party = client.get(INTERACTIONS, params={"relatedParty.id": party_id}).json()
    assert {i["id"] for i in by_party} == {first["id"], second["id"]}


def test_when_the_party_appears_the_interactions_join_its_customers_history(client, session):
    sent = {"id": "C-501", "href": f"{BSS}/C-501", "@referredType": "Customer"}
    logged = _log(client, _related(sent))
    _, placeholder_id = _subject(session, logged)
    identifier = {"@type": "ExternalIdentifier", "id": "C-501", "owner": BSS}

    person = create_individual(
        client, givenName="Jonas", familyName="Roth", externalReference=[identifier]
    )
    customer = create_customer(client, person)

    assert person["id"] == placeholder_id  # the person took the placeholder's place
    assert person["@type"] == "Individual"
    timeline = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()
    assert logged["id"] in [entry["id"] for entry in timeline["items"]]
    assert client.get(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 200


def test_another_systems_person_is_the_subject_without_a_customer(client, session):
    sent = {"@type": "PartyRef", "id": "P-77", "name": "Kim Berg", "@referredType": "Individual"}

    logged = _log(client, _related(sent, "contact"))

    assert logged["relatedParty"][0]["partyOrPartyRole"] == sent
    customer_id, party_id = _subject(session, logged)
    placeholder = session.get(Party, party_id)
    assert customer_id is None
    assert (placeholder.kind, placeholder.family_name) == ("Individual", "Berg")
    assert "owner" not in placeholder.document["externalReference"][0]  # sent without href
    session.rollback()


def test_a_customer_of_parleys_stays_the_subject_beside_an_external_party(client, session):
    customer = create_customer(client)
    ours = {"@type": "PartyRoleRef", "id": customer["id"], "@referredType": "Customer"}
    theirs = {"@type": "PartyRef", "id": "P-78", "@referredType": "Individual"}

    logged = _log(client, _related(ours), _related(theirs, "contact"))

    assert _subject(session, logged)[0] == customer["id"]
    assert logged["relatedParty"][1]["partyOrPartyRole"] == theirs


def test_what_parley_holds_stays_strict(client, session):
    before = session.scalar(select(func.count()).select_from(Party))
    session.rollback()
    for ref in (
        {"id": new_id(), "@referredType": "Customer"},
        {"id": new_id(), "@referredType": "Individual"},
    ):
        refused = client.post(INTERACTIONS, json=interaction_payload(relatedParty=[_related(ref)]))
        assert_tmf_error(refused, 400, "relatedParty[0]")
    assert session.scalar(select(func.count()).select_from(Party)) == before  # no placeholder
    session.rollback()


def test_a_name_longer_than_parleys_is_kept_as_sent_and_cut_for_the_placeholder(client, session):
    sent = {"id": "P-79", "name": "Anna " + "Long" * 100, "@referredType": "Individual"}

    logged = _log(client, _related(sent, "contact"))

    assert logged["relatedParty"][0]["partyOrPartyRole"]["name"] == sent["name"]
    placeholder = session.get(Party, _subject(session, logged)[1])
    assert (placeholder.given_name, len(placeholder.family_name)) == ("Anna", 140)
    session.rollback()
