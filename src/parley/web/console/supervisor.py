"""Supervisors' pages: the board of task queues (what waits, since when, SLA breaches and
risks), a queue's waiting tasks with assigning one to an agent (``TaskService.assign``, the
API's rules: an active staff member holding a role that works the queue), and the approval
inbox (``ApprovalService``: within the supervisor's limit, never their own adjustment).

Agents hold neither ``task:assign`` nor ``request:approve``: they do not see these pages in
the navigation and are refused them (403) if they ask anyway.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from parley.auth.permissions import REQUEST_APPROVE, TASK_ASSIGN
from parley.auth.users import UserService
from parley.db.base import utcnow
from parley.errors import Forbidden, NotFound
from parley.parties.service import PartyService
from parley.requests.adjustments import authority_of
from parley.requests.approvals.models import PENDING, Approval
from parley.requests.approvals.service import MAX_NOTE, ApprovalService
from parley.requests.board import QueueBoard
from parley.requests.tasks import TaskService, Worker
from parley.requests.workflow.models import TaskQueue
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable, too_long
from parley.web.console.customer_page import SlaView, sla_view
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.site import Site

INBOX_SIZE = 200
ASSIGNED = N_("Assigned to %(name)s.")
DECIDED = {"approve": N_("Approved: the adjustment goes to billing."), "reject": N_("Rejected.")}
NO_VERSION = N_(
    "This form does not say which version it was made from: reload the page and try again."
)
ASSIGN_WORDING = Wording(fields={"assignee": "assignee"})
DECIDE_WORDING = Wording(fields={"note": "note"})


@dataclass(frozen=True)
class WaitingTask:
    id: str
    version: int
    name: str
    status: str
    assignee: str | None
    created_at: datetime
    request_id: str
    customer: str
    sla: SlaView | None


@dataclass(frozen=True)
class PendingApproval:
    row: Approval
    mine: bool  # raised by the supervisor: another must decide it (four eyes)
    covered: bool  # within the supervisor's limit, in its currency

    @property
    def decidable(self) -> bool:
        return self.covered and not self.mine


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


FormFields = Annotated[dict[str, str], Depends(_form)]


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/supervisor")
    def board(request: Request, visitor: Annotated[Visitor, site.page(TASK_ASSIGN)]):
        code = request.query_params.get("queue", "")
        notice = _assigned_notice(visitor, request.query_params.get("assigned", ""))
        return _board(site, visitor, code, notice=notice)

    @pages.post("/supervisor/tasks/{task_id}/assign")
    def assign(task_id: str, visitor: Annotated[Visitor, site.page(TASK_ASSIGN)], form: FormFields):
        tasks = TaskService(visitor.uow, Worker(visitor.principal.roles, True))
        task = tasks.get(task_id)
        queue = QueueBoard(visitor.uow).queue_of(task)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            assignee = printable(given.value("assignee"))
            version = _version(given.value("version"))
            if not assignee:
                raise Refused({"assignee": visitor.locale.gettext("Choose whom to give it to.")})
            if version is None:
                raise Refused({"": visitor.locale.gettext(NO_VERSION)})
            attempt(visitor, lambda: tasks.assign(task.id, assignee, version), ASSIGN_WORDING)
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            return _board(site, visitor, queue.code, failed=(task.id, given), status=422)
        return site.redirect(visitor, f"/supervisor?queue={queue.code}&assigned={task.id}")

    @pages.get("/supervisor/approvals")
    def approvals(request: Request, visitor: Annotated[Visitor, site.page(REQUEST_APPROVE)]):
        done = DECIDED.get(request.query_params.get("decided", ""))
        notice = visitor.locale.gettext(done) if done else None
        return _inbox(site, visitor, notice=notice)

    @pages.post("/supervisor/approvals/{approval_id}/{decision}")
    def decide(
        approval_id: str,
        decision: str,
        visitor: Annotated[Visitor, site.page(REQUEST_APPROVE)],
        form: FormFields,
    ):
        service = ApprovalService(visitor.uow)
        approval = service.get(approval_id)
        if decision not in DECIDED:
            return site.redirect(visitor, "/supervisor/approvals")
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            _decide(visitor, service, approval.id, decision, given)
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            return _inbox(site, visitor, failed=(approval.id, decision, given), status=422)
        return site.redirect(visitor, f"/supervisor/approvals?decided={decision}")

    return pages


def _decide(visitor: Visitor, service: ApprovalService, approval_id, decision, form: Form):
    gettext = visitor.locale.gettext
    note = printable(form.value("note"))
    version = _version(form.value("version"))
    if version is None:
        raise Refused({"": gettext(NO_VERSION)})
    if decision == "reject" and not note:
        raise Refused({"note": gettext("Say why it is rejected: the request keeps it.")})
    if message := too_long(visitor, note, MAX_NOTE):
        raise Refused({"note": message})
    change = (
        (lambda: service.approve(approval_id, note or None, version))
        if decision == "approve"
        else (lambda: service.reject(approval_id, note, version))
    )
    try:
        attempt(visitor, change, DECIDE_WORDING)
    except Forbidden as refused:  # four eyes, or above the limit: said, not a 403 page
        raise Refused(
            {"": gettext("You may not decide this one: %(detail)s") % {"detail": refused.message}}
        ) from None


def _board(
    site: Site,
    visitor: Visitor,
    code: str,
    *,
    failed: tuple[str, Form] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    board = QueueBoard(visitor.uow)
    now = utcnow()
    chosen: TaskQueue | None = None
    if code:
        try:
            chosen = board.queue(code)
        except NotFound:
            chosen = None
    waiting = []
    if chosen is not None:
        waiting = [
            WaitingTask(
                t.id,
                t.version,
                t.name,
                t.status,
                t.assignee,
                t.created_at,
                t.request_id,
                customer,
                sla_view(clock, now),
            )
            for t, clock, customer in board.waiting(chosen)
        ]
    context = {
        "loads": board.loads(now),
        "chosen": chosen,
        "unknown_queue": bool(code) and chosen is None,
        "waiting": waiting,
        "assignee_options": [
            (a.username, f"{a.name} ({a.username})")
            for a in (board.assignees(chosen) if chosen is not None else [])
        ],
        "failed_task": failed[0] if failed else None,
        "failed_form": failed[1] if failed else Form(),
        "empty_form": Form(),
        "notice": notice,
        "now": now,
        "current": "supervisor",
    }
    return site.render(visitor, "console/supervisor.html", context, status=status)


def _inbox(
    site: Site,
    visitor: Visitor,
    *,
    failed: tuple[str, str, Form] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    service = ApprovalService(visitor.uow)
    me = authority_of(visitor.uow, visitor.uow.writer())
    rows, total = service.list_approvals(0, INBOX_SIZE, PENDING)
    pending = [
        PendingApproval(
            r,
            mine=me.user_id is not None and r.requested_by_id == me.user_id,
            covered=me.covers(Decimal(r.amount), r.currency),
        )
        for r in rows
    ]
    pending.sort(key=lambda p: (not p.decidable, p.row.created_at))
    recent, _ = service.list_approvals(0, 10, None)
    names = _display_names(
        visitor, {r.requested_by_id for r in rows} | {r.decided_by_id for r in recent}
    )
    context = {
        "pending": pending,
        "total": total,
        "decided": [r for r in recent if r.status != PENDING],
        "limit": me.limit if me.currency else None,
        "currency": me.currency,
        "names": names,
        "customers": _customer_names(visitor, {r.customer_id for r in rows}),
        "failed_id": failed[0] if failed else None,
        "failed_decision": failed[1] if failed else None,
        "failed_form": failed[2] if failed else Form(),
        "empty_form": Form(),
        "notice": notice,
        "current": "approvals",
    }
    return site.render(visitor, "console/approvals.html", context, status=status)


def _display_names(visitor: Visitor, user_ids: set[str | None]) -> dict[str, str]:
    """Who raised and decided, as people know them (the approvals keep the username)."""
    users, names = UserService(visitor.uow), {}
    for user_id in filter(None, user_ids):
        try:
            user = users.get_user(user_id)
        except NotFound:  # deleted since: the kept username stands
            continue
        names[user_id] = f"{user.display_name} ({user.username})"
    return names


def _customer_names(visitor: Visitor, customer_ids: set[str]) -> dict[str, tuple[str, str]]:
    parties, found = PartyService(visitor.uow), {}
    for customer_id in customer_ids:
        customer = parties.get_customer(customer_id)
        found[customer_id] = (customer.name, customer.customer_number)
    return found


def _assigned_notice(visitor: Visitor, task_id: str) -> str | None:
    if not task_id:
        return None
    try:
        task = TaskService(visitor.uow).get(task_id)
    except NotFound:
        return None
    return visitor.locale.gettext(ASSIGNED) % {"name": task.assignee or "–"}


def _version(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None
