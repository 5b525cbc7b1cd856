"""The request type catalogue: seeded as the defaults say, managed by administrators through
troubleTicketSpecification, its rules checked; a type in use is retired, not deleted."""

import copy

import pytest

from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import TYPES, raise_request, type_id


def _new_type(**overrides) -> dict:
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[3])  # fault.repair
    document.update(code="sim.swap", name="SIM swap", category="account", **overrides)
    document["classification"] = {"reasonCode": [], "channel": [], "keyword": ["sim swap"]}
    return document


def test_the_seeded_catalogue_is_the_default_one(client):
    served = {t["code"]: t for t in client.get(TYPES).json()}

    assert set(served) == {d["code"] for d in DEFAULT_REQUEST_TYPES}
    for default in DEFAULT_REQUEST_TYPES:
        kept = {k: v for k, v in served[default["code"]].items() if k in default}
        assert kept == default
    modes = {code: t["fulfilmentMode"] for code, t in served.items()}
    assert modes["addon.selection"] == "automatic"
    assert modes["fault.repair"] == "workflow"


def test_an_administrator_adds_a_type_that_then_classifies_requests(client):
    created = client.post(TYPES, json=_new_type())

    assert created.status_code == 201, created.text
    ticket = raise_request(client, create_customer(client), description="Need a SIM swap")
    assert ticket["troubleTicketSpecification"]["id"] == type_id(client, "sim.swap")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"slaTarget": [{"priority": "high", "hours": 8}]}, "slaTarget"),
        (
            {
                "slaTarget": [
                    {"priority": p, "hours": 0} for p in ("critical", "high", "medium", "low")
                ]
            },
            "hours",
        ),
        ({"category": "sales"}, "category"),
        ({"fulfilmentMode": "manual"}, "fulfilmentMode"),
        ({"notifyOn": ["sometimes"]}, "notifyOn"),
        ({"code": "Not A Code"}, "code"),
        ({"classification": {"reasonCode": ["no.such.reason"]}}, "reasonCode"),
    ],
)
def test_bad_types_are_refused(client, change, named):
    document = {**_new_type(), **change}

    response = client.post(TYPES, json=document)

    assert_tmf_error(response, 400)
    assert named in response.json()["message"]


def test_a_type_keeps_its_code_and_one_in_use_is_retired_not_deleted(client, as_user):
    fault = type_id(client, "fault.repair")
    raise_request(client, create_customer(client), ticketType="fault.repair")

    assert_tmf_error(client.patch(f"{TYPES}/{fault}", json={"code": "repair"}), 400)
    assert_tmf_error(client.delete(f"{TYPES}/{fault}"), 409)
    retired = client.patch(f"{TYPES}/{fault}", json={"lifecycleStatus": "retired"})
    assert retired.status_code == 200, retired.text
    assert (
        client.patch(f"{TYPES}/{fault}", json={"name": "x"}, headers=as_user("kim")).status_code
        == 403
    )
    refused = client.post(
        "/tmf-api/troubleTicket/v5/troubleTicket",
        json={
            "description": "x",
            "severity": "minor",
            "ticketType": "fault.repair",
            "troubleTicketSpecification": {"id": fault},
            "relatedParty": [
                {
                    "role": "customer",
                    "partyOrPartyRole": {
                        "@type": "PartyRoleRef",
                        "id": create_customer(client)["id"],
                        "@referredType": "Customer",
                    },
                }
            ],
        },
    )
    assert_tmf_error(refused, 400)  # a retired type takes no new requests


def test_an_unused_type_can_be_deleted(client):
    created = client.post(TYPES, json=_new_type()).json()

    assert client.delete(f"{TYPES}/{created['id']}").status_code == 204
    assert client.get(f"{TYPES}/{created['id']}").status_code == 404
