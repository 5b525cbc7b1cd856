"""What the events domain reads of the settings: hub subscriptions (``HubOptions``), the relay
to NATS JetStream (``EventBusOptions``) and the event store's retention
(``EventStoreOptions``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class HubOptions(OptionsRecord):
    """A subscription's callback may name the internal destinations ``outbound_allow`` names
    (PARLEY_OUTBOUND_ALLOW; parley.outbound checks it when subscribing)."""

    outbound_allow: str = setting("outbound_allow")


@dataclass(frozen=True)
class EventBusOptions(OptionsRecord):
    """``url`` of the NATS server (None: the relay is off); events go to the stream ``stream``
    as ``<subject_prefix>.<resourceType>.<kind>``; ``create_stream``: make the stream if it is
    missing; ``timeout_seconds`` bounds connecting and each publish."""

    url: str | None = setting("event_bus_url")
    stream: str = setting("event_bus_stream")
    subject_prefix: str = setting("event_bus_subject_prefix")
    create_stream: bool = setting("event_bus_create_stream")
    timeout_seconds: float = setting("event_bus_timeout_seconds")

    def subject(self, event: dict) -> str:
        """The subject an event is published under."""
        return f"{self.subject_prefix}.{event['resourceType']}.{event['kind']}"


@dataclass(frozen=True)
class EventStoreOptions(OptionsRecord):
    """Delivered domain events are deleted ``retention_days`` after they were stored (0: never),
    ``prune_batch_size`` in one transaction (events/retention.py)."""

    retention_days: int = setting("event_retention_days")
    prune_batch_size: int = setting("event_prune_batch_size")
