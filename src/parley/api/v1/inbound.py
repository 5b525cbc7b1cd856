"""Inbound messages (docs/mediation.md): a partner's message received raw
(``POST /partners/{partner}/messages``, integration clients: any content type, stored before
anything reads it, answered 202), and the store for administrators (list by state, source and
partner; one message with its raw content and history; replay of a rejected or dead one)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from parley.api.deps import RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import Caller, require
from parley.api.v1.kit import Page, budgeted, paging
from parley.auth.permissions import INBOUND_READ, INBOUND_RECEIVE, INBOUND_REPLAY
from parley.db.base import iso
from parley.db.repository import Page as ListPage
from parley.errors import InvalidInput
from parley.mediation import PARTNER, SOURCES, STATES, InboundService, InboundStore, message_view
from parley.mediation.store import checked_name

MAX_KEY = 128  # a partner's own idempotency key (stored after its name)
ACKNOWLEDGEMENT = "received: stored as it came; it will be applied shortly"
ANY_CONTENT = {
    "requestBody": {
        "required": True,
        "description": "The partner's message as it is: any content type (JSON, XML, CSV...)",
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "application/json": {"schema": {}},
            "text/csv": {"schema": {"type": "string"}},
            "*/*": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY},
            "description": "The partner's key of this message: a second delivery with the same "
            "key is the same message (without one, the content's SHA-256 is the key)",
        }
    ],
}


def intake_router(prefix: str) -> APIRouter:
    """The partners' intake: bodies taken as they come (no JSON checks: nothing is read)."""
    api = APIRouter(prefix=prefix, tags=["mediation"])

    @api.post(
        "/partners/{partner}/messages",
        status_code=202,
        summary="Send Parley a message: stored raw, answered 202, applied by the workers",
        dependencies=[require(INBOUND_RECEIVE)],
        openapi_extra=ANY_CONTENT,
    )
    async def receive_partner_message(
        partner: str,
        request: Request,
        caller: Caller,
        transaction_type: str | None = Query(
            None,
            alias="transactionType",
            max_length=64,
            description="What the message is, if the partner says (else its profiles tell)",
        ),
    ):
        name = checked_name(partner, "partner")
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key.strip()) <= MAX_KEY:
            raise InvalidInput(f"Idempotency-Key: 1 to {MAX_KEY} characters", "Idempotency-Key")
        body = await request.body()
        if not body:
            raise InvalidInput("the body: empty; send the message as the request body", "body")
        store = InboundStore(request.app.state.sessionmaker)
        arguments = dict(
            received_by=caller.client_id or caller.username,
            content_type=request.headers.get("content-type"),
            headers=dict(request.headers),
            partner=name,
            transaction_type=transaction_type,
            idempotency_key=f"{name}:{key.strip()}" if key is not None else None,
        )
        async with request.app.state.db_slots:  # a unit of work's share of the pool
            received = await run_in_threadpool(store.receive, PARTNER, body, **arguments)
        answer = {
            "id": received.id,
            "partner": name,
            "receivedAt": iso(received.received_at),
            "acknowledgement": ACKNOWLEDGEMENT,
        }
        return JSONResponse(answer, status_code=202)

    return api


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/inbound-messages", tags=["mediation"])

    @api.get(
        "",
        summary="Inbound messages, newest first (without their content)",
        dependencies=[require(INBOUND_READ)],
    )
    def list_messages(
        request: Request,
        uow: RequestWork,
        page: Annotated[Page, paging(50, 500)],
        state: str | None = Query(None, max_length=16, description=" | ".join(STATES)),
        source: str | None = Query(None, max_length=16, description=" | ".join(SOURCES)),
        partner: str | None = Query(None, max_length=64),
    ):
        listing = ListPage({}, page.offset, page.limit)
        found, total = InboundService(uow).find(listing, state, source, partner)
        return budgeted(request, (message_view(m) for m in found), total)

    @api.get(
        "/{message_id}",
        summary="One inbound message: its raw content, headers, commands, outcome and history",
        dependencies=[require(INBOUND_READ)],
    )
    def get_message(message_id: str, uow: RequestWork):
        return message_view(InboundService(uow).get(message_id), whole=True)

    @api.post(
        "/{message_id}/replay",
        summary="Put a rejected or dead message back to be applied (an applied one stays so)",
        dependencies=[require(INBOUND_REPLAY)],
    )
    def replay_message(message_id: str, uow: RequestWork):
        return message_view(InboundService(uow).replay(message_id), whole=True)

    return api
