"""A live stream for one signed-in visitor: Server-Sent Events from the process's hub.

Each message is sent as ``id:`` (for the browser's ``Last-Event-ID`` when it reconnects),
``event:`` (the topic) and ``data:`` (the message, JSON); a comment line every
``PARLEY_LIVE_HEARTBEAT_SECONDS`` keeps proxies from closing a quiet stream. The session is
read again every ``RECHECK_SECONDS`` without counting as activity (an open tab does not keep a
session alive): a log-out, a disabled user or a changed role ends or narrows the stream then.
The stream waits on an event loop, not a thread, so one process holds hundreds.
"""

import json
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse

from parley.live.hub import CLOSED, HUB, RESYNC, Hub
from parley.live.messages import LiveMessage

RECHECK_SECONDS = 30.0
RETRY_MS = 2000  # how soon the browser reconnects after the stream ends


def sse(message: LiveMessage) -> str:
    body = {"topic": message.topic, "ref": message.ref, "data": message.data}
    return f"id: {message.id}\nevent: {message.topic}\ndata: {json.dumps(body)}\n\n"


class Reader:
    """Who the stream is for: ``check()`` reads the session again (None: it has ended),
    ``may_read(topic)`` says whether they may hear of a topic."""

    def __init__(self, user_id: str, permissions: Callable[[], frozenset[str]], check, topics):
        self.user_id, self._permissions, self._check = user_id, permissions, check
        self.topics = topics  # topic -> the permission it needs

    def may_read(self, topic: str) -> bool:
        if topic == RESYNC:
            return True
        needed = self.topics.get(topic)
        return needed is not None and needed in self._permissions()

    def check(self):
        return self._check()


def live_stream(
    request: Request, reader: Reader, heartbeat: float, queue_size: int, hub: Hub = HUB
) -> StreamingResponse:
    last_id = request.headers.get("last-event-id") or request.query_params.get("lastEventId")
    subscription = hub.subscribe(reader.user_id, reader.may_read, queue_size)

    async def events() -> AsyncIterator[str]:
        try:
            yield f"retry: {RETRY_MS}\n: connected\n\n"
            if last_id:
                missed = hub.since(last_id)
                if missed is None:  # too long away, or another installation's id
                    yield sse(LiveMessage(RESYNC, ""))
                else:
                    for message in missed:
                        if subscription.wants(message):
                            yield sse(message)
            checked = time.monotonic()
            while not hub.closing:
                message = await subscription.next(heartbeat)
                if message is None:
                    yield ": heartbeat\n\n"
                elif message.topic == CLOSED:
                    return
                else:
                    yield sse(message)
                if time.monotonic() - checked >= RECHECK_SECONDS:
                    checked = time.monotonic()
                    if await run_in_threadpool(reader.check) is None:
                        return
        finally:
            subscription.close()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def end_streams_on_exit() -> None:
    """Have a stop signal end the open streams first: uvicorn waits for every open response
    before it stops, and a live stream never ends by itself. Called at start-up, on the main
    thread, after the server has put its own signal handlers in place: these are wrapped
    (elsewhere, a server in a thread of a test, nothing is done)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if getattr(previous, "_parley_live", False) or not callable(previous):
            continue

        def handler(number, frame, previous=previous):
            # Not here: the interrupted code may hold the hub's lock.
            threading.Thread(target=HUB.close, name="parley-live-close").start()
            return previous(number, frame)

        handler._parley_live = True  # type: ignore[attr-defined]
        signal.signal(sig, handler)
