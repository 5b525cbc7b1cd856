"""The worker's job: sessions whose caller went quiet past their expiry are closed as
abandoned, their interactions completed and marked so. Safe in several workers at once:
each takes the expired sessions no other holds (SKIP LOCKED)."""

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.channels.models import ABANDONED
from parley.channels.recording import SessionLog
from parley.channels.repository import ChannelRepository
from parley.db.base import utcnow
from parley.settings import Settings


def close_expired(uow: UnitOfWork) -> int:
    closed = 0
    for row in ChannelRepository(uow.session).expired(utcnow()):
        actor = Actor(f"{row.channel}:{row.msisdn}"[:150], row.channel)
        SessionLog(uow.acting_as(actor)).close(row, ABANDONED)
        closed += 1
    return closed


def run_once(engine: Engine, settings: Settings) -> int:
    with Session(engine) as session, session.begin():
        return close_expired(UnitOfWork(session, settings, Actor("parley-worker", "system")))
