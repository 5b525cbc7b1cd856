"""Parley's own API for requests: Provide Request Status, and the lifecycle operations that
take more than a status (cancel with a reason, close with an outcome and resolution code,
reopen within the window). A customer's own log-in sees and cancels its own requests only.
Each answer carries the request's ETag; If-Match is honoured as on the TMF621 PATCH."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import Caller, require
from parley.api.v1.tasks import linked_task
from parley.api.versioning import IfMatch, with_etag, written
from parley.auth.permissions import REQUEST_CANCEL, REQUEST_READ, REQUEST_WRITE
from parley.auth.principal import Principal
from parley.changes import UnitOfWork
from parley.links import Links
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


def _status(uow: UnitOfWork, row, for_customer: bool = False) -> JSONResponse:
    body = RequestService(uow).status(row.id, for_customer)
    links = Links(uow.settings)
    body["tasks"] = [linked_task(links, task) for task in body.get("tasks", [])]
    return with_etag(body, row)


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/requests", tags=["requests"])

    @api.get(
        "/{request_id}/status",
        summary="Provide Request Status: status, history, expected resolution, next step",
        dependencies=[require(REQUEST_READ)],
    )
    def request_status(request_id: str, uow: RequestWork, principal: Caller):
        row = _visible(uow, principal, request_id)
        return _status(uow, row, principal.is_customer)

    @api.post(
        "/{request_id}/cancel",
        summary="Cancel a request before completion, with a reason",
        dependencies=[require(REQUEST_CANCEL)],
    )
    def cancel(
        request_id: str, change: Cancellation, uow: RequestWork, principal: Caller, version: IfMatch
    ):
        _visible(uow, principal, request_id)
        row = RequestService(uow).cancel(request_id, change.reason, version)
        return _finish(uow, row, principal.is_customer)

    @api.post(
        "/{request_id}/close",
        summary="Close a request: completed or unfulfilled",
        dependencies=[require(REQUEST_WRITE)],
    )
    def close(
        request_id: str, change: Closing, uow: RequestWork, principal: Caller, version: IfMatch
    ):
        _visible(uow, principal, request_id)
        service = RequestService(uow)
        row = service.close(
            request_id, change.outcome, change.resolutionCode, change.reason, version
        )
        return _finish(uow, row)

    @api.post(
        "/{request_id}/reopen",
        summary="Reopen a closed request within the window",
        dependencies=[require(REQUEST_WRITE)],
    )
    def reopen(
        request_id: str, change: Reopening, uow: RequestWork, principal: Caller, version: IfMatch
    ):
        _visible(uow, principal, request_id)
        row = RequestService(uow).reopen(request_id, change.reason, version)
        return _finish(uow, row)

    @api.post(
        "/{request_id}/events",
        summary="Tell the request's workflow that something happened (e.g. customer.replied)",
        dependencies=[require(REQUEST_WRITE)],
    )
    def workflow_event(
        request_id: str, body: WorkflowEvent, uow: RequestWork, principal: Caller, version: IfMatch
    ):
        _visible(uow, principal, request_id)
        event = check_external_event(body.event)
        row = RequestService(uow).workflow.signal(request_id, event, version)
        return _finish(uow, row)

    return api


def _visible(uow: UnitOfWork, principal: Principal, request_id: str):
    return RequestService(uow).get_readable(request_id, principal)


def _finish(uow: UnitOfWork, row, for_customer: bool = False) -> JSONResponse:
    return written(uow.session, "request", lambda: _status(uow, row, for_customer))
