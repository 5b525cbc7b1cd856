"""TMF688 Event Management v4 over Parley's domain event store (events/store.py): an
integrator pulls the events it missed (``GET /event``, since a time or after an event it
has, docs/events.md) and subscribes to them all on one hub.

One stored domain event is one TMF688 ``Event``: its ``id`` is the domain event's id (the id
its hubs' first TMF event has), its ``eventType`` that of the resource's API (an update that
changed the status is the ``…StateChangeEvent``), its ``event`` the resource as that API shows
it, its ``domain`` that API's name. A reader sees the events of the APIs it may read, and
nothing of a customer's log-in: ``event:read`` and the API's own read permission.
"""

from dataclasses import dataclass, replace

from fastapi import APIRouter, Query, Request

from parley.api.deps import RequestWork
from parley.api.error_answers import also_answers
from parley.api.hrefs import base_url_of, links_of
from parley.api.security import require
from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.crud import FIELDS_QUERY
from parley.api.tmf.kit.errors import TMFError
from parley.api.tmf.kit.query import parse_fields, parse_list_query, select_fields
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.responses import list_response, paging_headers
from parley.api.tmf.kit.spec import Spec, load_spec
from parley.api.tmf.kit.unserved import unserved_router
from parley.auth.permissions import EVENT_READ
from parley.auth.principal import Principal
from parley.changes.recorder import CREATE, DELETE, UPDATE
from parley.db.base import iso
from parley.db.listing import Attribute, Criterion
from parley.db.repository import Page
from parley.errors import NotFound
from parley.events.store import EVENT_TIME, EventKind, EventStore
from parley.events.views import EventView
from parley.outbox.models import OutboxMessage
from parley.settings import Settings

SPEC_FILE = "TMF688-Event-v4.0.0.swagger.json"
CODE = "TMF688"
AFTER = "after"  # a Parley extension: the events stored after the one with this id
# What a list filters on (the kit refuses anything else before a query is made).
FILTERS = ("eventType", "eventTime", "domain", AFTER)


@dataclass(frozen=True)
class Source:
    """The events of one resource type as TMF688 shows them, and who may read them."""

    view: EventView
    read_permission: str

    @property
    def domain(self) -> str:
        return self.view.domain or ""

    def kinds(self) -> dict[str, EventKind]:
        rt, name = self.view.resource_type, self.view.type_name
        return {
            f"{name}CreateEvent": EventKind(rt, CREATE),
            f"{name}AttributeValueChangeEvent": EventKind(rt, UPDATE, False),
            f"{name}{self.view.state_change}Event": EventKind(rt, UPDATE, True),
            f"{name}DeleteEvent": EventKind(rt, DELETE),
        }


def sources(apis: list[TMFApi], settings: Settings) -> dict[str, Source]:
    """By resource type: the newest API showing it (TMF683 v5 before v4) names its events."""
    found: dict[str, Source] = {}
    for api in sorted(apis, key=lambda api: -api.version):
        domain = api.prefix(settings).strip("/").split("/")[1]
        views = {view.resource_type: view for view in api.event_views(settings)}
        for resource in api.resources:
            resource_type = resource.events.emitted_as or resource.name
            if resource_type in found:
                continue
            view = replace(views[resource_type], api=CODE, version=4, domain=domain)
            found[resource_type] = Source(view, resource.read_permission)
    return found


def event_views(apis: list[TMFApi], settings: Settings) -> list[EventView]:
    """The hub's: every resource's events, in the v4 envelope with its ``domain``."""
    return [source.view for source in sources(apis, settings).values()]


def _resource(spec: Spec) -> Resource:
    """The kit's description of the list, for its query conventions (no domain collection)."""
    text = Attribute(None, "text")
    columns = {"eventTime": Attribute(EVENT_TIME, "datetime", sortable=True)}
    columns.update({name: text for name in ("eventType", "domain", AFTER)})
    return Resource(
        name="event",
        type_name="Event",
        spec=spec,
        collection=lambda uow: None,
        read_permission=EVENT_READ,
        write_permission=EVENT_READ,
        columns=columns,
    )


