"""Internal approvals: adjustments above their requester's limit, listed for the staff and
decided by a supervisor whose limit covers them. Each answer about one approval carries its
ETag; approve and reject honour If-Match (412 when stale)."""

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import RequestWork, commit_now
from parley.api.security import require
from parley.api.versioning import etag, expected_version, flush_or_412
from parley.auth.permissions import APPROVAL_READ, REQUEST_APPROVE
from parley.links import Links
from parley.requests.approvals.models import APPROVAL_STATUSES
from parley.requests.approvals.service import MAX_NOTE, ApprovalService


class Approving(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=MAX_NOTE, examples=["Long-standing customer"])


class Rejecting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=MAX_NOTE, examples=["Already credited last month"])


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/approvals", tags=["approvals"])

    @api.get(
        "",
        summary="Approvals, newest first; `?decidable=true`: those waiting for you to decide",
        dependencies=[require(APPROVAL_READ)],
    )
    def list_approvals(
        response: Response,
        uow: RequestWork,
        status: str | None = Query(None, description=" | ".join(APPROVAL_STATUSES)),
        requestId: str | None = Query(None, max_length=36),
        decidable: bool = Query(
            False,
            description="only pending approvals your limit covers and that you did not raise",
        ),
        offset: int = Query(0, ge=0, le=2**31 - 1),
        limit: int = Query(100, ge=1, le=1000),
    ):
        service = ApprovalService(uow)
        rows, total = service.list_approvals(offset, limit, status, requestId, decidable)
        response.headers["X-Total-Count"] = str(total)
        response.headers["X-Result-Count"] = str(len(rows))
        links = Links(uow.settings)
        return [links.served("Approval", service.present(row)) for row in rows]

    @api.get("/{approval_id}", summary="One approval", dependencies=[require(APPROVAL_READ)])
    def get_approval(approval_id: str, uow: RequestWork):
        service = ApprovalService(uow)
        return _one(service, service.get(approval_id))

    @api.post(
        "/{approval_id}/approve",
        summary="Approve: the adjustment goes to billing and the request closes completed",
        dependencies=[require(REQUEST_APPROVE)],
    )
    def approve(
        approval_id: str,
        decision: Approving,
        request: Request,
        uow: RequestWork,
    ):
        service = ApprovalService(uow)
        row = service.approve(approval_id, decision.note, expected_version(request))
        return _finish(service, row)

    @api.post(
        "/{approval_id}/reject",
        summary="Reject, with a note: the request closes unfulfilled",
        dependencies=[require(REQUEST_APPROVE)],
    )
    def reject(
        approval_id: str,
        decision: Rejecting,
        request: Request,
        uow: RequestWork,
    ):
        service = ApprovalService(uow)
        row = service.reject(approval_id, decision.note, expected_version(request))
        return _finish(service, row)

    return api


def _one(service: ApprovalService, row) -> JSONResponse:
    body = Links(service.settings).served("Approval", service.present(row))
    return JSONResponse(body, headers={"ETag": etag(row)})


def _finish(service: ApprovalService, row) -> JSONResponse:
    flush_or_412(service.uow.session, "request")
    answer = _one(service, row)
    commit_now(service.uow.session)
    return answer
