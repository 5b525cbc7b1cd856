"""SMS keywords through the Kannel callback: answers queued in the outbox, consent changes."""

import uuid

from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from parley.notifications.preferences import PreferenceService
from parley.outbox.models import OutboxMessage
from tests.channels.helpers import CHANNELS, caller

KANNEL = f"{CHANNELS}/sms/kannel"


def _send(client, number, text, message_id=None):
    message_id = message_id or uuid.uuid4().hex
    response = client.get(
        KANNEL, params={"from": number, "to": "4545", "text": text, "id": message_id}
    )
    assert response.status_code == 200, response.text
    return message_id


def _answer(session, message_id) -> str:
    row = session.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == f"sms-mo:{message_id}")
    ).one()
    return row.payload["text"]


def test_stop_and_start_change_marketing_consent(client, session, settings):
    customer, number = caller(client)
    uow = UnitOfWork(session, settings, Actor("test", "test"))
    stop = _send(client, number, "stop please")
    assert _answer(session, stop).startswith("You will get no more offers")
    assert PreferenceService(uow).get(customer["id"]).marketing_opt_out is True
    session.commit()
    start = _send(client, number, "START")
    assert _answer(session, start).startswith("You will get our offers again")
    assert PreferenceService(uow).get(customer["id"]).marketing_opt_out is False


def test_status_help_and_unknown_text(client, session):
    _customer, number = caller(client)
    assert _answer(session, _send(client, number, "STATUS")) == "You have no requests."
    helped = _answer(session, _send(client, number, "HELP"))
    assert helped.startswith("Send STATUS")
    assert _answer(session, _send(client, number, "what is this")) == helped


def test_each_message_is_one_interaction_and_a_repeat_is_answered_once(client, session):
    customer, number = caller(client)
    message_id = _send(client, number, "STATUS")
    _send(client, number, "STATUS", message_id)
    rows = session.scalars(
        select(ChannelSession).where(ChannelSession.session_key == message_id)
    ).all()
    assert len(rows) == 1
    interaction = session.get(Interaction, rows[0].interaction_id)
    assert interaction.channel == "sms" and interaction.customer_id == customer["id"]
    assert interaction.status == "completed"
    answers = session.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == f"sms-mo:{message_id}")
    ).all()
    assert len(answers) == 1


def test_a_stranger_gets_help_but_no_consent_change(client, session):
    answer = _answer(session, _send(client, "+4915199990000", "STOP"))
    assert answer.startswith("We cannot match your number")
    assert client.get(KANNEL, params={"from": "nonsense", "text": "STOP"}).status_code == 400
