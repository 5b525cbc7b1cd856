"""``/console/work``: my tasks and the queues my roles work, the soonest due first, coloured
by SLA state; claim, complete with a note, hand back with a reason. Each action goes through
``TaskService`` as the API's task routes do, with the version the page was read at (the
task's ETag): a task someone else changed meanwhile is refused beside it, nothing changed.
The lists follow changes made elsewhere: a task event on the live stream re-reads them
(``?part=lists``, an htmx partial)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from parley.auth.permissions import TASK_ASSIGN, TASK_READ, TASK_WORK
from parley.requests.tasks import TaskService, Worker
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable, text_block, too_long
from parley.web.console.customer_page import SlaView, sla_view
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.site import Site, is_htmx

TEMPLATE = "console/work.html"
ACTIONS = ("claim", "complete", "handBack")
MAX_NOTE, MAX_REASON = 2000, 400
DONE = {
    "claim": N_("The task is yours."),
    "complete": N_("The task is done."),
    "handBack": N_("The task is back in its queue."),
}
WORDING = Wording(fields={"task": "", "reason": "reason", "note": "note"})


@dataclass(frozen=True)
class WorkLine:
    id: str
    version: int
    name: str
    status: str
    queue: str
    assignee: str | None
    request_id: str
    reference: str
    type_name: str
    priority: str
    created_at: datetime
    sla: SlaView | None


def _lines(rows) -> list[WorkLine]:
    return [
        WorkLine(
            id=task.id,
            version=task.version,
            name=task.name,
            status=task.status,
            queue=queue.name,
            assignee=task.assignee,
            request_id=task.request_id,
            reference=reference,
            type_name=type_name,
            priority=priority,
            created_at=task.created_at,
            sla=sla_view(clock),
        )
        for task, queue, reference, priority, _customer, type_name, clock in rows
    ]


def _tasks(visitor: Visitor) -> TaskService:
    principal = visitor.principal
    return TaskService(visitor.uow, Worker(principal.roles, principal.has(TASK_ASSIGN)))


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    def page(visitor: Visitor, *, notice=None, failed=None, status=200, part=False):
        mine, queued = _tasks(visitor).work_list(visitor.principal.user_id, visitor.principal.roles)
        context = {
            "current": "work",
            "mine": _lines(mine),
            "queued": _lines(queued),
            "notice": notice,
            "failed": failed or {},  # task id -> its form, with what to say beside it
            "empty_form": Form(),
            "may_work": visitor.may(TASK_WORK),
        }
        block = "lists" if part else None
        return site.render(visitor, TEMPLATE, context, block=block, status=status)

    @pages.get("/work")
    def work(request: Request, visitor: Annotated[Visitor, site.page(TASK_READ)]):
        done = DONE.get(request.query_params.get("done", ""))
        notice = visitor.locale.gettext(done) if done else None
        part = request.query_params.get("part") == "lists" and is_htmx(request)
        return page(visitor, notice=notice, part=part)

    @pages.post("/work/tasks/{task_id}/{action}")
    def act(
        task_id: str,
        action: str,
        visitor: Annotated[Visitor, site.page(TASK_WORK)],
        form: Annotated[dict[str, str], Depends(_form)],
    ):
        if action not in ACTIONS:
            return site.redirect(visitor, "/work")
        try:
            _act(visitor, task_id[:64], action, form)
        except Refused as refused:
            given = Form({k: v for k, v in form.items() if k != "csrf_token"}, refused.errors)
            given.values["action"] = action
            return page(visitor, failed={task_id: given}, status=422)
        return site.redirect(visitor, f"/work?done={action}")

    return pages


def _act(visitor: Visitor, task_id: str, action: str, form: dict[str, str]) -> None:
    gettext = visitor.locale.gettext
    version_text = form.get("version", "")
    version = int(version_text) if version_text.isdigit() else None
    if version is None:
        raise Refused({"": gettext("The form is incomplete: reload the page and try again.")})
    service = _tasks(visitor)
    if action == "claim":
        attempt(visitor, lambda: service.claim(task_id, version), WORDING)
    elif action == "complete":
        note = text_block(form.get("note", ""))
        problem = too_long(visitor, note, MAX_NOTE)
        if problem:
            raise Refused({"note": problem})
        attempt(visitor, lambda: service.complete(task_id, note or None, version), WORDING)
    else:
        reason = printable(form.get("reason", ""))
        if not reason:
            raise Refused({"reason": gettext("Say why you hand it back.")})
        problem = too_long(visitor, reason, MAX_REASON)
        if problem:
            raise Refused({"reason": problem})
        attempt(visitor, lambda: service.hand_back(task_id, reason, version), WORDING)
