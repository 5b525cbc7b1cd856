"""The hub: messages reach the streams they concern, a stream too far behind is told to
re-read, a reconnecting browser gets what it missed, and closing ends every stream."""

import pytest

from parley.live.hub import CLOSED, RESYNC, Hub
from parley.live.messages import LiveMessage
from tests.live.helpers import Tap


@pytest.fixture
def hub():
    return Hub(kept=5)


def test_a_message_reaches_the_streams_it_concerns(hub):
    kim, sam, blind = Tap(hub, "kim"), Tap(hub, "sam"), Tap(hub, "eve", topics=("call",))
    try:
        hub.deliver(LiveMessage("task", "t-1"))
        hub.deliver(LiveMessage("call", "c-1", users=("sam",)))
        assert [m.ref for m in kim.all()] == ["t-1"]
        assert [m.ref for m in sam.all()] == ["t-1", "c-1"]
        assert blind.all() == []  # neither its topic nor its call
    finally:
        for tap in (kim, sam, blind):
            tap.close()
    assert hub.count() == 0


def test_a_stream_too_far_behind_is_told_to_re_read(hub):
    tap = Tap(hub, "kim")
    try:
        queue_size = tap.subscription.queue.maxsize
        for n in range(queue_size + 5):
            hub.deliver(LiveMessage("task", f"t-{n}"))
        found = tap.all()
        assert found[0].topic == RESYNC  # what it missed is unknown: re-read the page
        assert len(found) < queue_size and tap.subscription.overflows >= 1
    finally:
        tap.close()


def test_what_came_after_an_id_is_kept_for_a_while(hub):
    sent = [LiveMessage("task", f"t-{n}") for n in range(7)]
    for message in sent:
        hub.deliver(message)
    assert [m.ref for m in hub.since(sent[4].id)] == ["t-5", "t-6"]
    assert hub.since(sent[0].id) is None  # no longer kept: the browser re-reads
    assert hub.since("not-an-id") is None


def test_a_message_heard_twice_reaches_a_stream_once(hub):
    """Two LISTEN connections of one process (one stopping, its successor starting) both hand
    on the same NOTIFY: the stream gets it once, and later ones still arrive."""
    tap = Tap(hub, "kim")
    try:
        first = LiveMessage("task", "t-1")
        hub.deliver(first)
        hub.deliver(first)
        for n in range(2, 9):  # past what the hub keeps: its ids are forgotten with it
            hub.deliver(LiveMessage("task", f"t-{n}"))
        assert [m.ref for m in tap.all()] == [f"t-{n}" for n in range(1, 9)]
    finally:
        tap.close()


def test_closing_ends_every_stream(hub):
    tap = Tap(hub, "kim")
    try:
        hub.close()
        assert tap.next().topic == CLOSED and hub.closing
    finally:
        tap.close()


def test_a_message_too_large_for_notify_keeps_its_hint():
    message = LiveMessage("task", "t-1", {"note": "x" * 9000})
    assert len(message.to_json()) < 8000
    assert LiveMessage.from_json(message.to_json()).ref == "t-1"
