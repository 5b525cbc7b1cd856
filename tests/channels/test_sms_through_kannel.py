"""SMS keywords end to end through a real Kannel: the fake SMS centre sends a keyword from a
customer's mobile, smsbox calls Parley over HTTP, the outbox worker sends the answer back
through sendsms, and the fake SMS centre receives it. (fakesmsc picks the messages it sends
at random from those it is given: one keyword a test.)"""

import random
import time

import pytest
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


@pytest.mark.parametrize(
    ("keyword", "answer", "opted_out"),
    [
        ("STOP", "You will get no more offers. Send START to get them again.", True),
        ("STATUS", "You have no requests.", False),
    ],
)
def test_a_keyword_through_kannel(
    client, app, engine, sessions, settings, tmp_path, keyword, answer, opted_out
):
    require_kannel()
    customer, number = caller(client)
    messages = [f"{number} 4545 text {keyword}"]
    with LiveServer(app) as server, KannelWithMessages(tmp_path, server.url, messages) as kannel:
        deadline = time.monotonic() + 20
        while not _sessions_of(sessions, number) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_sessions_of(sessions, number)) == 1, "Kannel did not hand it over once"
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
        received = kannel.received(count=1)
    assert [(m.receiver, m.text) for m in received] == [(number, answer)]
    preferences = client.get(f"/api/v1/customers/{customer['id']}/preferences").json()
    assert preferences["marketingOptOut"] is opted_out
