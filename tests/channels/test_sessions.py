"""Sessions: a callback becomes a task in customer care, preferences change, quiet sessions
are closed as abandoned by the worker's job."""

import uuid

from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.channels import engine
from parley.channels.expiry import close_expired
from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from parley.notifications.preferences import PreferenceService
from parley.requests.models import CustomerRequest
from parley.requests.workflow.models import RequestTask, TaskQueue
from tests.channels.helpers import CHANNELS, PIN, AfricasTalking, caller


def test_a_callback_is_a_task_in_the_customer_care_queue_with_number_and_window(client, session):
    customer, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    phone.press("3")
    phone.press("2")
    answer = phone.press(PIN)
    assert answer.startswith("END We will call you back on " + number)
    request = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).one()
    values = {c["name"]: c["value"] for c in request.document["troubleTicketCharacteristic"]}
    assert values == {"callbackNumber": number, "callbackWindow": "12:00-17:00"}
    task = session.scalars(select(RequestTask).where(RequestTask.request_id == request.id)).one()
    assert session.get(TaskQueue, task.queue_id).code == "customer-care"
    assert task.status == "open"


def test_bill_delivery_is_a_preference_change(client, session, settings):
    customer, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    phone.press("4")
    phone.press("2")
    assert phone.press(PIN).startswith("CON Saved.")
    uow = UnitOfWork(session, settings, Actor("test", "test"))
    assert PreferenceService(uow).get(customer["id"]).preferred_channel == "sms"


def test_a_quiet_session_is_closed_as_abandoned_by_the_worker_job(client, session, settings, clock):
    _customer, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    phone.press("1")
    clock.advance(seconds=settings.channel_session_seconds + 1)
    uow = UnitOfWork(session, settings, Actor("parley-worker", "system"))
    assert close_expired(uow) >= 1
    row = session.scalars(
        select(ChannelSession).where(ChannelSession.session_key == phone.session_id)
    ).one()
    assert row.status == "abandoned"
    interaction = session.get(Interaction, row.interaction_id)
    assert interaction.status == "completed"
    assert interaction.document["note"][-1]["text"].startswith("Abandoned")
    assert interaction.document["description"].endswith(") - abandoned")
    steps = [i["reason"] for i in interaction.document["interactionItem"]]
    assert steps == ["home"]


def test_a_caller_raises_only_the_self_service_types(client, session, monkeypatch):
    """The menus are data: one that names a type only agents raise is refused for the caller
    (the request service's self-service rule, as on the portal), and nothing is raised."""
    monkeypatch.setattr(engine, "_menus", {})  # this test's menu, not another's cached one
    menu = client.get(f"{CHANNELS}/menus/selfcare").json()
    menu["screens"]["faultRaised"]["params"]["requestType"] = "request.status"
    assert client.put(f"{CHANNELS}/menus/selfcare", json=menu).status_code == 200
    customer, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    phone.press("2")
    phone.press("No internet since Monday")
    answer = phone.press(PIN)

    assert not answer.startswith("END Request ")
    raised = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).all()
    assert raised == []


def test_a_customer_who_prefers_german_is_answered_in_german_from_the_dial(client):
    customer, number = caller(client)
    response = client.put(
        f"/api/v1/customers/{customer['id']}/preferences", json={"language": "de"}
    )
    assert response.status_code == 200, response.text
    assert AfricasTalking(client, number, uuid.uuid4().hex).dial().startswith("CON Willkommen")


def test_the_end_of_a_session_completes_its_interaction_once_audited(client, session):
    _customer, number = caller(client)
    phone = AfricasTalking(client, number, uuid.uuid4().hex)
    phone.dial()
    phone.press("1")  # the caller's latest requests
    phone.press("1")  # the main menu again
    assert phone.press("5").startswith("END ")  # an agent
    assert phone.send("1*1*5").startswith("END ")  # the gateway repeats the last request
    row = session.scalars(
        select(ChannelSession).where(ChannelSession.session_key == phone.session_id)
    ).one()
    interaction = session.get(Interaction, row.interaction_id)
    assert (row.status, interaction.status) == ("ended", "completed")
    assert interaction.ended_at is not None
    document = interaction.document
    assert document["description"] == "USSD self-service (africastalking)"
    assert [(i["reason"], i["resolution"]) for i in document["interactionItem"]] == [
        ("home", "1"),
        ("status", "1"),
        ("home", "5"),
    ]
    assert all(i["id"] and i["creationDate"] for i in document["interactionItem"])
    assert document["note"][-1]["text"].startswith("Transferred to the agent queue")
    audit = client.get(
        "/api/v1/audit",
        params={"resourceType": "partyInteraction", "resourceId": interaction.id},
    ).json()
    assert sorted(entry["action"] for entry in audit) == ["create", "update"]
    completed = next(entry for entry in audit if entry["action"] == "update")
    assert completed["after"]["status"] == "completed"
    assert completed["before"]["status"] == "inProgress"
