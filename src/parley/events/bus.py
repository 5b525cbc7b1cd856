"""The ``bus`` channel: publish a domain event to NATS JetStream (the optional event relay).

Off unless PARLEY_EVENT_BUS_URL is set; then every event's fan-out (events.fanout) enqueues a
``bus`` row, whose delivery publishes the canonical event to
``<PARLEY_EVENT_BUS_SUBJECT_PREFIX>.<resourceType>.<kind>`` in the stream
PARLEY_EVENT_BUS_STREAM, with ``Nats-Msg-Id: <eventId>``. JetStream drops a repeat of a
message id within the stream's duplicate window, so the redelivery of an outbox row after a
crash is published once. A publish counts as delivered only when JetStream has acknowledged it
(stored it); anything else is retried by the worker: at-least-once, deduplicated.

nats-py is asyncio; the worker is a thread. The adapter keeps its own event loop and one
connection for the worker's lifetime, and closes both in ``close()``.
"""

import asyncio
import json

import structlog

from parley.errors import InvalidInput
from parley.events.options import EventBusOptions
from parley.outbox.channels import Channel, Message, Outcome
from parley.settings import Settings

KIND = "bus"
MESSAGE_ID_HEADER = "Nats-Msg-Id"
log = structlog.get_logger("parley.events.bus")


def check_destination(destination: dict) -> None:
    subject = destination.get("subject")
    if not isinstance(subject, str) or not subject or " " in subject:
        raise InvalidInput("destination.subject: a NATS subject is needed", "destination.subject")


class EventBusPublisher:
    def __init__(self, settings: Settings):
        """An outbox channel's adapter, made from the worker's settings: it reads its own."""
        self.options = EventBusOptions.from_settings(settings)
        self.timeout = self.options.timeout_seconds
        self.loop = asyncio.new_event_loop()
        self.connection = None
        self.jetstream = None

    def deliver(self, message: Message) -> Outcome:
        if not self.options.url:
            return Outcome.retry("PARLEY_EVENT_BUS_URL is not set in this worker")
        body = json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {MESSAGE_ID_HEADER: message.payload.get("eventId") or message.idempotency_key}
        try:
            # A bound on the whole (connect, create the stream, publish, ack), whatever the
            # client library does on the way.
            self.loop.run_until_complete(
                asyncio.wait_for(
                    self._publish(message.destination["subject"], body, headers), 3 * self.timeout
                )
            )
        except Exception as error:  # no server, no ack in time, stream missing...
            self._drop_connection()
            return Outcome.retry(f"event bus: {type(error).__name__}: {error}")
        return Outcome.delivered()

    async def _publish(self, subject: str, body: bytes, headers: dict) -> None:
        if self.jetstream is None:
            await self._connect()
        # Waits for JetStream's ack; naming the stream makes a subject outside it an error.
        await self.jetstream.publish(
            subject,
            body,
            timeout=self.timeout,
            stream=self.options.stream,
            headers=headers,
        )

    async def _connect(self) -> None:
        import nats  # only workers that relay events need nats-py loaded
        from nats.js.errors import NotFoundError

        async def quiet(_error=None):  # a failure shows in the publish, and is retried there
            return None

        # One quick reconnect inside nats-py, then the publish fails and the outbox retries the
        # message later (the next delivery connects afresh). nats-py 2.x waits forever on an
        # unreachable server with allow_reconnect=False or max_reconnect_attempts=0.
        self.connection = await nats.connect(
            self.options.url,
            connect_timeout=self.timeout,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.2,
            error_cb=quiet,
            disconnected_cb=quiet,
            reconnected_cb=quiet,
            closed_cb=quiet,
        )
        jetstream = self.connection.jetstream(timeout=self.timeout)
        if self.options.create_stream:
            stream = self.options.stream
            try:
                await jetstream.stream_info(stream)
            except NotFoundError:
                subjects = [f"{self.options.subject_prefix}.>"]
                await jetstream.add_stream(name=stream, subjects=subjects)
                log.info("event bus stream created", stream=stream, subjects=subjects)
        self.jetstream = jetstream

    def _drop_connection(self) -> None:
        """After a failure, start afresh with the next message."""
        connection, self.connection, self.jetstream = self.connection, None, None
        if connection is not None:
            try:
                self.loop.run_until_complete(connection.close())
            except Exception:  # closing a broken connection may fail too; it is gone anyway
                log.debug("closing the event bus connection failed", exc_info=True)

    def close(self) -> None:
        self._drop_connection()
        self.loop.close()


CHANNEL = Channel(KIND, check_destination, EventBusPublisher)
