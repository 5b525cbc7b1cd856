"""Listening to the process's hub in tests: a stream on an event loop of its own."""

import asyncio
import threading

from parley.live.hub import HUB, RESYNC, Hub
from parley.live.messages import LiveMessage


class Tap:
    """What the hub hands to a stream of ``user_id`` reading ``topics``."""

    def __init__(self, hub: Hub = HUB, user_id: str = "someone", topics=("task", "call")):
        self.hub = hub
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        wanted = set(topics) | {RESYNC}

        async def subscribe():
            return hub.subscribe(user_id, lambda topic: topic in wanted, size=50)

        self.subscription = self._run(subscribe())

    def _run(self, coroutine, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def next(self, timeout: float = 3.0) -> LiveMessage | None:
        return self._run(self.subscription.next(timeout), timeout + 1)

    def all(self, quiet: float = 0.3) -> list[LiveMessage]:
        """What arrives until nothing has for ``quiet`` seconds."""
        found = []
        while (message := self.next(quiet)) is not None:
            found.append(message)
        return found

    def close(self) -> None:
        self.subscription.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
