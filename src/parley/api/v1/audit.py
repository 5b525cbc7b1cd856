"""The audit trail for administrators: who did what, when, through which channel."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from parley.api.deps import RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, budgeted, paging
from parley.auth.audit import AuditFilter, AuditTrail
from parley.auth.permissions import AUDIT_READ


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["audit"])

    @api.get(
        "/audit",
        summary="Audit entries, newest first, filtered by actor, action, resource and time",
        dependencies=[require(AUDIT_READ)],
    )
    def list_audit(
        request: Request,
        uow: RequestWork,
        page: Annotated[Page, paging(100, 1000)],
        actor_id: str | None = Query(None, alias="actorId"),
        actor_name: str | None = Query(None, alias="actorName"),
        action: str | None = Query(None),
        resource_type: str | None = Query(None, alias="resourceType"),
        resource_id: str | None = Query(None, alias="resourceId"),
        since: datetime | None = Query(None, description="inclusive, with a time zone"),
        until: datetime | None = Query(None, description="exclusive, with a time zone"),
    ):
        filters = AuditFilter(
            actor_id, actor_name, action, resource_type, resource_id, since, until
        )
        entries, total = AuditTrail(uow.session).query(filters, page.offset, page.limit)
        # Entries carry whole documents: the page stops at the byte budget too.
        return budgeted(request, (_entry(e) for e in entries), total)

    return api


def _entry(entry) -> dict:
    return {
        "id": entry.id,
        "at": entry.at,
        "actorId": entry.actor_id,
        "actorName": entry.actor_name,
        "channel": entry.channel,
        "clientId": entry.client_id,
        "action": entry.action,
        "resourceType": entry.resource_type,
        "resourceId": entry.resource_id,
        "before": entry.before,
        "after": entry.after,
    }
