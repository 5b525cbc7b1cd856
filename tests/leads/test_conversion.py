"""Conversion of a qualified lead, in one transaction: customer (engaged party = the prospect,
primary contact), first billing account, the lead linked to the customer, notes carried over,
and the new-customer-acquisition order built. A failure part-way leaves nothing behind."""

import pytest
from sqlalchemy import func, select

from parley.changes import UnitOfWork
from parley.leads import conversion
from parley.leads.conversion import new_customer_acquisition_order
from parley.parties.models import BillingAccount, Customer
from tests.factories import assert_tmf_error, create_person_customer
from tests.leads.helpers import FULL_ADDRESS, LEADS, V1, create_lead, new_prospect, reach

PAYMENT = {"id": "sepa-77", "@referredType": "BankAccountDebit"}
CUSTOMERS = "/tmf-api/customerManagement/v5/customer"


@pytest.fixture
def qualified(client):
    person = new_prospect(client)
    client.patch(
        f"/tmf-api/partyManagement/v5/individual/{person['id']}",
        json={"contactMedium": [*person["contactMedium"], dict(FULL_ADDRESS)]},
    )
    lead = create_lead(client, person, note=[{"text": "Met at the Köln fair"}])
    reach(client, lead)
    response = client.patch(f"{LEADS}/{lead['id']}", json={"status": "qualified"})
    assert response.status_code == 200, response.text
    return person, response.json()


def _counts(session) -> tuple[int, int]:
    counts = (
        session.scalar(select(func.count()).select_from(Customer)),
        session.scalar(select(func.count()).select_from(BillingAccount)),
    )
    session.rollback()
    return counts


def _convert(client, lead, **body):
    body.setdefault("billingAccount", {"defaultPaymentMethod": PAYMENT})
    return client.post(f"{V1}/{lead['id']}/conversion", json=body)


def test_a_qualified_lead_becomes_a_customer_with_a_billing_account(client, qualified):
    person, lead = qualified
    response = _convert(client, lead)
    assert response.status_code == 201, response.text
    done = response.json()

    customer = client.get(f"{CUSTOMERS}/{done['customer']['id']}").json()
    assert customer["engagedParty"]["id"] == person["id"]
    assert customer["relatedParty"][0]["role"] == "primaryContact"
    assert client.patch(f"{CUSTOMERS}/{customer['id']}", json={}).status_code == 200
    account = done["billingAccount"]
    assert account["relatedParty"][0]["partyOrPartyRole"]["id"] == customer["id"]
    assert account["contact"][0]["contactMedium"][0]["street1"] == FULL_ADDRESS["street1"]
    assert done["productOrder"]["category"] == "newCustomerAcquisition"
    assert done["productOrder"]["productOrderItem"][0]["productOffering"]["id"] == "fibre-1000"

    converted = client.get(f"{LEADS}/{lead['id']}").json()
    assert converted["status"] == "converted"
    assert {"id": customer["id"], "role": "customer"}.items() <= next(
        p for p in converted["relatedParty"] if p["role"] == "customer"
    ).items()
    # The history follows the person: the contact and the note are the customer's now.
    timeline = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()
    assert len(timeline["items"]) == 1
    notes = client.get(f"/api/v1/customers/{customer['id']}/notes").json()
    assert [n["text"] for n in notes] == ["Met at the Köln fair"]
    assert_tmf_error(_convert(client, lead), 409, "converted")


def test_only_a_qualified_lead_converts(client, session):
    lead = create_lead(client, new_prospect(client))
    assert_tmf_error(_convert(client, lead), 409, "qualified")
    assert _counts(session) == (0, 0)


def test_a_bad_billing_account_leaves_neither_customer_nor_converted_lead(
    client, session, qualified
):
    _, lead = qualified
    bad = {"defaultPaymentMethod": {"id": "x", "@referredType": "Seashells"}}
    assert_tmf_error(_convert(client, lead, billingAccount=bad), 400, "defaultPaymentMethod")
    assert_tmf_error(_convert(client, lead, billingAccount={"name": "x"}), 400)
    assert_tmf_error(_convert(client, lead, billingAccount={"state": "x"}), 400, "state")
    assert _counts(session) == (0, 0)
    assert client.get(f"{LEADS}/{lead['id']}").json()["status"] == "qualified"


