"""The PostgreSQL listener: one connection of its own per API process, ``LISTEN parley_live``,
every notification handed to the hub. A lost connection is made again (waiting longer each
time, at most ``MAX_WAIT`` seconds); the streams are then told to re-read their pages, since
what was sent meanwhile is unknown."""

import threading

import psycopg
import structlog
from sqlalchemy.engine import make_url

from parley.live.hub import RESYNC, Hub
from parley.live.messages import LiveMessage
from parley.live.publish import CHANNEL

log = structlog.get_logger("parley.live")
MAX_WAIT = 5.0


def conninfo(database_url: str) -> str:
    """libpq's form of an SQLAlchemy URL (``postgresql+psycopg://`` → ``postgresql://``)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Listener:
    def __init__(self, database_url: str, hub: Hub, poll_seconds: float = 0.5):
        self.conninfo, self.hub, self.poll_seconds = conninfo(database_url), hub, poll_seconds
        self.stopping = threading.Event()
        self.listening = threading.Event()  # set while LISTEN is in place (tests wait on it)
        self.connection: psycopg.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="parley-live", daemon=True)

    def start(self) -> "Listener":
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop listening; the thread ends within ``poll_seconds`` (``timeout`` None: do
        not wait for it)."""
        self.stopping.set()
        if timeout is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        wait, first = 0.2, True
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as connection:
                    self.connection = connection
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if not first:  # messages may have been lost while it was away
                        self.hub.deliver(LiveMessage(RESYNC, ""))
                    first, wait = False, 0.2
                    while not self.stopping.is_set():
                        for note in connection.notifies(timeout=self.poll_seconds):
                            self._hand_on(note.payload)
            except psycopg.Error as problem:
                self.listening.clear()
                if self.stopping.is_set():
                    break
                log.warning("live listener lost its connection", problem=str(problem))
                self.stopping.wait(wait)
                wait = min(wait * 2, MAX_WAIT)
        self.listening.clear()

    def _hand_on(self, payload: str) -> None:
        try:
            message = LiveMessage.from_json(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("live listener got a message it cannot read", payload=payload[:200])
            return
        self.hub.deliver(message)


_shared: dict[tuple[str, int], list] = {}  # (url, hub) -> [listener, users]
_shared_lock = threading.Lock()


def listen(database_url: str, hub: Hub) -> Listener:
    """The process's listener for this database and hub, started on first use: one
    connection per process, however many apps it serves (tests serve one app twice)."""
    key = (database_url, id(hub))
    with _shared_lock:
        entry = _shared.get(key)
        if entry is None:
            entry = _shared[key] = [Listener(database_url, hub).start(), 0]
        entry[1] += 1
        return entry[0]


def unlisten(listener: Listener) -> None:
    """One user fewer; the last stops it (without waiting: its thread ends by itself)."""
    with _shared_lock:
        for key, entry in list(_shared.items()):
            if entry[0] is listener:
                entry[1] -= 1
                if entry[1] <= 0:
                    del _shared[key]
                    listener.stop(timeout=None)
