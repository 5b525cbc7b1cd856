"""How each TMF API shows a domain event: its resource's representation, event names and
envelope. The API edges give their views (parley.api.tmf.apis) and the composition root
(parley.wiring) adds them as a source here, so this domain never imports the API layer; the app
and the fan-out load them with their settings, the fan-out reads them.

One domain event becomes one TMF event per API that shows the resource (e.g. a party
interaction for TMF683 v5 and for v4 subscribers), and an update whose status or state changed
becomes two: ``<Type>AttributeValueChangeEvent`` and ``<Type>StateChangeEvent`` (or
``StatusChangeEvent``, as the API's spec names it).
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from parley.changes.recorder import CREATE, DELETE
from parley.settings import Settings

# Derives the id of a second TMF event made from one domain event (stable across re-runs).
_SECOND_EVENT = uuid.UUID("0c4b2a52-8f0e-4a57-9a3c-6d1f1f6e7e21")


@dataclass(frozen=True)
class EventView:
    api: str  # the key subscriptions are stored under, e.g. "TMF629"
    resource_type: str  # the domain's resource type as emitted, e.g. "customer"
    resource_name: str  # the TMF resource and envelope key, e.g. "customer"
    type_name: str  # "@type" and the event name prefix, e.g. "Customer"
    # Canonical document (with id) -> this API's body of the resource (no href needed).
    render: Callable[[dict], dict]
    collection_url: str  # base URL + API prefix + "/" + resource name: hrefs start here
    version: int  # 4 or 5: the envelope's shape
    state_change: str = "StateChange"  # "StatusChange" where the spec says so
    # TMF688's envelopes name the API the event comes from (e.g. "customerManagement").
    domain: str | None = None

    def event_types(self) -> list[str]:
        kinds = ("Create", "AttributeValueChange", self.state_change, "Delete")
        return [f"{self.type_name}{kind}Event" for kind in kinds]

    def representation(self, document: dict) -> dict:
        body = self.render(document)
        body["id"] = document["id"]
        body["href"] = f"{self.collection_url}/{document['id']}"
        body.setdefault("@type", self.type_name)
        return body

    def envelopes(self, event: dict) -> list[dict]:
        """The TMF events of one domain event (an ``event`` outbox row's payload)."""
        names = []
        if event["kind"] == CREATE:
            names.append((event["eventId"], "Create"))
        elif event["kind"] == DELETE:
            names.append((event["eventId"], "Delete"))
        else:
            names.append((event["eventId"], "AttributeValueChange"))
            if event["stateChanged"]:
                second = str(uuid.uuid5(_SECOND_EVENT, event["eventId"]))
                names.append((second, self.state_change))
        resource = self.representation(event["document"])
        return [
            self._envelope(event_id, f"{self.type_name}{kind}Event", event, resource)
            for event_id, kind in names
        ]

    def _envelope(self, event_id: str, event_type: str, event: dict, resource: dict) -> dict:
        body = {"eventId": event_id, "eventTime": event["eventTime"], "eventType": event_type}
        if self.version >= 5:
            body["@type"] = event_type
            body["timeOccurred"] = event["eventTime"]
        else:
            body["timeOcurred"] = event["eventTime"]  # sic: the v4 specs spell it so
        if self.domain is not None:
            body["domain"] = self.domain
        if event["changedAttributes"]:
            body["description"] = "changed: " + ", ".join(event["changedAttributes"])
        body["event"] = {self.resource_name: resource}
        return body


_VIEWS: dict[str, list[EventView]] = {}  # by resource type
# settings -> the views of some APIs, as these settings (base URL, API prefixes) make them
ViewSource = Callable[[Settings], Iterable[EventView]]
_SOURCES: list[ViewSource] = []


def add_view_source(source: ViewSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def load_event_views(settings: Settings) -> None:
    """Register every source's views as these settings make them."""
    for source in _SOURCES:
        for view in source(settings):
            register_event_view(view)


def register_event_view(view: EventView) -> None:
    """Add (or replace: same api and resource type) how an API shows a resource's events."""
    views = _VIEWS.setdefault(view.resource_type, [])
    views[:] = [v for v in views if v.api != view.api] + [view]


def views_of(resource_type: str) -> list[EventView]:
    return list(_VIEWS.get(resource_type, ()))


def event_types_of(api: str) -> set[str]:
    """Every event type an API's hub can deliver."""
    return {
        name for views in _VIEWS.values() for v in views if v.api == api for name in v.event_types()
    }
