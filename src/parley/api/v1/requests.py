"""Parley's own API for requests: Provide Request Status, and the lifecycle operations that
take more than a status (cancel with a reason, close with an outcome and resolution code,
reopen within the window). A customer's own log-in sees and cancels its own requests only.
Each answer carries the request's ETag; If-Match is honoured as on the TMF621 PATCH."""

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.api.deps import UnitOfWork, commit_now, get_actor, get_settings_dep
from parley.api.json_response import JSONResponse
from parley.api.security import require
from parley.api.tmf.trouble_ticket.tickets import etag, expected_version, stale_is_412, visible
from parley.auth.permissions import REQUEST_CANCEL, REQUEST_READ, REQUEST_WRITE
from parley.auth.principal import Principal
from parley.requests.service import RequestService
from parley.requests.workflow.definitions import check_external_event
from parley.settings import Settings


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


def _status(session, settings, row, for_customer: bool = False) -> JSONResponse:
    body = RequestService(session, settings).status(row.id, for_customer)
    return JSONResponse(body, headers={"ETag": etag(row)})


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/requests", tags=["requests"])

    @api.get(
        "/{request_id}/status",
        summary="Provide Request Status: status, history, expected resolution, next step",
    )
    def request_status(
        request_id: str,
        session: Session = UnitOfWork,
        settings: Settings = Depends(get_settings_dep),
        principal: Principal = require(REQUEST_READ),
    ):
        row = visible(session, settings, principal, request_id)
        return _status(session, settings, row, principal.is_customer)

    @api.post("/{request_id}/cancel", summary="Cancel a request before completion, with a reason")
    def cancel(
        request_id: str,
        change: Cancellation,
        request: Request,
        session: Session = UnitOfWork,
        settings: Settings = Depends(get_settings_dep),
        principal: Principal = require(REQUEST_CANCEL),
        actor: Actor = Depends(get_actor),
    ):
        visible(session, settings, principal, request_id)
        service = RequestService(session, settings, actor)
        row = service.cancel(request_id, change.reason, expected_version(request))
        return _finish(session, settings, row, principal.is_customer)

    @api.post("/{request_id}/close", summary="Close a request: completed or unfulfilled")
    def close(
        request_id: str,
        change: Closing,
        request: Request,
        session: Session = UnitOfWork,
        settings: Settings = Depends(get_settings_dep),
        principal: Principal = require(REQUEST_WRITE),
        actor: Actor = Depends(get_actor),
    ):
        visible(session, settings, principal, request_id)
        row = RequestService(session, settings, actor).close(
            request_id,
            change.outcome,
            change.resolutionCode,
            change.reason,
            expected_version(request),
        )
        return _finish(session, settings, row)

    @api.post("/{request_id}/reopen", summary="Reopen a closed request within the window")
    def reopen(
        request_id: str,
        change: Reopening,
        request: Request,
        session: Session = UnitOfWork,
        settings: Settings = Depends(get_settings_dep),
        principal: Principal = require(REQUEST_WRITE),
        actor: Actor = Depends(get_actor),
    ):
        visible(session, settings, principal, request_id)
        service = RequestService(session, settings, actor)
        row = service.reopen(request_id, change.reason, expected_version(request))
        return _finish(session, settings, row)

    @api.post(
        "/{request_id}/events",
        summary="Tell the request's workflow that something happened (e.g. customer.replied)",
    )
    def workflow_event(
        request_id: str,
        body: WorkflowEvent,
        request: Request,
        session: Session = UnitOfWork,
        settings: Settings = Depends(get_settings_dep),
        principal: Principal = require(REQUEST_WRITE),
        actor: Actor = Depends(get_actor),
    ):
        visible(session, settings, principal, request_id)
        event = check_external_event(body.event)
        workflow = RequestService(session, settings, actor).workflow
        row = workflow.signal(request_id, event, expected_version(request))
        return _finish(session, settings, row)

    return api


def _finish(session, settings, row, for_customer: bool = False) -> JSONResponse:
    stale_is_412(session)
    answer = _status(session, settings, row, for_customer)
    commit_now(session)
    return answer
