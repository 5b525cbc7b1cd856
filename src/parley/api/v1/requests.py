"""Parley's own API for requests: Provide Request Status, and the lifecycle operations that
take more than a status (cancel with a reason, close with an outcome and resolution code,
reopen within the window). A customer's own log-in sees and cancels its own requests only.
Each answer carries the request's ETag; If-Match is honoured as on the TMF621 PATCH."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import AppLinks, RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import Caller, require
from parley.api.v1.tasks import linked_task
from parley.api.versioning import IfMatch, with_etag, written
from parley.auth.permissions import REQUEST_CANCEL, REQUEST_READ, REQUEST_WRITE
from parley.auth.principal import Principal
from parley.changes import UnitOfWork
from parley.links import Links
from parley.requests.models import CustomerRequest
from parley.requests.service import RequestService
from parley.requests.workflow.definitions import check_external_event


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=400, examples=["No longer needed"])


class Closing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["completed", "unfulfilled"]
    resolutionCode: str = Field(min_length=1, max_length=64, examples=["fixed.remotely"])
    reason: str | None = Field(None, max_length=400)


class WorkflowEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(min_length=3, max_length=64, examples=["customer.replied"])


class Reopening(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=400, examples=["The fault is back"])


class _CallerRequests:
    """The requests as the caller sees them (a customer's log-in: its own), and answered with
    their status, tasks linked, and ETag."""

    def __init__(self, uow: UnitOfWork, principal: Principal, links: Links):
        self.uow, self.principal, self.links = uow, principal, links
        self.service = RequestService(uow)

    def visible(self, request_id: str) -> CustomerRequest:
        return self.service.get_readable(request_id, self.principal)

    def status(self, row: CustomerRequest, for_customer: bool = False) -> JSONResponse:
        body = self.service.status(row.id, for_customer)
        body["tasks"] = [linked_task(self.links, task) for task in body.get("tasks", [])]
        return with_etag(body, row)

    def changed(self, row: CustomerRequest, for_customer: bool = False) -> JSONResponse:
        """The answer to a change: flushed (412 if it lost a race), shown, committed."""
        return written(self.uow.session, "request", lambda: self.status(row, for_customer))


async def _caller_requests(uow: RequestWork, principal: Caller, links: AppLinks):
    return _CallerRequests(uow, principal, links)


# Every route declares its permission, which is checked first.
Requests = Annotated[_CallerRequests, Depends(_caller_requests)]


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/requests", tags=["requests"])

    @api.get(
        "/{request_id}/status",
        summary="Provide Request Status: status, history, expected resolution, next step",
        dependencies=[require(REQUEST_READ)],
    )
    def request_status(request_id: str, requests: Requests):
        row = requests.visible(request_id)
        return requests.status(row, requests.principal.is_customer)

    @api.post(
        "/{request_id}/cancel",
        summary="Cancel a request before completion, with a reason",
        dependencies=[require(REQUEST_CANCEL)],
    )
    def cancel(request_id: str, change: Cancellation, requests: Requests, version: IfMatch):
        requests.visible(request_id)
        row = requests.service.cancel(request_id, change.reason, version)
        return requests.changed(row, requests.principal.is_customer)

    @api.post(
        "/{request_id}/close",
        summary="Close a request: completed or unfulfilled",
        dependencies=[require(REQUEST_WRITE)],
    )
    def close(request_id: str, change: Closing, requests: Requests, version: IfMatch):
        requests.visible(request_id)
        row = requests.service.close(
            request_id, change.outcome, change.resolutionCode, change.reason, version
        )
        return requests.changed(row)

    @api.post(
        "/{request_id}/reopen",
        summary="Reopen a closed request within the window",
        dependencies=[require(REQUEST_WRITE)],
    )
    def reopen(request_id: str, change: Reopening, requests: Requests, version: IfMatch):
        requests.visible(request_id)
        row = requests.service.reopen(request_id, change.reason, version)
        return requests.changed(row)

    @api.post(
        "/{request_id}/events",
        summary="Tell the request's workflow that something happened (e.g. customer.replied)",
        dependencies=[require(REQUEST_WRITE)],
    )
    def workflow_event(request_id: str, body: WorkflowEvent, requests: Requests, version: IfMatch):
        requests.visible(request_id)
        event = check_external_event(body.event)
        row = requests.service.workflow.signal(request_id, event, version)
        return requests.changed(row)

    return api
