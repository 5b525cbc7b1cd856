"""Inbound messages (administrators, docs/mediation.md): everything received from outside, by
state (rejected and dead ones first to look at), one message with its raw content, what it
became, why it was rejected and its history; and replaying a rejected or dead one
(``InboundService.replay``: back to received, audited)."""

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import INBOUND_READ, INBOUND_REPLAY
from parley.db.repository import Page
from parley.mediation import DEAD, REJECTED, STATES, InboundService
from parley.mediation.models import PENDING_STATES, REPLAYABLE
from parley.mediation.service import content_view
from parley.web.access import PageForbidden, Visitor
from parley.web.actions import attempt
from parley.web.i18n import N_
from parley.web.site import Site

PAGE_SIZE = 50
SHOWN_BYTES = 64 * 1024  # of a message's content on its page
REPLAYED = N_("It is back to be applied: a worker takes it within a few seconds.")
STAYS = N_("It is not rejected or dead (any more): nothing done.")


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/admin/inbound-messages")
    def inbound_messages(request: Request, visitor: Annotated[Visitor, site.page(INBOUND_READ)]):
        state = request.query_params.get("state") or REJECTED
        state = state if state in STATES else REJECTED
        found, total = InboundService(visitor.uow).find(Page({}, 0, PAGE_SIZE), state=state)
        context = {
            "current": "inbound-messages",
            "messages": found,
            "total": total,
            "state": state,
            "states": STATES,
        }
        return site.render(visitor, "console/inbound_messages.html", context)

    @pages.get("/admin/inbound-messages/{message_id}")
    def inbound_message(
        message_id: str, request: Request, visitor: Annotated[Visitor, site.page(INBOUND_READ)]
    ):
        done = request.query_params.get("done") or ""
        return _message_page(site, visitor, message_id, done)

    @pages.post("/admin/inbound-messages/{message_id}/replay")
    def replay(message_id: str, visitor: Annotated[Visitor, site.page(INBOUND_READ)]):
        if not visitor.may(INBOUND_REPLAY):
            raise PageForbidden(INBOUND_REPLAY)
        service = InboundService(visitor.uow)
        message = service.get(message_id)
        replayable = message.state in REPLAYABLE
        attempt(visitor, lambda: service.replay(message.id))
        done = "replayed" if replayable else "stays"
        return site.redirect(visitor, f"/admin/inbound-messages/{message.id}?done={done}")

    return pages


def _message_page(site: Site, visitor: Visitor, message_id: str, done: str):
    message = InboundService(visitor.uow).get(message_id)
    # Said once it is back on its way; not any more when a reload shows it applied.
    notice = {"replayed": REPLAYED, "stays": STAYS}.get(done)
    if done == "replayed" and message.state not in PENDING_STATES:
        notice = None
    content = content_view(message.content[:SHOWN_BYTES])
    context = {
        "current": "inbound-messages",
        "message": message,
        "content": content,
        "cut": message.size > SHOWN_BYTES,
        "headers": sorted((message.headers or {}).items()),
        "command": _pretty(message.command),
        "outcome": _pretty(message.outcome),
        "history": [_entry(entry) for entry in reversed(message.history or [])],
        "may_replay": visitor.may(INBOUND_REPLAY) and message.state in (REJECTED, DEAD),
        "notice": visitor.locale.gettext(notice) if notice else None,
    }
    return site.render(visitor, "console/inbound_message.html", context)


def _entry(entry: dict) -> dict:
    """A history line, its time as a moment (shown in the visitor's zone)."""
    try:
        at = datetime.fromisoformat(str(entry.get("at", "")).replace("Z", "+00:00"))
    except ValueError:
        at = None
    return {**entry, "at": at}


def _pretty(value) -> str | None:
    return json.dumps(value, indent=2, ensure_ascii=False) if value is not None else None
