"""The workers' purge of one-time codes: a used code, one used up by wrong tries and an expired
one are deleted; a code still waiting for its answer stays and can still be answered."""

import pytest
from sqlalchemy import select

from parley.actor import Actor
from parley.auth.models import OneTimeCode
from parley.auth.one_time_codes import REGISTER, CodeRefused, OneTimeCodes, Wording
from parley.changes import UnitOfWork
from parley.jobs import worker_jobs
from parley.outbox.worker import Worker
from tests.factories import customer_number
from tests.web.portal.helpers import portal_customer, sent_codes

WORDING = Wording("Code %(code)s (%(minutes)s min)", "Code", "Code %(code)s")
PHONE = "+491713334440"


def test_workers_purge_used_and_expired_codes_and_keep_waiting_ones(
    engine, client, session, settings, clock
):
    number = customer_number(portal_customer(client))
    codes = OneTimeCodes(UnitOfWork(session, settings, Actor("portal", "web")), "10.0.0.7")

    def send(contact: str = PHONE) -> str:
        return codes.send(REGISTER, number, contact, WORDING).challenge_id

    answered = send()
    codes.check(answered, sent_codes(session, PHONE)[-1])
    guessed = send()
    for _ in range(settings.one_time_code_max_failures):
        with pytest.raises(CodeRefused):
            codes.check(guessed, "000000" if sent_codes(session, PHONE)[-1] != "000000" else "1")
    stranger = send("+491700000000")  # matches nobody: a row all the same
    forgotten = send()
    session.commit()
    clock.advance(minutes=settings.one_time_code_minutes + 1)
    waiting = send()
    session.commit()
    worker = Worker(engine, settings, jobs=worker_jobs(engine, settings))

    worker.run_jobs()
    worker.close()

    session.expire_all()
    assert session.scalars(select(OneTimeCode.id)).all() == [waiting]
    for gone in (answered, guessed, stranger, forgotten):
        with pytest.raises(CodeRefused):  # as before the purge: refused, nothing said
            codes.check(gone, "123456")
    assert codes.check(waiting, sent_codes(session, PHONE)[-1]) is not None
