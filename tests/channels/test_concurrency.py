"""A gateway's retry racing its first request (both starting the same session, in two
processes' transactions at once) is answered from the one session the first opened."""

import threading
import uuid

from sqlalchemy import select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.channels.engine import MenuEngine, Turn
from parley.channels.models import ChannelSession
from parley.interactions.models import Interaction
from tests.channels.helpers import caller


def test_two_first_requests_at_once_open_one_session(client, engine, sessions, settings):
    customer, number = caller(client)
    key = uuid.uuid4().hex
    start = threading.Barrier(2)
    answers, errors = [], []

    def first_request():
        try:
            with sessions() as session:
                start.wait(5)
                uow = UnitOfWork(session, settings, Actor("gateway", "ussd"))
                reply = MenuEngine(uow).handle(Turn("ussd", "test", key, number, [], 0))
                session.commit()
                answers.append(reply.text)
        except Exception as error:  # reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=first_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(answers) == 2 and answers[0] == answers[1]
    with sessions() as session:
        rows = session.scalars(select(ChannelSession).where(ChannelSession.session_key == key))
        assert len(rows.all()) == 1
        # The losing attempt's interaction went with its savepoint: one session, one log.
        logged = session.scalars(
            select(Interaction).where(
                Interaction.customer_id == customer["id"], Interaction.channel == "ussd"
            )
        )
        assert len(logged.all()) == 1
