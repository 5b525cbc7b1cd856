"""Golden files for every shipped profile (src/parley/mediation/profiles): each sample message
under tests/mediation/golden/ becomes exactly the expected commands in a dry run, and through
the store and a worker it makes what those commands say, with the customers and requests it
names."""

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from parley.interactions.models import Interaction
from parley.mediation import APPLIED
from parley.mediation.examples import shipped_profiles
from parley.mediation.profile_service import Sample
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.requests.models import CustomerRequest
from tests.mediation.conftest import receive_partner, reloaded
from tests.requests.helpers import TYPES, raise_request
from tests.web.helpers import make_customer

GOLDEN = Path(__file__).parent / "golden"
MEDIA = {".xml": "application/xml", ".csv": "text/csv", ".json": "application/json"}
SHIPPED = shipped_profiles()


def _sample(name: str) -> tuple[bytes, str]:
    path = next(GOLDEN.glob(f"{name}.sample.*"))
    return path.read_bytes(), MEDIA[path.suffix]


def _expected(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.expected.json").read_text("utf-8"))


def test_every_shipped_profile_has_its_golden_files():
    names = {path.name.split(".")[0] for path in GOLDEN.iterdir()}
    assert names == set(SHIPPED)
    for name in SHIPPED:
        assert (GOLDEN / f"{name}.expected.json").exists(), name


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_sample_becomes_the_expected_commands(name, profiles):
    profile = profiles.create(SHIPPED[name])
    content, media = _sample(name)

    tried = profiles.dry_run(profile, Sample(content, media))

    assert tried["recognised"] and tried["mismatches"] == []
    assert {"command": tried["command"], "items": tried["items"]} == _expected(name)


def test_the_trouble_report_raises_a_fault_repair_request(
    profiles, store, apply_due, session, client
):
    customer = make_customer(client, email="golden.trouble@example.org", phone="+49 171 5550199")
    profiles.create(SHIPPED["acme-trouble-report"])
    session.commit()
    content, media = _sample("acme-trouble-report")

    received = receive_partner(store, "acme-networks", content, media)
    apply_due()

    message = reloaded(session, received.id)
    assert message.state == APPLIED, message.reason or message.last_error
    request = session.get(CustomerRequest, message.outcome["results"][0]["request"])
    assert request.customer_id == customer["id"] and request.priority == "high"
    document = request.document
    assert document["troubleTicketSpecification"]["name"] == "Fault repair"
    assert document["severity"] == "major"
    assert document["name"] == "No mobile signal at home since the storm"
    assert document["externalIdentifier"] == [
        {"@type": "ExternalIdentifier", "id": "TR-2026-0415", "owner": "acme-networks"}
    ]
    characteristics = {c["name"]: c["value"] for c in document["troubleTicketCharacteristic"]}
    assert characteristics["faultCode"] == "no-signal"
    assert characteristics["location"] == "Kiel, Werftstraße 12"
    assert document["note"][0]["text"] == f"From acme-networks, inbound message {received.id}"
    assert message.profile_id is not None and message.transaction_type == "trouble-report"


def test_the_legacy_contact_history_logs_an_interaction_per_row(
    profiles, store, apply_due, session, client
):
    anna = make_customer(client, "Anna", "Alt", phone="+49 171 5550101", email="anna@example.org")
    ben = make_customer(client, "Ben", "Berg", phone="+49 171 5550102", email="ben@example.org")
    profiles.create(SHIPPED["legacy-crm-interactions"])
    session.commit()
    content, media = _sample("legacy-crm-interactions")

    received = receive_partner(store, "legacy-crm", content, media)
    apply_due()

    message = reloaded(session, received.id)
    assert message.state == APPLIED, message.reason or message.last_error
    made = [session.get(Interaction, r["interaction"]) for r in message.outcome["results"]]
    assert [(i.customer_id, i.channel, i.direction, i.reason_code) for i in made] == [
        (anna["id"], "phone", "inbound", "billing.enquiry"),
        (ben["id"], "email", "outbound", "plan.change"),
        (anna["id"], "store", "inbound", "fault.report"),
    ]
    first = made[0].document
    assert first["interactionDate"] == {
        "startDateTime": "2019-03-04T09:12:00Z",
        "endDateTime": "2019-03-04T09:20:00Z",
    }
    assert [note["text"] for note in first["note"]] == [
        "Explained the roaming charges",
        f"From legacy-crm, inbound message {received.id} (their id L-1001)",
    ]
    assert made[0].logged_by == "legacy-crm"


def _order_type(client) -> str:
    """A type whose requests wait for an order (taken in by hand: no workflow, no tasks)."""
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[0])
    document.update(code="router.order", name="Router order", fulfilmentMode="automatic")
    document["classification"] = {"reasonCode": [], "channel": [], "keyword": []}
    response = client.post(TYPES, json=document)
    assert response.status_code == 201, response.text
    return "router.order"


def test_the_order_state_event_closes_the_request_it_names(
    profiles, store, apply_due, session, client
):
    request = raise_request(client, make_customer(client), ticketType=_order_type(client))
    profiles.create(SHIPPED["shop-order-state"])
    session.commit()
    content, media = _sample("shop-order-state")
    content = content.replace(b"6b8f2a3c-1d4e-4f5a-9b6c-7d8e9f0a1b2c", request["id"].encode())

    received = receive_partner(store, "shop-ordering", content, media)
    apply_due()

    message = reloaded(session, received.id)
    assert message.state == APPLIED, message.reason or message.last_error
    row = session.scalar(select(CustomerRequest).where(CustomerRequest.id == request["id"]))
    session.refresh(row)
    assert row.status == "closed"
    characteristics = {c["name"]: c["value"] for c in row.document["troubleTicketCharacteristic"]}
    assert characteristics["outcome"] == "completed"
    assert characteristics["resolutionCode"] == "order.completed"
    assert row.document["note"][-1]["text"] == (
        "Order PO-88121 completed at 2026-11-30T10:02:11Z: Data pack active since 10:01. "
        f"From shop-ordering, inbound message {received.id}"
    )
