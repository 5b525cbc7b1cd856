"""From committed domain events to the hubs (registered with ``parley.changes.committed``).

PostgreSQL: the messages are sent with ``pg_notify`` in the writing transaction itself, so the
database delivers them to every listening process exactly when the commit succeeds (and never
for a rollback), this process included, through its listener (``postgres.py``). SQLite is one
process: the messages go to its own hub once the transaction has committed.
"""

from sqlalchemy.orm import Session

from parley.live.hub import HUB
from parley.live.messages import messages_of

CHANNEL = "parley_live"
_NOTIFY = "SELECT pg_notify(%(channel)s, message) FROM unnest(%(messages)s::text[]) AS message"


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def notify_in_transaction(session: Session, events: list[dict]) -> None:
    if _dialect(session) != "postgresql":
        return
    messages = messages_of(events)
    if messages:
        session.connection().exec_driver_sql(
            _NOTIFY, {"channel": CHANNEL, "messages": [m.to_json() for m in messages]}
        )


def deliver_after_commit(session: Session, events: list[dict]) -> None:
    if _dialect(session) == "postgresql":
        return  # the listener hears them
    for message in messages_of(events):
        HUB.deliver(message)
