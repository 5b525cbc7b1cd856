"""Principals of the access tokens seen lately, so that a client's stream of requests does not
look its user, roles and revocation up again for every one of them.

Entries live ``PARLEY_PRINCIPAL_CACHE_SECONDS`` (0: no cache). Anything that changes who may
do what is audited, and the audit trail clears the cache of this process when it records such
a change (log-out, a user's or a role's change): here it takes effect at once, in other API
processes within those seconds.
"""

import threading
import time

from parley.auth.principal import Principal

MAX_ENTRIES = 10_000


class PrincipalCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, token: str, ttl: float) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None or time.monotonic() - entry[0] > ttl:
            return None
        return entry[1]

    def put(self, token: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # rare: simpler than an LRU, and only costs look-ups
            self._entries[token] = (time.monotonic(), principal)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


PRINCIPALS = PrincipalCache()
