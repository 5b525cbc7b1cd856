"""What a TMF resource collection is: its names in the spec, its permissions, the operations
it asks of its domain (named), and how its events look.

A domain answers for a collection with an object built for one request's unit of work (most
domain services are one as they stand). Reads name their reader: a row the reader may not see
is simply not found, as the domain's ``readable_by`` query decides, for one row, a list, its
filters and its fields alike.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from fastapi.routing import APIRoute

from parley.api.tmf.kit.budget import TMF_DOCUMENT, DocumentBudget
from parley.api.tmf.kit.paths import document_path, scalar_kinds
from parley.api.tmf.kit.spec import Spec
from parley.changes import UnitOfWork
from parley.db.listing import Attribute, attribute
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
class Filter:
    """An attribute a list filters on: a column (``attribute.column``) or, without one, the
    document at ``path`` (empty: the top-level attribute of that name)."""

    attribute: Attribute
    path: tuple[tuple[str, bool], ...] = ()


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
    # What a list may filter on besides the spec's attributes, and sort by: the domain's
    # columns (name -> column or db.listing.Attribute), also where the spec names a path.
    columns: Mapping[str, Any] = field(default_factory=dict)
    # False where the stored documents are not in this spec's shape (v4 over v5 documents):
    # a list then filters on the columns and top-level attributes only.
    document_paths: bool = True
    # What a list filters on, where the collection takes less than the spec's attributes
    # (text, equality only; such a collection also pages by offset only).
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
    # How much one document may hold (budget.py): the texts and lists of any TMF document.
    budget: DocumentBudget = TMF_DOCUMENT
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
    def filterable(self) -> dict[str, Filter]:
        """The attributes a list filters on by their plain names; nested paths of the
        document are found by ``filter_of``."""
        if self.only_filters is not None:
            return {name: Filter(Attribute(None, "text")) for name in self.only_filters}
        kinds = scalar_kinds(self.spec, self.type_name)
        found = {name: Filter(Attribute(None, kind)) for name, kind in kinds.items()}
        found.update({name: Filter(attribute(column)) for name, column in self.columns.items()})
        return found

    @cached_property
    def sortable(self) -> dict[str, Any]:
        return {
            name: declared.attribute.column
            for name, declared in self.filterable.items()
            if declared.attribute.sortable
        }

    @property
    def pages_by_cursor(self) -> bool:
        return self.only_filters is None

    def filter_of(self, name: str) -> "Filter | None":
        """How a list filters on ``name``: a column, a top-level attribute of the document,
        or a path into it the spec names; None when it can't."""
        known = self.filterable.get(name)
        if known is not None or self.only_filters is not None or "." not in name:
            return known
        if not self.document_paths:
            return None
        found = document_path(self.spec, self.type_name, name)
        return None if found is None else Filter(Attribute(None, found[1]), found[0])

    def document(self, row: Any) -> dict:
        return (self.served or self.stored)(row)
