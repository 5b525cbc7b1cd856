"""The troubleTicket collection: customers' requests, with optimistic concurrency.

Every answer with one ticket carries its ``ETag`` (the request's version). A PATCH may send
``If-Match`` with it: if the request changed meanwhile the answer is 412 and nothing changes.
Without If-Match the change is applied to the current version (the row is locked while it is
made), so no update is lost either way.
"""

from parley.api.tmf.kit.budget import WITH_ATTACHMENTS
from parley.api.tmf.kit.resource import Events, Resource
from parley.api.tmf.kit.spec import Spec
from parley.auth.permissions import REQUEST_DELETE, REQUEST_RAISE, REQUEST_READ, REQUEST_WRITE
from parley.changes import UnitOfWork
from parley.db.repository import Page, Reader
from parley.requests.models import CustomerRequest, RequestStatusChange
from parley.requests.presentation import present
from parley.requests.service import LIST_COLUMNS, RequestService

TYPE = "TroubleTicket"


class Ticket:
    """A request as a ticket: its row and, once served, its status history."""

    def __init__(self, request: CustomerRequest, requests: RequestService, history=None):
        self.request, self.requests = request, requests
        self.history: list[RequestStatusChange] | None = history

    @property
    def id(self) -> str:
        return self.request.id

    @property
    def version(self) -> int:
        return self.request.version

    def served(self) -> dict:
        # Read when served: after a PATCH's write was flushed (a lost race is a 412 first).
        if self.history is None:
            self.history = self.requests.history(self.request.id)
        return present(self.request, self.history)


class Tickets:
    def __init__(self, uow: UnitOfWork):
        self.requests = RequestService(uow)

    def get(self, request_id: str, reader: Reader) -> Ticket:
        return Ticket(self.requests.get_readable(request_id, reader), self.requests)

    def find(self, page: Page, reader: Reader) -> tuple[list[Ticket], int]:
        rows, total = self.requests.find(page, reader)
        histories = self.requests.histories(rows)  # one query for the page
        return [Ticket(row, self.requests, histories[row.id]) for row in rows], total

    def create(self, document: dict) -> Ticket:
        """Classified and acknowledged (requests.service)."""
        return Ticket(self.requests.create(document), self.requests)

    def replace(self, request_id: str, document: dict, version: int | None) -> Ticket:
        return Ticket(self.requests.replace(request_id, document, version), self.requests)

    def delete(self, request_id: str) -> None:
        self.requests.delete(request_id)


def ticket_resource(spec: Spec) -> Resource:
    return Resource(
        name="troubleTicket",
        type_name=TYPE,
        spec=spec,
        columns=LIST_COLUMNS,
        read_permission=REQUEST_READ,
        write_permission=REQUEST_WRITE,
        # A customer's log-in raises requests of the self-service types for itself
        # (requests/service.py says which); it changes them through /api/v1/requests.
        create_permissions=(REQUEST_RAISE,),
        delete_permission=REQUEST_DELETE,
        collection=Tickets,
        stored=lambda ticket: ticket.request.document,
        served=Ticket.served,
        versioned_as="request",
        budget=WITH_ATTACHMENTS,  # a ticket may be raised with files (requests/attachments.py)
        events=Events(state_change="StatusChange"),
    )
