"""``parley.changes.committed``: the hooks get the events of a committed transaction once,
without those of savepoints rolled back, and nothing of a rolled-back transaction."""

import pytest
from sqlalchemy import text

from parley.changes import committed


@pytest.fixture
def heard():
    got: list[list[str]] = []

    def hook(_session, events):
        got.append([e["resourceId"] for e in events])

    committed.after_commit(hook)
    yield got
    committed._AFTER.remove(hook)


def _event(resource_id: str) -> dict:
    return {"resourceType": "test", "resourceId": resource_id}


def _note(session, resource_id: str) -> None:
    """As the unit of work notes an event: after its write, in the open transaction."""
    session.execute(text("SELECT 1"))
    committed.noted(session, _event(resource_id))


def test_a_commit_hands_on_its_events_once(session, heard):
    _note(session, "a")
    with session.begin_nested():  # released: its events stay, and nothing is told yet
        _note(session, "b")
    assert heard == []
    session.commit()
    assert heard == [["a", "b"]]
    session.commit()
    assert heard == [["a", "b"]]


def test_a_savepoint_rolled_back_takes_its_events_along(session, heard):
    _note(session, "a")
    savepoint = session.begin_nested()
    _note(session, "b")
    savepoint.rollback()
    _note(session, "c")
    session.commit()
    assert heard == [["a", "c"]]


def test_a_rollback_tells_nothing(session, heard):
    _note(session, "a")
    session.rollback()
    session.commit()
    assert heard == []
