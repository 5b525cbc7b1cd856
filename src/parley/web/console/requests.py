"""A request's page: where it stands (status, priority, the SLA clock, the next expected step,
its workflow stage), how it got there (status history), its tasks, notes and the interactions
around it, its files and the customer's satisfaction survey; and what an agent may do with
it: cancel, close, reopen, put on hold and resume, add a note or a file
(``web/attachments.py``). Each goes through ``RequestService`` with the checks the API
makes, including the version the page was read at (the API's ETag): a form from a page
someone else has changed since is refused, says so, and changes nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.auth.permissions import REQUEST_CANCEL, REQUEST_READ, REQUEST_WRITE
from parley.interactions.service import InteractionService
from parley.parties.service import PartyService, engaged_party_id
from parley.requests import lifecycle as lc
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.models import CustomerRequest
from parley.requests.service import OUTCOME, RESOLUTION_CODE, RequestService
from parley.requests.sla.clocks import SlaClocks
from parley.requests.surveys import SurveyService
from parley.web.access import PageForbidden, Visitor
from parley.web.actions import Refused, Wording, attempt, printable, text_block, too_long
from parley.web.attachments import FIELD, attach, attachments_of, download, upload_rules
from parley.web.console.customer_page import SlaView, SurveyLine, sla_view, survey_line
from parley.web.console.handoffs import WAITING_STEPS, HandoffLine, handoffs_of
from parley.web.forms import Form, FormFields, FormFiles
from parley.web.i18n import N_
from parley.web.labels import label
from parley.web.site import Site

TEMPLATE = "console/request.html"
ACTIONS = ("start", "cancel", "close", "reopen", "hold", "resume", "note")
PERMISSION = {"cancel": REQUEST_CANCEL}  # every other action: REQUEST_WRITE
MAX_REASON, MAX_NOTE = 400, 4000
DONE = {
    "start": N_("The request is in progress."),
    "cancel": N_("The request is cancelled."),
    "close": N_("The request is closed."),
    "reopen": N_("The request is reopened."),
    "hold": N_("The request is on hold."),
    "resume": N_("The request is back in progress."),
    "note": N_("Note added."),
    "attachment": N_("File added."),
}
# The customer's view of what comes next (requests/lifecycle.py NEXT_STEP), as the console
# words it for the agent.
NEXT_STEPS = {
    lc.ACKNOWLEDGED: N_("Received: an agent or the workflow starts working on it."),
    lc.IN_PROGRESS: N_("Being worked on."),
    lc.PENDING: N_("Waiting for information or an action from the customer or a third party."),
    lc.HELD: N_("On hold: resume it as soon as it can go on."),
    lc.RESOLVED: N_("Resolved: it will be closed unless the customer says otherwise."),
    lc.CLOSED: N_("Nothing: the request is closed. It can be reopened for a while."),
    lc.CANCELLED: N_("Nothing: the request was cancelled."),
    lc.REJECTED: N_("Nothing: the request was rejected."),
}
ACTION_TITLES = {
    "start": N_("Start work"),
    "cancel": N_("Cancel the request"),
    "close": N_("Close the request"),
    "reopen": N_("Reopen the request"),
    "hold": N_("Put on hold"),
    "resume": N_("Resume work"),
}
ACTION_BUTTONS = {
    "start": N_("Start it"),
    "cancel": N_("Cancel it"),
    "close": N_("Close it"),
    "reopen": N_("Reopen it"),
    "hold": N_("Put it on hold"),
    "resume": N_("Resume it"),
}
WORDING = Wording(
    fields={"reason": "reason", "statusChangeReason": "reason", "outcome": "outcome"},
    messages={"reason": N_("Say why.")},
)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    status: str
    by: str
    reason: str | None


@dataclass(frozen=True)
class TaskLine:
    name: str
    status: str
    queue: str
    assignee: str | None
    created_at: datetime | None
    completed_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class NoteLine:
    author: str | None
    at: datetime | None
    text: str


@dataclass(frozen=True)
class InteractionLine:
    id: str
    started_at: datetime
    channel: str | None
    direction: str
    reason: str | None
    description: str | None
    status: str


@dataclass
class RequestView:
    id: str
    version: int
    type_name: str
    type_code: str
    status: str
    priority: str
    description: str | None
    characteristics: list[tuple[str, str]]
    created_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    resolution_code: str | None
    # None for a ticket for no customer of Parley's; ``external_customer`` then names another
    # system's customer it is for, as that system sent it (None: an internal ticket).
    customer_id: str | None
    customer_name: str | None
    customer_number: str | None
    external_customer: str | None
    next_step: str
    next_step_is_code: bool  # a msgid of the console (else the workflow's own words)
    stage: str | None
    sla: SlaView | None
    sla_hours: float | None
    history: list[HistoryLine]
    tasks: list[TaskLine]
    notes: list[NoteLine]
    interactions: list[InteractionLine]
    survey: SurveyLine | None  # the customer's satisfaction, once asked
    handoffs: list[HandoffLine] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/requests/{request_id}")
    def request_page(
        request: Request, request_id: str, visitor: Annotated[Visitor, site.page(REQUEST_READ)]
    ):
        row = RequestService(visitor.uow).get_readable(request_id, visitor.principal)
        done = DONE.get(request.query_params.get("done", ""))
        notice = visitor.locale.gettext(done) if done else None
        return _page(site, visitor, row, notice=notice)

    # Before the actions' route, which would take "attachment" for an action.
    @pages.post("/requests/{request_id}/attachment")
    def attach_file(
        request_id: str,
        visitor: Annotated[Visitor, site.page(REQUEST_WRITE, uploads=True)],
        files: FormFiles,
    ):
        requests = RequestService(visitor.uow)
        row = requests.get_readable(request_id, visitor.principal)
        error = attach(visitor, row.id, files.get(FIELD))
        if error is not None:
            current = requests.get(row.id)
            visitor.uow.session.refresh(current)
            refused = Form({}, {FIELD: error})
            return _page(site, visitor, current, action="attachment", form=refused, status=422)
        return site.redirect(visitor, f"/requests/{row.id}?done=attachment")

    @pages.get("/requests/{request_id}/attachments/{attachment_id}")
    def attachment(
        request_id: str,
        attachment_id: str,
        visitor: Annotated[Visitor, site.page(REQUEST_READ)],
    ):
        row = RequestService(visitor.uow).get_readable(request_id, visitor.principal)
        return download(visitor, row, attachment_id)

    @pages.post("/requests/{request_id}/{action}")
    def act(
        request_id: str,
        action: str,
        visitor: Annotated[Visitor, site.page(REQUEST_READ)],
        form: FormFields,
    ):
        requests = RequestService(visitor.uow)
        row = requests.get_readable(request_id, visitor.principal)
        if action not in ACTIONS:
            return site.redirect(visitor, f"/requests/{row.id}")
        needed = PERMISSION.get(action, REQUEST_WRITE)
        if not visitor.may(needed):
            raise PageForbidden(needed)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            _act(visitor, requests, row.id, action, given)
        except Refused as refused:
            given.errors = refused.errors
            # The page as it is now (another agent's change included), the form kept.
            current = requests.get(row.id)
            visitor.uow.session.refresh(current)
            return _page(site, visitor, current, action=action, form=given, status=422)
        return site.redirect(visitor, f"/requests/{row.id}?done={action}")

    return pages


def _act(visitor: Visitor, requests: RequestService, request_id: str, action: str, form: Form):
    gettext = visitor.locale.gettext
    version = _version(form.value("version"))
    reason = printable(form.value("reason"))
    errors: dict[str, str] = {}
    if version is None:
        errors[""] = gettext(
            "This form does not say which version of the request it was made from: "
            "reload the page and try again."
        )
    if action in ("cancel", "hold", "reopen") and not reason:
        errors["reason"] = gettext("Say why.")
    if message := too_long(visitor, reason, MAX_REASON):
        errors["reason"] = message
    if action == "close":
        if form.value("outcome") not in lc.OUTCOMES:
            errors["outcome"] = gettext("Choose the outcome.")
        code = printable(form.value("resolution_code"))
        if not code:
            errors["resolution_code"] = gettext("Give the resolution code, e.g. fixed.remotely.")
        elif len(code) > 64:
            errors["resolution_code"] = gettext("At most 64 characters, please.")
    note = text_block(form.value("text"))
    if action == "note":
        if not note:
            errors["text"] = gettext("Write the note first.")
        elif message := too_long(visitor, note, MAX_NOTE):
            errors["text"] = message
    if errors:
        raise Refused(errors)
    change = {
        "cancel": lambda: requests.cancel(request_id, reason, version),
        "close": lambda: requests.close(
            request_id,
            form.value("outcome"),
            printable(form.value("resolution_code")),
            reason or None,
            version,
        ),
        "reopen": lambda: requests.reopen(request_id, reason, version),
        "hold": lambda: requests.hold(request_id, reason, version),
        "start": lambda: requests.progress(request_id, reason or None, version),
        "resume": lambda: requests.progress(request_id, reason or None, version),
        "note": lambda: requests.add_note(request_id, note, version),
    }[action]
    attempt(visitor, change, WORDING)


def _version(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _page(
    site: Site,
    visitor: Visitor,
    row: CustomerRequest,
    *,
    action: str | None = None,
    form: Form | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    gettext = visitor.locale.gettext
    context = {
        "request": view_of(visitor, row),
        "action": action,
        "form": form or Form(),
        "empty_form": Form(),
        "notice": notice,
        "stale": bool(form and "" in form.errors),
        "attachments": attachments_of(visitor, row),
        "upload": upload_rules(visitor),
        "may_attach": visitor.may(REQUEST_WRITE) and row.status not in lc.FINAL,
        "action_titles": ACTION_TITLES,
        "action_buttons": ACTION_BUTTONS,
        "outcome_options": [(o, gettext(label("request_outcome", o))) for o in lc.OUTCOMES],
    }
    return site.render(visitor, TEMPLATE, context, status=status)


def view_of(visitor: Visitor, row: CustomerRequest) -> RequestView:
    service = RequestService(visitor.uow)
    status = service.status(row.id)
    request_type = RequestTypeCatalogue(visitor.uow).get(row.type_id)
    customer = PartyService(visitor.uow).get_customer(row.customer_id) if row.customer_id else None
    party_id = engaged_party_id(visitor.uow.session, row.customer_id) if customer else row.party_id
    related = InteractionService(visitor.uow).about_entity(party_id, row.id) if party_id else []
    clock = SlaClocks(visitor.uow).of(row.id)
    stage = status.get("workflowStage")
    next_step = status.get("nextExpectedStep")
    own = next_step == lc.NEXT_STEP.get(row.status) or not next_step
    waiting = WAITING_STEPS.get(status.get("waitingFor") or "")
    document = row.document
    survey = SurveyService(visitor.uow).of_request(row.id)
    return RequestView(
        id=row.id,
        version=row.version,
        type_name=request_type.name,
        type_code=request_type.code,
        status=row.status,
        priority=row.priority,
        description=document.get("description"),
        characteristics=[
            (str(c.get("name")), str(c.get("value")))
            for c in document.get("troubleTicketCharacteristic") or []
            if c.get("name") not in (OUTCOME, RESOLUTION_CODE) and c.get("value") is not None
        ],
        created_at=row.created_at,
        updated_at=row.updated_at,
        expected_at=row.expected_resolution_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        outcome=row.outcome,
        resolution_code=row.resolution_code,
        customer_id=customer.id if customer else None,
        customer_name=customer.name if customer else None,
        customer_number=customer.customer_number if customer else None,
        external_customer=None if customer else _external_customer(document),
        next_step=waiting or (NEXT_STEPS[row.status] if own else next_step),
        next_step_is_code=bool(waiting) or own,
        stage=stage["name"] if stage else None,
        sla=sla_view(clock),
        sla_hours=_hours(clock.target_seconds) if clock else None,
        history=[
            HistoryLine(c.changed_at, c.status, c.actor, c.reason)
            for c in reversed(service.history(row.id))
        ],
        tasks=[_task(t) for t in status.get("tasks") or []],
        notes=[
            NoteLine(n.get("author"), _instant(n.get("date")), str(n.get("text")))
            for n in reversed(document.get("note") or [])
            if n.get("text")
        ],
        interactions=[
            InteractionLine(
                r.id,
                r.started_at,
                r.channel,
                r.direction,
                r.reason_label or r.reason,
                r.description,
                r.status,
            )
            for r in related
        ],
        survey=survey_line(survey, row.reference) if survey else None,
        handoffs=handoffs_of(service, row.id),
        actions=_actions(visitor, row),
    )


def _actions(visitor: Visitor, row: CustomerRequest) -> list[str]:
    """What the page offers: what the lifecycle allows from here, and the roles permit."""
    allowed = lc.TRANSITIONS.get(row.status, frozenset())
    offered = []
    if visitor.may(REQUEST_WRITE) and row.status == lc.ACKNOWLEDGED:
        offered.append("start")
    if lc.CANCELLED in allowed and visitor.may(REQUEST_CANCEL):
        offered.append("cancel")
    if visitor.may(REQUEST_WRITE):
        if lc.HELD in allowed:
            offered.append("hold")
        if row.status in (lc.HELD, lc.PENDING):
            offered.append("resume")
        if lc.CLOSED in allowed:
            offered.append("close")
        if row.status == lc.CLOSED:
            offered.append("reopen")
        offered.append("note")
    return offered


def _hours(seconds: int) -> int | float:
    hours = round(seconds / 3600, 1)
    return int(hours) if hours.is_integer() else hours


def _task(task: dict) -> TaskLine:
    assignee = task.get("assignee") or {}
    return TaskLine(
        name=str(task.get("name")),
        status=str(task.get("status")),
        queue=str((task.get("queue") or {}).get("name") or ""),
        assignee=assignee.get("name"),
        created_at=_instant(task.get("creationDate")),
        completed_at=_instant(task.get("completionDate")),
        note=task.get("note"),
    )


def _instant(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _external_customer(document: dict) -> str | None:
    """Another system's customer a ticket is for, as that system named it."""
    for related in document.get("relatedParty") or []:
        ref = related.get("partyOrPartyRole") or {}
        if ref.get("@referredType") == "Customer":
            return str(ref.get("name") or ref.get("id"))
    return None
