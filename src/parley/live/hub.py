"""The process's hub: the open live streams, and the messages handed to them.

Messages come from any thread (a committing request's, the PostgreSQL listener's); each open
stream (a ``Subscription``) lives on an event loop and waits on its own bounded queue, so a
slow browser never holds up the others: when its queue is full it is told to re-read
everything (``RESYNC``) instead of being sent what it missed. The last messages are kept so a
browser that reconnects with ``Last-Event-ID`` gets what it missed meanwhile (any process has
the same messages under the same ids).
"""

import asyncio
import threading
from collections import deque
from collections.abc import Callable

from parley.live.messages import LiveMessage

RESYNC = "resync"  # the topic of "re-read everything": what was missed is unknown
CLOSED = "closed"  # the topic that ends a stream (the process stops)
KEPT = 1000  # messages kept for reconnecting browsers


class Subscription:
    def __init__(
        self,
        hub: "Hub",
        user_id: str,
        may_read: Callable[[str], bool],
        loop: asyncio.AbstractEventLoop,
        size: int,
    ):
        self.hub, self.user_id, self.may_read, self.loop = hub, user_id, may_read, loop
        self.queue: asyncio.Queue[LiveMessage] = asyncio.Queue(maxsize=size)
        self.overflows = 0

    def wants(self, message: LiveMessage) -> bool:
        return message.for_user(self.user_id) and self.may_read(message.topic)

    def offer(self, message: LiveMessage) -> None:
        """On the subscription's loop."""
        if message.topic != CLOSED and not self.wants(message):
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # Too far behind: drop what waits, and have the browser re-read its page.
            self.overflows += 1
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(LiveMessage(RESYNC, "", id=message.id))

    async def next(self, timeout: float) -> LiveMessage | None:
        """The next message, or None after ``timeout`` seconds (time for a heartbeat)."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    def __init__(self, kept: int = KEPT):
        self._lock = threading.Lock()
        self._by_loop: dict[asyncio.AbstractEventLoop, set[Subscription]] = {}
        self._recent: deque[LiveMessage] = deque(maxlen=kept)
        self._recent_ids: set[str] = set()
        self.closing = False
        self._apps = 0  # apps of this process serving streams (tests serve several)

    # -- streams ----------------------------------------------------------------------------

    def subscribe(
        self, user_id: str, may_read: Callable[[str], bool], size: int = 100
    ) -> Subscription:
        """A stream on the running loop, for ``user_id`` reading the topics ``may_read``."""
        loop = asyncio.get_running_loop()
        subscription = Subscription(self, user_id, may_read, loop, size)
        with self._lock:
            self._by_loop.setdefault(loop, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            streams = self._by_loop.get(subscription.loop)
            if streams is not None:
                streams.discard(subscription)
                if not streams:
                    del self._by_loop[subscription.loop]

    def count(self) -> int:
        with self._lock:
            return sum(len(streams) for streams in self._by_loop.values())

    def since(self, last_id: str) -> list[LiveMessage] | None:
        """The messages after ``last_id``, or None if it is not among those kept."""
        with self._lock:
            recent = list(self._recent)
        for position, message in enumerate(recent):
            if message.id == last_id:
                return recent[position + 1 :]
        return None

    # -- messages ---------------------------------------------------------------------------

    def deliver(self, message: LiveMessage) -> None:
        """Hand ``message`` to every stream it concerns (from any thread), once: a listener
        stopping while its successor starts may hear the same NOTIFY twice."""
        with self._lock:
            if message.id and message.id in self._recent_ids:
                return
            if len(self._recent) == self._recent.maxlen:
                self._recent_ids.discard(self._recent[0].id)
            self._recent.append(message)
            self._recent_ids.add(message.id)
            loops = list(self._by_loop)
        for loop in loops:
            try:
                loop.call_soon_threadsafe(self._fan_out, loop, message)
            except RuntimeError:  # that loop has closed meanwhile
                continue

    def _fan_out(self, loop: asyncio.AbstractEventLoop, message: LiveMessage) -> None:
        with self._lock:
            streams = list(self._by_loop.get(loop, ()))
        for subscription in streams:
            subscription.offer(message)

    def close(self) -> None:
        """End every stream (the process is stopping); browsers reconnect to another."""
        self.closing = True
        with self._lock:
            loops = list(self._by_loop)
        for loop in loops:
            try:
                loop.call_soon_threadsafe(self._fan_out, loop, LiveMessage(CLOSED, ""))
            except RuntimeError:
                continue

    def opened(self) -> None:
        """An app starts serving streams."""
        with self._lock:
            self._apps += 1
            self.closing = False

    def released(self) -> None:
        """An app stops; the last one ends the streams."""
        with self._lock:
            self._apps = max(self._apps - 1, 0)
            last = self._apps == 0
        if last:
            self.close()


HUB = Hub()  # one per process
