"""The outbox for administrators: outgoing messages, dead letters among them, and sending a
dead letter again."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from parley.api.deps import RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, budgeted, paging
from parley.auth.permissions import OUTBOX_READ, OUTBOX_RETRY
from parley.outbox.models import STATUSES
from parley.outbox.schemas import message_view
from parley.outbox.service import MAX_PAGE, OutboxService


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/outbox", tags=["outbox"])

    @api.get(
        "",
        summary="Outgoing messages, newest first; `?status=dead` for the dead letters",
        dependencies=[require(OUTBOX_READ)],
    )
    def list_messages(
        request: Request,
        uow: RequestWork,
        page: Annotated[Page, paging(100, MAX_PAGE)],
        status: str | None = Query(None, description=" | ".join(STATUSES)),
        kind: str | None = Query(None, max_length=32, examples=["webhook"]),
    ):
        outbox = OutboxService(uow)
        messages, total = outbox.list_messages(status, kind, page.offset, page.limit)
        return budgeted(request, (message_view(m, with_payload=False) for m in messages), total)

    @api.get(
        "/{message_id}",
        summary="One outgoing message with its payload, attempts and last error",
        dependencies=[require(OUTBOX_READ)],
    )
    def get_message(message_id: str, uow: RequestWork):
        return message_view(OutboxService(uow).get(message_id))

    @api.post(
        "/{message_id}/retry",
        summary="Send a dead letter again (same idempotency key, attempts counted afresh)",
        dependencies=[require(OUTBOX_RETRY)],
    )
    def retry_message(message_id: str, uow: RequestWork):
        return message_view(OutboxService(uow).retry(message_id))

    return api