def test_a_failure_part_way_leaves_nothing(client, session, qualified, monkeypatch):
    """The customer is written, then building the order fails: everything is undone."""
    _, lead = qualified

    def broken(*_args):
        raise RuntimeError("injected failure after the customer and account were written")

    monkeypatch.setattr(conversion, "new_customer_acquisition_order", broken)
    assert _convert(client, lead).status_code == 500
    assert _counts(session) == (0, 0)
    assert client.get(f"{LEADS}/{lead['id']}").json()["status"] == "qualified"


def test_a_failure_part_way_leaves_nothing_even_if_the_caller_commits(
    session, settings, client, qualified, monkeypatch
):
    from parley.actor import Actor
    from parley.leads.conversion import LeadConversion

    _, lead = qualified

    def broken(*_args):
        raise RuntimeError("injected")

    monkeypatch.setattr(conversion, "new_customer_acquisition_order", broken)
    with pytest.raises(RuntimeError):
        LeadConversion(UnitOfWork(session, settings, Actor("agent", "test"))).convert(
            lead["id"], {"defaultPaymentMethod": PAYMENT}
        )
    session.commit()  # what was written inside the savepoint is gone already
    assert _counts(session) == (0, 0)


def test_a_duplicate_customer_stops_conversion_unless_forced(client, qualified):
    person, lead = qualified
    # Seeded on purpose with the lead's phone: the customer check would stop it too.
    create_person_customer(client, "Lena", "Vogt-Meyer", force=True, phone="+49 176 5550101")
    assert_tmf_error(_convert(client, lead), 409, "Vogt-Meyer")
    response = _convert(client, lead, force=True)
    assert response.status_code == 201, response.text


def test_the_order_payload_names_lead_customer_and_account():
    lead = type("L", (), {"id": "l1", "name": "Fibre", "document": {"description": "d"}})()
    customer = type("C", (), {"id": "c1", "name": "Lena Vogt"})()
    account = type("A", (), {"id": "a1", "name": "Main"})()
    order = new_customer_acquisition_order(lead, customer, account)
    assert order["externalId"][0]["id"] == "l1"
    assert order["relatedParty"][0]["partyOrPartyRole"]["id"] == "c1"
    assert order["billingAccount"]["id"] == "a1"
    assert order["productOrderItem"] == []


def test_the_acquisition_order_goes_to_the_ordering_system_through_the_outbox(
    client, session, settings, engine, qualified
):
    from parley.outbox.models import OutboxMessage
    from parley.outbox.worker import Worker
    from tests.outbox.receiver import Receiver

    _, lead = qualified
    order = _convert(client, lead).json()["productOrder"]
    (queued,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order")).all()
    assert queued.idempotency_key == f"acquisition-order:{lead['id']}"
    session.rollback()

    fast = {
        "outbox_retry_base_seconds": 0.0,
        "outbox_retry_max_delay_seconds": 0.0,
        "outbox_batch_size": 1000,  # the conversion's events and the order in one pass
    }
    unconfigured = Worker(engine, settings.model_copy(update=fast))
    unconfigured.run_once()  # no ordering system yet: the order waits, it is not lost
    unconfigured.close()
    session.expire_all()
    waiting = session.get(OutboxMessage, queued.id)
    assert waiting.status == "pending" and "PARLEY_ORDERING_URL" in waiting.last_error
    session.rollback()

    with Receiver() as ordering:
        worker = Worker(engine, settings.model_copy(update={**fast, "ordering_url": ordering.url}))
        worker.run_once()
        worker.close()
    (received,) = ordering.received
    assert received.json() == order
    assert received.key == f"acquisition-order:{lead['id']}"
