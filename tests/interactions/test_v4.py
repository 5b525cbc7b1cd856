"""TMF683 v4: the same interactions as v5, in v4 shapes, as lenient as the v4 conformance kit."""

from tests.factories import assert_tmf_error, create_person_customer
from tests.interactions.helpers import API, V4_API, log_interaction

V4 = f"{V4_API}/partyInteraction"
V5 = f"{API}/partyInteraction"
# What the v4 conformance kit posts (no interactionDate or status; "inbounds").
KIT_BODY = {
    "channel": [{"id": "555"}],
    "direction": "inbounds",
    "reason": "The user wanted to buy TV and internet plan",
}


def test_the_conformance_kit_body_is_accepted_and_read_back_as_sent(client):
    response = client.post(V4, json=KIT_BODY)

    assert response.status_code == 201, response.text
    made = response.json()
    assert made["href"] == f"http://testserver{V4}/{made['id']}"
    assert (made["direction"], made["reason"], made["channel"][0]["id"]) == (
        "inbounds",
        KIT_BODY["reason"],
        "555",
    )
    assert made["@type"] == "PartyInteraction" and made["status"] == "opened"
    for params in (
        {"id": made["id"]},
        {"href": made["href"]},
        {"direction": "inbounds"},
        {"reason": KIT_BODY["reason"]},
    ):
        found = client.get(V4, params=params).json()
        assert [item["id"] for item in found] == [made["id"]], params
    assert client.get(V4, params={"fields": "direction"}).json()[0].keys() == {
        "id",
        "href",
        "@type",
        "direction",
    }


def test_v4_and_v5_clients_see_the_same_interaction(client):
    customer = create_person_customer(client, "Eva", "Mohr")
    made_v5 = log_interaction(client, customer, status="completed")

    as_v4 = client.get(f"{V4}/{made_v5['id']}").json()

    assert as_v4["channel"] == [
        {
            "@type": "RelatedChannel",
            "id": "phone",
            "href": "urn:parley:channel:phone",  # v4 requires one: Parley's channel URN
            "name": "phone",
            "role": "contact",
        }
    ]
    assert "relatedChannel" not in as_v4
    assert as_v4["relatedParty"][0] | {"href": None} == {
        "@type": "RelatedParty",
        "id": customer["id"],
        "href": None,
        "role": "customer",
        "@referredType": "Customer",
    }
    same = ("direction", "reason", "status", "description", "interactionDate", "creationDate")
    assert {k: as_v4[k] for k in same} == {k: made_v5[k] for k in same}


def test_an_interaction_logged_on_v4_is_a_v5_interaction_of_the_customer(client):
    customer = create_person_customer(client, "Jan", "Wolf")
    body = {
        **KIT_BODY,
        "direction": "outbound",
        "reason": "notification",
        "relatedParty": [{"id": customer["id"], "role": "customer", "@referredType": "Customer"}],
        "interactionItem": [
            {"item": {"id": "BILL-77", "role": "bill", "@referredType": "CustomerBill"}}
        ],
    }

    made = client.post(V4, json=body).json()
    as_v5 = client.get(f"{V5}/{made['id']}").json()

    assert as_v5["relatedChannel"][0]["channel"]["id"] == "555"
    assert as_v5["relatedParty"][0]["partyOrPartyRole"]["@type"] == "PartyRoleRef"
    assert as_v5["interactionItem"][0]["item"]["entity"]["id"] == "BILL-77"
    assert made["interactionItem"][0]["item"] == {
        "role": "bill",
        "id": "BILL-77",
        "@referredType": "CustomerBill",
    }
    timeline = client.get(
        f"/api/v1/customers/{customer['id']}/interactions", params={"relatedEntity": "BILL-77"}
    ).json()
    assert [item["id"] for item in timeline["items"]] == [made["id"]]


def test_v4_patch_completes_and_appends_and_keeps_history(client):
    made = client.post(V4, json=KIT_BODY).json()

    done = client.patch(
        f"{V4}/{made['id']}", json={"status": "completed", "note": [{"text": "ok"}]}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed" and done.json()["note"][0]["text"] == "ok"
    assert_tmf_error(client.patch(f"{V4}/{made['id']}", json={"reason": "other"}), 409)


GHOST = "4b0d1a8e-0000-4000-8000-000000000000"


def test_v4_bad_input_is_refused_and_nothing_is_written(client):
    for body in (
        {"direction": "inbound", "reason": "x"},  # no channel
        {**KIT_BODY, "channel": []},
        {**KIT_BODY, "direction": "sideways"},
        {**KIT_BODY, "colour": "blue"},
        # Not a customer Parley holds, though of its form ("nobody" would be another system's).
        {**KIT_BODY, "relatedParty": [{"id": GHOST, "@referredType": "Customer"}]},
    ):
        assert_tmf_error(client.post(V4, json=body), 400)
    assert client.get(V4).json() == []
