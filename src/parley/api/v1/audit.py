"""The audit trail for administrators: who did what, when, through which channel."""

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder

from parley.api.deps import RequestWork
from parley.api.security import require
from parley.api.tmf.kit.responses import list_response
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
        actor_id: str | None = Query(None, alias="actorId"),
        actor_name: str | None = Query(None, alias="actorName"),
        action: str | None = Query(None),
        resource_type: str | None = Query(None, alias="resourceType"),
        resource_id: str | None = Query(None, alias="resourceId"),
        since: datetime | None = Query(None, description="inclusive, with a time zone"),
        until: datetime | None = Query(None, description="exclusive, with a time zone"),
        offset: int = Query(0, ge=0, le=2**31 - 1),
        limit: int = Query(100, ge=1, le=1000),
    ):
        filters = AuditFilter(
            actor_id, actor_name, action, resource_type, resource_id, since, until
        )
        entries, total = AuditTrail(uow.session).query(filters, offset, limit)
        shown = (
            jsonable_encoder(
                {
                    "id": e.id,
                    "at": e.at,
                    "actorId": e.actor_id,
                    "actorName": e.actor_name,
                    "channel": e.channel,
                    "clientId": e.client_id,
                    "action": e.action,
                    "resourceType": e.resource_type,
                    "resourceId": e.resource_id,
                    "before": e.before,
                    "after": e.after,
                }
            )
            for e in entries
        )
        # Entries carry whole documents: the page stops at the byte budget too.
        return list_response(shown, total, request.app.state.settings.max_page_bytes)

    return api
