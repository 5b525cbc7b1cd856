"""``POST /api/v1/calls``: the phone system reports a call (CTI), in Parley's JSON or in the
generic CTI push format PBX bridges speak (Zammad's: form fields or JSON, ``event``
newCall/answer/hangup, ``from``, ``to``, ``direction`` in/out, ``callId``, ``user[]``,
``answeringNumber``, ``cause``). The agents it rings for see it pop up on their console.
"""

import json
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request

from parley.api.deps import RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import require
from parley.api.v1.kit import paging
from parley.api.versioning import written
from parley.auth.permissions import CALL_READ, CALL_WRITE, REQUEST_WRITE
from parley.calls.service import CallEvent, CallService, call_view
from parley.db.repository import Page
from parley.errors import InvalidInput

MAX_BODY = 16 * 1024
DIRECTIONS = {"in": "inbound", "out": "outbound", "inbound": "inbound", "outbound": "outbound"}
FORM = "application/x-www-form-urlencoded"


async def call_event(request: Request) -> CallEvent:
    """The report, from a JSON object or a URL-encoded form (``user[]`` repeated)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidInput(f"the body: at most {MAX_BODY} bytes")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == FORM:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            raise InvalidInput("the body: not a URL-encoded form") from None
        fields: dict = {}
        for key, value in pairs:
            if key in ("user", "user[]"):
                fields.setdefault("user", []).append(value)
            else:
                fields.setdefault(key, value)
    else:
        try:
            fields = json.loads(body or b"{}")
        except ValueError:
            raise InvalidInput(
                "the body: not JSON (or a form: application/x-www-form-urlencoded)"
            ) from None
        if not isinstance(fields, dict):
            raise InvalidInput("the body: a JSON object")
    return _event_of(fields)


def _event_of(fields: dict) -> CallEvent:
    def text(name: str) -> str:
        value = fields.get(name)
        if value is None:
            return ""
        if not isinstance(value, str | int):
            raise InvalidInput(f"{name}: a string", name)
        return str(value).replace("\x00", "").strip()

    users = fields.get("user", fields.get("user[]", fields.get("agents", [])))
    if isinstance(users, str):
        users = [users]
    if not isinstance(users, list) or not all(isinstance(u, str | int) for u in users):
        raise InvalidInput("user: a list of usernames or extensions", "user")
    direction = text("direction") or "in"
    if direction not in DIRECTIONS:
        raise InvalidInput("direction: in or out (inbound, outbound)", "direction")
    for extra in ("extension",):  # Parley's JSON may name the agent's extension alone
        if text(extra):
            users = [*users, text(extra)]
    return CallEvent(
        event=text("event"),
        call_ref=text("callId"),
        caller=text("from"),
        callee=text("to"),
        direction=DIRECTIONS[direction],
        users=[str(u).strip()[:150] for u in users][:20],
        answering_number=text("answeringNumber")[:64] or None,
        cause=text("cause")[:64] or None,
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/calls", tags=["calls"])

    @api.post(
        "",
        summary="Report a call: newCall, answer or hangup (Parley's JSON or generic CTI)",
        dependencies=[require(CALL_WRITE)],
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "object"},
                        "example": {
                            "event": "newCall",
                            "callId": "4711-1",
                            "from": "+4915254418199",
                            "to": "101",
                            "direction": "in",
                            "user": ["agent"],
                        },
                    },
                    FORM: {"schema": {"type": "object"}},
                }
            }
        },
    )
    def report(uow: RequestWork, event: CallEvent = Depends(call_event)):
        service = CallService(uow)
        call = service.report(event)
        return written(uow.session, "call", lambda: JSONResponse(call_view(call)))

    @api.get("", summary="The call journal, newest first", dependencies=[require(CALL_READ)])
    def journal(uow: RequestWork, page: Annotated[Page, paging(50, 200)], callbacks: bool = False):
        calls = CallService(uow).journal(callbacks, page.offset, page.limit)
        return [call_view(call) for call in calls]

    @api.post(
        "/{call_id}/callbackTask",
        summary="Make a missed call's callback a task (a callback request, customer care)",
        dependencies=[require(CALL_READ), require(REQUEST_WRITE)],
    )
    def callback_task(call_id: str, uow: RequestWork):
        call = CallService(uow).callback_task(call_id)
        return written(uow.session, "call", lambda: JSONResponse(call_view(call)))

    return api
