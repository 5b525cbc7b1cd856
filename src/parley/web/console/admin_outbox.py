"""The outbox's dead letters (administrators): messages Parley gave up sending after its
retries (an email server refusing, a webhook answering 500, no ordering system set), with
why; and sending one again (``OutboxService.retry``: pending now, a fresh count of attempts,
the same idempotency key; audited)."""

from typing import Annotated

from fastapi import APIRouter, Request

from parley.auth.permissions import OUTBOX_READ, OUTBOX_RETRY
from parley.outbox.models import DEAD
from parley.outbox.service import OutboxService
from parley.web.access import PageForbidden, Visitor
from parley.web.actions import Refused, attempt
from parley.web.i18n import N_
from parley.web.site import Site

PAGE_SIZE = 100
RETRIED = N_("It is queued again: the worker sends it within a minute.")
GONE = N_("This message is no longer a dead letter (sent again by someone else?): nothing done.")


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/admin/dead-letters")
    def dead_letters(request: Request, visitor: Annotated[Visitor, site.page(OUTBOX_READ)]):
        notice = RETRIED if request.query_params.get("done") == "retried" else None
        return _page(site, visitor, notice=notice)

    @pages.post("/admin/dead-letters/{message_id}/retry")
    def retry(message_id: str, visitor: Annotated[Visitor, site.page(OUTBOX_READ)]):
        if not visitor.may(OUTBOX_RETRY):
            raise PageForbidden(OUTBOX_RETRY)
        outbox = OutboxService(visitor.uow)
        row = outbox.get(message_id)
        try:
            attempt(visitor, lambda: outbox.retry(row.id))
        except Refused:  # not dead (any more): sent again meanwhile, or delivered
            return _page(site, visitor, problem=GONE, status=409)
        return site.redirect(visitor, "/admin/dead-letters?done=retried")

    return pages


def _page(site: Site, visitor: Visitor, *, notice=None, problem=None, status=200):
    found, total = OutboxService(visitor.uow).list_messages(DEAD, None, 0, PAGE_SIZE)
    gettext = visitor.locale.gettext
    context = {
        "letters": found,
        "total": total,
        "may_retry": visitor.may(OUTBOX_RETRY),
        "notice": gettext(notice) if notice else None,
        "problem": gettext(problem) if problem else None,
        "current": "dead-letters",
    }
    return site.render(visitor, "console/dead_letters.html", context, status=status)