def router(apis: list[TMFApi], settings: Settings) -> APIRouter:
    prefix = settings.event_api_prefix
    resource = _resource(load_spec(SPEC_FILE))
    api = APIRouter(prefix=prefix)
    events = APIRouter(prefix="/event", tags=["event"])
    read = require(EVENT_READ)

    def readable(principal: Principal) -> dict[str, Source]:
        if principal.is_customer:
            return {}
        every = sources(apis, settings)
        return {rt: s for rt, s in every.items() if principal.has(s.read_permission)}

    def shown(row: OutboxMessage, source: Source, request: Request) -> dict:
        payload = row.payload
        # The last TMF event of the change: the state change where there was one.
        envelope = source.view.envelopes(payload)[-1]
        body = {"id": payload["eventId"]}
        body["href"] = f"{base_url_of(request)}{prefix}/event/{payload['eventId']}"
        body.update(envelope, eventId=payload["eventId"])
        body["@type"] = "Event"
        return links_of(request).fill(body)

    @events.get(
        "",
        summary="List or find Event objects (the domain event store)",
        dependencies=[also_answers(410)],  # an ``after`` the retention has deleted
    )
    def list_events(
        request: Request,
        uow: RequestWork,
        principal: Principal = read,
        fields: str | None = FIELDS_QUERY,
        offset: str | None = Query(None, description="First item to return (0-based)"),
        limit: str | None = Query(None, description="Maximum number of items to return"),
        after: str | None = Query(None, description="Only events stored after this one (id)"),
    ):
        config = request.app.state.settings
        query = parse_list_query(request, resource, config.default_page_size, config.max_page_size)
        shown_sources = readable(principal)
        store = EventStore(uow.session)
        kinds, after_row = None, None
        for criterion in query.criteria:
            _check_known(criterion)
            if criterion.name == "domain":
                shown_sources = _of_domains(shown_sources, criterion)
            elif criterion.name == "eventType":
                kinds = _kinds_named(shown_sources, criterion)
            elif criterion.name == AFTER:
                after_row = store.get(criterion.values[0], set(shown_sources))
                if after_row is None:
                    raise _unknown_after(store, config.event_retention_days)
        page = Page(
            {},
            query.offset,
            query.limit,
            criteria=tuple(c for c in query.criteria if c.name == "eventTime"),
            sort=tuple(query.sort),
            cursor=query.cursor,
        )
        rows, total = store.find(page, set(shown_sources), kinds, after_row)
        items = (
            select_fields(
                shown(row, shown_sources[row.payload["resourceType"]], request), query.fields
            )
            for row in rows
        )
        response = list_response(items, total, config.max_page_bytes)
        paging_headers(response, request, page.info, f"{base_url_of(request)}{prefix}/event")
        return response

    @events.get("/{id}", summary="Retrieve an Event by id")
    def retrieve_event(
        id: str,
        request: Request,
        uow: RequestWork,
        principal: Principal = read,
        fields: str | None = FIELDS_QUERY,
    ):
        shown_sources = readable(principal)
        row = EventStore(uow.session).get(id, set(shown_sources))
        if row is None:
            raise NotFound(f"No Event with id {id}")
        wanted = parse_fields(fields, resource.known_fields)
        return select_fields(
            shown(row, shown_sources[row.payload["resourceType"]], request), wanted
        )

    def narrow(principal: Principal, query):
        """A subscription gets the domains its subscriber may read, said in its query."""
        every = sources(apis, settings)
        allowed = readable(principal)
        domains = {s.domain for s in every.values()}
        closed = {s.domain for rt, s in every.items() if rt not in allowed}
        if closed == domains:
            raise TMFError(403, "you may read the events of no API", "FORBIDDEN", "Forbidden")
        if not closed or (query is not None and not isinstance(query, str)):
            return query  # as sent (a query that is no text is refused as such)
        condition = "domain=" + ",".join(sorted(domains - closed))
        return (
            f"{condition}&{query.strip()}"
            if isinstance(query, str) and query.strip()
            else condition
        )

    api.include_router(events)
    api.include_router(hub_router(CODE, prefix, EVENT_READ, 4, narrow))
    api.include_router(unserved_router(CODE, "topic", EVENT_READ))
    return api


def _unknown_after(store: EventStore, retention_days: int) -> TMFError:
    """An ``after`` naming no event the caller may read: 410 once events have been pruned (it
    may have been one of them: Parley cannot tell a pruned id from a wrong one once it is
    gone), else 400 (docs/events.md#retention)."""
    pruning = store.pruning()
    if pruning is None:
        return TMFError(400, "after: no event with this id", "INVALID_FILTER")
    oldest = store.oldest_kept()
    rule = (
        f"events are deleted {retention_days} days after they were stored"
        if retention_days > 0
        else "events were deleted under an earlier retention setting"
    )
    kept = f"; the oldest event kept was stored at {iso(oldest)}" if oldest else ""
    return TMFError(
        410,
        f"after: no event with this id is kept: {rule} (up to {iso(pruning.pruned_before)} so "
        f"far){kept}. Resume with eventTime.gt=<the eventTime of the last event you have>",
        "EVENT_PRUNED",
        "Gone",
    )


def _check_known(criterion: Criterion) -> None:
    if criterion.name not in FILTERS:
        raise TMFError(
            400,
            f"cannot filter on '{criterion.name}'; filterable attributes: {', '.join(FILTERS)}",
            "INVALID_FILTER",
        )


def _of_domains(shown: dict[str, Source], criterion: Criterion) -> dict[str, Source]:
    known = {source.domain for source in shown.values()}
    unknown = sorted(set(criterion.values) - known)
    if unknown:
        raise TMFError(
            400,
            f"domain: no events of '{unknown[0]}' for you; domains: {', '.join(sorted(known))}",
            "INVALID_FILTER",
        )
    return {rt: s for rt, s in shown.items() if s.domain in criterion.values}


def _kinds_named(shown: dict[str, Source], criterion: Criterion) -> list[EventKind]:
    by_name = {name: kind for s in shown.values() for name, kind in s.kinds().items()}
    unknown = sorted(set(criterion.values) - set(by_name))
    if unknown:
        raise TMFError(
            400, f"eventType: no events of type '{unknown[0]}' for you", "INVALID_FILTER"
        )
    return [by_name[name] for name in criterion.values]
