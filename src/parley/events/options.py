"""What the events domain reads of the settings: hub subscriptions (``HubOptions``) and the
relay to NATS JetStream (``EventBusOptions``)."""

from dataclasses import dataclass

from parley.settings import Settings


@dataclass(frozen=True)
class HubOptions:
    """``outbound_allow``: PARLEY_OUTBOUND_ALLOW, the internal destinations a subscription's
    callback may name (parley.outbound checks it when subscribing)."""

    outbound_allow: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "HubOptions":
        return cls(outbound_allow=settings.outbound_allow)


@dataclass(frozen=True)
class EventBusOptions:
    """``url`` of the NATS server (None: the relay is off); events go to the stream ``stream``
    as ``<subject_prefix>.<resourceType>.<kind>``; ``create_stream``: make the stream if it is
    missing; ``timeout_seconds`` bounds connecting and each publish."""

    url: str | None
    stream: str
    subject_prefix: str
    create_stream: bool
    timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "EventBusOptions":
        return cls(
            url=settings.event_bus_url,
            stream=settings.event_bus_stream,
            subject_prefix=settings.event_bus_subject_prefix,
            create_stream=settings.event_bus_create_stream,
            timeout_seconds=settings.event_bus_timeout_seconds,
        )

    def subject(self, event: dict) -> str:
        """The subject an event is published under."""
        return f"{self.subject_prefix}.{event['resourceType']}.{event['kind']}"
