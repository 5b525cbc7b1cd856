"""The ``event`` channel: turns one domain event into the hub callbacks (and bus message) due.

Delivering an ``event`` row means: find the subscriptions of every API that shows the
resource, render the event as each API shows it, keep those a subscription's query accepts,
and enqueue one ``webhook`` row per (TMF event, subscription) in one transaction of its own.
Each has the idempotency key ``<TMF eventId>:<subscription id>``, so a fan-out that runs again
after a crash adds nothing. With the event bus on, a ``bus`` row goes out too.

Subscriptions are looked up here, at delivery, and never on the write path: a write pays one
INSERT whatever the number of subscribers. The domains' reactions to the event
(``events/reactions.py``) run here too, in the same transaction.
"""

from urllib.parse import urlsplit, urlunsplit

import structlog
from sqlalchemy.orm import sessionmaker

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.changes.recorder import EVENT_KIND
from parley.db.engine import build_engine
from parley.errors import DomainError, InvalidInput
from parley.events.options import EventBusOptions
from parley.events.query import matches, parse_query
from parley.events.reactions import reactions_to
from parley.events.repository import SubscriptionRepository
from parley.events.views import load_event_views, views_of
from parley.links import Links
from parley.outbox.channels import Channel, Message, Outcome
from parley.outbox.service import OutboxService
from parley.settings import Settings

BUS_KIND = "bus"
WORKER = Actor("parley-worker", "system")  # who a reaction's changes are recorded for
log = structlog.get_logger("parley.events")


class EventFanOut:
    def __init__(self, settings: Settings):
        # The views live with the TMF API modules (plugged in by parley.wiring): this worker
        # renders events with its own settings, as the APIs it serves beside would.
        load_event_views(settings)
        self._settings = settings  # what its units of work are opened with
        self.bus = EventBusOptions.from_settings(settings)
        self.links = Links(settings)  # hrefs of the references in the events it renders
        # Its own small pool: the worker's connection is busy with no transaction meanwhile,
        # but a fan-out is a unit of work of its own and must not share a session with it.
        self.engine = build_engine(settings.database_url, 1, settings.sqlite_busy_timeout_ms)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    def deliver(self, message: Message) -> Outcome:
        event = message.payload
        views = views_of(event["resourceType"])
        with self.sessions.begin() as session:
            outbox = OutboxService(UnitOfWork(session, self._settings))
            by_api = {view.api: view for view in views}
            for subscription in SubscriptionRepository(session).of_apis(by_api):
                view = by_api[subscription.api]
                # Checked when subscribing; a query that no longer parses (say, after an
                # upgrade) matches nothing rather than everything.
                try:
                    conditions = parse_query(subscription.query)
                except InvalidInput:
                    continue
                for envelope in map(self.links.fill, view.envelopes(event)):
                    if not matches(conditions, envelope):
                        continue
                    destination = {"url": listener_url(subscription.callback, envelope)}
                    if subscription.secret:
                        destination["secret"] = subscription.secret
                    key = f"{envelope['eventId']}:{subscription.id}"
                    try:
                        outbox.enqueue("webhook", destination, envelope, idempotency_key=key)
                    except InvalidInput:
                        # A callback stored before the outbound policy that its checks now
                        # refuse: the other subscribers still get the event.
                        log.warning("hub callback refused", subscription=subscription.id)
                        break
            if self.bus.url:
                subject = {"subject": self.bus.subject(event)}
                key = f"{event['eventId']}:bus"
                outbox.enqueue(BUS_KIND, subject, self.links.fill(event), idempotency_key=key)
            self._react(session, event)
        return Outcome.delivered()

    def _react(self, session, event: dict) -> None:
        for reaction in reactions_to(event["resourceType"]):
            try:
                with session.begin_nested():
                    reaction(UnitOfWork(session, self._settings, WORKER), event)
            except DomainError as problem:
                log.warning(
                    "reaction to an event failed",
                    event_id=event.get("eventId"),
                    resource=event.get("resourceType"),
                    problem=problem.message,
                )

    def close(self) -> None:
        self.engine.dispose()


def listener_url(callback: str, envelope: dict) -> str:
    """``<callback>/listener/<eventType in lowerCamelCase>``, as the TMF specs' listeners; a
    callback that is a listener URL already is not given a second ``/listener``: one ending
    in ``/listener`` gets the event's name after it, one naming the event (its last segment,
    any case) is called as given.

    Joined onto the callback's path: a query stays after it and a fragment is dropped, so no
    callback can make the listener's path disappear and choose the exact path called."""
    event_type = envelope["eventType"]
    event = f"{event_type[0].lower()}{event_type[1:]}"
    parts = urlsplit(callback)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1].lower()
    if last == event.lower():
        pass  # names the event: as given
    elif last == "listener":
        path = f"{path}/{event}"
    else:
        path = f"{path}/listener/{event}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


CHANNEL = Channel(EVENT_KIND, lambda _destination: None, EventFanOut)
