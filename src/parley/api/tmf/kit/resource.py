"""What a TMF resource collection is: its description (names, spec schemas, permissions) and
the operations it asks of its domain, named.

A domain answers for a collection with an object built for one request's unit of work (most
domain services are one as they stand). Reads name their reader: a row the reader may not see
is simply not found, as the domain's ``readable_by`` query decides, for one row, a list, its
filters and its fields alike.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

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


def stored_document(row: Any) -> dict:
    return row.document


@dataclass(frozen=True)
class Resource:
    name: str  # path segment and TMF resource name, e.g. "individual"
    type_name: str  # "@type", e.g. "Individual"
    spec: Spec
    create_schema: str  # e.g. "Individual_FVO"
    patch_schema: str  # e.g. "Individual_MVO"
    filterable: set[str]
    read_permission: str
    write_permission: str
    collection: Callable[[UnitOfWork], Collection]
    # The stored document of a row: what a merge patch applies to.
    stored: Callable[[Any], dict] = stored_document
    # The document as served, when the server adds to what is stored (dates kept in columns).
    served: Callable[[Any], dict] | None = None
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
    # Rows with a version: answers about one carry it as ETag, a PATCH honours If-Match, and a
    # write that lost a race is a 412 naming the row so.
    versioned_as: str | None = None

    @property
    def known_fields(self) -> set[str]:
        return self.spec.properties(self.type_name)

    def document(self, row: Any) -> dict:
        return (self.served or self.stored)(row)
