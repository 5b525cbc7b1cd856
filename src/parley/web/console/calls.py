"""Calls on the console: the screen pop (``/console/calls/{id}/pop``, fetched by the live
stream's ``call`` event: who is calling, the customer or the candidates, a link to the 360 with
the call's interaction to wrap up) and the call journal (``/console/calls``): every call,
missed ones that need a callback flagged, and marking a callback made."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import CALL_READ, INTERACTION_WRITE, REQUEST_WRITE
from parley.calls.models import CALLBACK_NEEDED, CALLBACK_TASK, PhoneCall
from parley.calls.service import CallService
from parley.errors import NotFound
from parley.web.access import PageForbidden, Visitor
from parley.web.actions import Refused, attempt
from parley.web.i18n import N_
from parley.web.labels import readable_phone
from parley.web.site import Site

PAGE = 50
DONE = {
    "callback": N_("Marked as called back."),
    "task": N_("The callback is a task in the customer-care queue."),
}


@dataclass(frozen=True)
class CallLine:
    id: str
    direction: str
    number: str  # the other end, readable
    state: str
    started_at: datetime
    duration: int | None
    answered_by: str | None
    customer_id: str | None
    interaction_id: str | None
    candidates: list[dict]
    needs_callback: bool
    callback_request_id: str | None
    version: int


def line(call: PhoneCall) -> CallLine:
    other = call.caller if call.direction == "inbound" else call.callee
    return CallLine(
        id=call.id,
        direction=call.direction,
        number=readable_phone(other) if other.startswith("+") else other,
        state=call.state,
        started_at=call.started_at,
        duration=call.duration_seconds,
        answered_by=call.answered_by,
        customer_id=call.customer_id,
        interaction_id=call.interaction_id,
        candidates=list(call.candidates),
        needs_callback=call.callback in (CALLBACK_NEEDED, CALLBACK_TASK),
        callback_request_id=call.callback_request_id,
        version=call.version,
    )


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    def journal(visitor: Visitor, request: Request, *, notice=None, failed=None, status=200):
        only = request.query_params.get("callbacks") == "1"
        calls = CallService(visitor.uow).journal(callbacks_only=only, limit=PAGE)
        context = {
            "current": "calls",
            "may_make_tasks": visitor.may(REQUEST_WRITE),
            "calls": [line(call) for call in calls],
            "callbacks_only": only,
            "notice": notice,
            "failed": failed or {},
        }
        return site.render(visitor, "console/calls.html", context, status=status)

    @pages.get("/calls")
    def calls(request: Request, visitor: Annotated[Visitor, site.page(CALL_READ)]):
        done = DONE.get(request.query_params.get("done", ""))
        notice = visitor.locale.gettext(done) if done else None
        return journal(visitor, request, notice=notice)

    @pages.get("/calls/{call_id}/pop")
    def pop(call_id: str, visitor: Annotated[Visitor, site.page(CALL_READ)]):
        call = CallService(visitor.uow).get(call_id[:64])
        user_id = visitor.principal.user_id
        if user_id not in call.ring_to and call.answered_by_id != user_id:
            raise NotFound("the call rings for others")  # its caller is none of their business
        context = {"call": line(call), "may_log": visitor.may(INTERACTION_WRITE)}
        return site.render(visitor, "console/call_pop.html", context)

    @pages.post("/calls/{call_id}/callback-task")
    def callback_task(
        call_id: str, request: Request, visitor: Annotated[Visitor, site.page(REQUEST_WRITE)]
    ):
        if not visitor.may(CALL_READ):
            raise PageForbidden(CALL_READ)
        service = CallService(visitor.uow)
        try:
            attempt(visitor, lambda: service.callback_task(call_id[:64]))
        except Refused as refused:
            return journal(visitor, request, failed={call_id: refused.errors}, status=422)
        return site.redirect(visitor, "/calls?callbacks=1&done=task")

    @pages.post("/calls/{call_id}/called-back")
    def called_back(
        call_id: str, request: Request, visitor: Annotated[Visitor, site.page(CALL_READ)]
    ):
        service = CallService(visitor.uow)
        try:
            attempt(visitor, lambda: service.mark_called_back(call_id[:64]))
        except Refused as refused:
            return journal(visitor, request, failed={call_id: refused.errors}, status=422)
        return site.redirect(visitor, "/calls?callbacks=1&done=callback")

    return pages
