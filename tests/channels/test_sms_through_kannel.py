"""SMS keywords end to end through a real Kannel: the fake SMS centre sends STOP and STATUS
from a customer's mobile, smsbox calls Parley over HTTP, the outbox worker sends the answers
back through sendsms, and the fake SMS centre receives them."""

import random
import time

from pydantic import SecretStr
from sqlalchemy import select

from parley.channels.models import ChannelSession
from parley.outbox.worker import Worker
from tests.channels.helpers import caller
from tests.channels.kannel_mo import KannelWithMessages, LiveServer
from tests.conftest import require_kannel
from tests.outbox.conftest import drain


def _sessions_of(engine_sessions, number: str) -> list[ChannelSession]:
    with engine_sessions() as session:
        return list(session.scalars(select(ChannelSession).where(ChannelSession.msisdn == number)))


def test_stop_and_status_through_kannel(client, app, engine, sessions, settings, tmp_path):
    require_kannel()
    customer, number = caller(client)
    messages = [f"{number} 4545 text STOP", f"{number} 4545 text STATUS"]
    with LiveServer(app) as server, KannelWithMessages(tmp_path, server.url, messages) as kannel:
        deadline = time.monotonic() + 20
        while len(_sessions_of(sessions, number)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_sessions_of(sessions, number)) == 2, "Kannel did not hand both over"
        sms = {
            "sms_gateway_url": kannel.sendsms_url,
            "sms_username": kannel.username,
            "sms_password": SecretStr(kannel.password),
            "sms_sender": "4545",
        }
        worker = Worker(engine, settings.model_copy(update=sms), rng=random.Random(1))
        try:
            drain(worker)
        finally:
            worker.close()
        received = kannel.received(count=2)
    assert sorted(m.text for m in received) == [
        "You have no requests.",
        "You will get no more offers. Send START to get them again.",
    ]
    assert {m.receiver for m in received} == {number}
    preferences = client.get(f"/api/v1/customers/{customer['id']}/preferences").json()
    assert preferences["marketingOptOut"] is True
