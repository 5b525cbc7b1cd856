"""What a TMF resource collection is: its names in the spec, its permissions, the operations
it asks of its domain (named), and how its events look.

A domain answers for a collection with an object built for one request's unit of work (most
domain services are one as they stand). Reads name their reader: a row the reader may not see
is simply not found, as the domain's ``readable_by`` query decides, for one row, a list, its
filters and its fields alike.
"""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from fastapi.routing import APIRoute

from parley.api.tmf.kit.spec import Spec
from parley.changes import UnitOfWork
from parley.db.repository import Page, Reader


class Collection(Protocol):
    def get(self, id: str, reader: Reader) -> Any: ...

    def find(self, page: Page, reader: Reader) -> tuple[list, int]: ...

    def create(self, document: dict, **flags: bool) -> Any: ...

    # Only where the resource is patchable. A versioned collection (``Resource.versioned_as``)
    # takes ``version``: the one If-Match named, None when none was given.
    def replace(self, id: str, document: dict, **version: int | None) -> Any: ...

    def delete(self, id: str) -> None: ...


@dataclass(frozen=True)
class Events:
    """How the API shows the domain events of a resource (events.views.EventView)."""

    emitted_as: str | None = None  # the domain's resource type, where not the collection's name
    render: Callable[[dict], dict] = dict  # the canonical document -> this API's body
    state_change: str = "StateChange"  # "StatusChange" where the spec names it so


def stored_document(row: Any) -> dict:
    return row.document


@dataclass(frozen=True)
class Resource:
    name: str  # path segment and TMF resource name, e.g. "individual"
    type_name: str  # "@type", e.g. "Individual"
    spec: Spec
    collection: Callable[[UnitOfWork], Collection]
    read_permission: str
    write_permission: str
    # What a list may filter on besides the spec's scalar attributes: the domain's columns.
    columns: Iterable[str] = ()
    # What a list filters on, where the collection takes less than the spec's attributes.
    only_filters: Iterable[str] | None = None
    # The stored document of a row: what a merge patch applies to.
    stored: Callable[[Any], dict] = stored_document
    # The document as served, when the server adds to what is stored (dates kept in columns).
    served: Callable[[Any], dict] | None = None
    # Creating may be allowed to more than writing: any of these too (a customer raising a
    # request of its own).
    create_permissions: tuple[str, ...] = ()
    # Deleting may need more than writing (interactions: administrators only).
    delete_permission: str | None = None
    # False: no PATCH route (the method is then answered 405 in the TMF error shape).
    patchable: bool = True
    # Boolean query parameters a create takes (e.g. ``force`` past a duplicate check), passed
    # to ``create`` by name.
    create_flags: tuple[str, ...] = ()
    # A create the domain may do on the event loop, without the session (interactions: one
    # statement on PostgreSQL): the new row, or None when ``create`` must do it.
    create_direct: Callable[[UnitOfWork, dict], Awaitable[Any]] | None = None
    # The route class of a create served otherwise (api/tmf/interaction/fast_log.py).
    create_route: Callable[["Resource"], type[APIRoute]] | None = None
    # Rows with a version: answers about one carry it as ETag, a PATCH honours If-Match, and a
    # write that lost a race is a 412 naming the row so.
    versioned_as: str | None = None
    events: Events = field(default_factory=Events)

    @property
    def create_schema(self) -> str:
        return self.type_name + self.spec.body_suffixes[0]

    @property
    def patch_schema(self) -> str:
        return self.type_name + self.spec.body_suffixes[1]

    @cached_property
    def known_fields(self) -> set[str]:
        return self.spec.properties(self.type_name)

    @cached_property
    def filterable(self) -> set[str]:
        if self.only_filters is not None:
            return set(self.only_filters)
        return self.spec.scalar_properties(self.type_name) | set(self.columns)

    def document(self, row: Any) -> dict:
        return (self.served or self.stored)(row)
