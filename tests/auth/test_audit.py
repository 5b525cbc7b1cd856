"""The audit trail: recorded in the caller's unit of work, queried with filters, append-only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from parley.actor import Actor
from parley.auth.audit import AuditFilter, AuditTrail
from parley.changes import UnitOfWork
from parley.changes.models import AuditEntry
from parley.db.base import utcnow
from parley.errors import InvalidInput

KIM = Actor(name="kim", channel="console", user_id="u-kim", client_id="agent-console")
IVR = Actor(name="ivr", channel="ivr")


def fill(session, settings) -> AuditTrail:
    kim, ivr = UnitOfWork(session, settings, KIM), UnitOfWork(session, settings, IVR)
    kim.record("customer", "create", "c1", after={"name": "Anna", "since": utcnow()})
    kim.record("customer", "update", "c1", before={"name": "Anna"}, after={"name": "Ann"})
    ivr.record("customer", "verify", "c2", after={"outcome": "passed", "m": {"pin"}})
    UnitOfWork(session, settings, Actor(name="old-style")).record("note", "create", "n1")
    session.commit()
    return AuditTrail(session)


def test_an_entry_keeps_who_when_what_and_from_where(session, settings):
    fill(session, settings)

    (entry,) = AuditTrail(session).query(AuditFilter(action="update"))[0]

    assert (entry.actor_id, entry.actor_name, entry.channel, entry.client_id) == (
        "u-kim",
        "kim",
        "console",
        "agent-console",
    )
    assert (entry.resource_type, entry.resource_id) == ("customer", "c1")
    assert (entry.before, entry.after) == ({"name": "Anna"}, {"name": "Ann"})
    assert abs(entry.at - utcnow()) < timedelta(minutes=1)


def test_values_are_stored_as_plain_json(session, settings):
    trail = fill(session, settings)

    created = trail.query(AuditFilter(action="create", resource_type="customer"))[0][0]
    verified = trail.query(AuditFilter(action="verify"))[0][0]

    assert isinstance(created.after["since"], str) and created.after["since"].startswith("20")
    assert verified.after == {"m": ["pin"], "outcome": "passed"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["create", "verify", "update", "create"]),
        ({"actor_id": "u-kim"}, ["update", "create"]),
        ({"actor_name": "ivr"}, ["verify"]),
        ({"resource_type": "customer", "resource_id": "c1"}, ["update", "create"]),
        ({"action": "create"}, ["create", "create"]),
    ],
)
def test_entries_are_filtered_newest_first(session, settings, filters, expected):
    trail = fill(session, settings)

    found, total = trail.query(AuditFilter(**filters))

    assert [e.action for e in found] == expected and total == len(expected)


def test_entries_are_filtered_by_time_and_paged(session, settings):
    trail = fill(session, settings)
    now = utcnow()

    assert trail.query(AuditFilter(since=now + timedelta(seconds=1)))[1] == 0
    assert trail.query(AuditFilter(until=now - timedelta(minutes=1)))[1] == 0
    assert trail.query(AuditFilter(since=now - timedelta(minutes=1), until=now))[1] == 4
    page, total = trail.query(offset=1, limit=2)
    assert total == 4 and [e.action for e in page] == ["verify", "update"]
    with pytest.raises(InvalidInput, match="time zone"):
        trail.query(AuditFilter(since=datetime(2026, 1, 1)))
    assert trail.query(AuditFilter(since=datetime(2026, 1, 1, tzinfo=UTC)))[1] == 4


def test_the_application_cannot_change_or_delete_an_entry(session, settings):
    fill(session, settings)
    entry = session.query(AuditEntry).filter_by(action="update").one()

    entry.after = {"name": "forged"}
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.query(AuditEntry).filter_by(action="update").one())
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()
    session.rollback()


def test_the_database_refuses_an_update_of_the_trail(session, settings):
    fill(session, settings)

    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("UPDATE audit_entry SET actor_name = 'someone else'"))
    session.rollback()
