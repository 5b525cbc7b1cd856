"""Internal approvals: adjustments above their requester's limit, listed for the staff and
decided by a supervisor whose limit covers them. Each answer about one approval carries its
ETag; approve and reject honour If-Match (412 when stale)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import AppLinks, RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import require
from parley.api.v1.kit import Page, listed, paging
from parley.api.versioning import IfMatch, with_etag, written
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
        links: AppLinks,
        page: Annotated[Page, paging(100, 1000)],
        status: str | None = Query(None, description=" | ".join(APPROVAL_STATUSES)),
        requestId: str | None = Query(None, max_length=36),
        decidable: bool = Query(
            False,
            description="only pending approvals your limit covers and that you did not raise",
        ),
    ):
        service = ApprovalService(uow)
        rows, total = service.list_approvals(page.offset, page.limit, status, requestId, decidable)
        return listed(response, [links.served("Approval", service.present(r)) for r in rows], total)

    @api.get("/{approval_id}", summary="One approval", dependencies=[require(APPROVAL_READ)])
    def get_approval(approval_id: str, uow: RequestWork, links: AppLinks):
        service = ApprovalService(uow)
        return _one(service, links, service.get(approval_id))

    @api.post(
        "/{approval_id}/approve",
        summary="Approve: the adjustment goes to billing and the request closes completed",
        dependencies=[require(REQUEST_APPROVE)],
    )
    def approve(
        approval_id: str, decision: Approving, uow: RequestWork, version: IfMatch, links: AppLinks
    ):
        service = ApprovalService(uow)
        return _finish(service, links, service.approve(approval_id, decision.note, version))

    @api.post(
        "/{approval_id}/reject",
        summary="Reject, with a note: the request closes unfulfilled",
        dependencies=[require(REQUEST_APPROVE)],
    )
    def reject(
        approval_id: str, decision: Rejecting, uow: RequestWork, version: IfMatch, links: AppLinks
    ):
        service = ApprovalService(uow)
        return _finish(service, links, service.reject(approval_id, decision.note, version))

    return api


def _one(service: ApprovalService, links: Links, row) -> JSONResponse:
    return with_etag(links.served("Approval", service.present(row)), row)


def _finish(service: ApprovalService, links: Links, row) -> JSONResponse:
    return written(service.uow.session, "request", lambda: _one(service, links, row))
