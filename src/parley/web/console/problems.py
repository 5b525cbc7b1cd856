"""Problems in the console (``report:read``): the list, and a problem's page with what is
linked to it and the notices sent; whoever may open and close problems (``problem:write``)
tells the affected customers from there, seeing first how many a notice would reach (an htmx
preview as the audience is chosen)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from parley.analytics.notices import AUDIENCES, CONTACTED, ProblemNotices
from parley.analytics.problems import Problems
from parley.auth.permissions import PROBLEM_WRITE, REPORT_READ
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.site import Site

PAGE = "console/problem.html"
SENT = N_("The notice is being sent: the workers tell the customers a batch at a time.")
WORDING = Wording(fields={"audience": "audience", "message": "message"}, default_field="")
CLOSING = Wording(fields={"resolution": "resolution"}, default_field="resolution")
CLOSED = N_(
    "The problem is closed: its linked requests still open are closed, and those told of it "
    "hear that it is solved."
)
DETECTORS = {
    "spike": N_("Detection: a spike"),
    "drift": N_("Detection: a drift"),
    "manual": N_("A supervisor"),
}
TOLD = N_("Those told of the problem")
AUDIENCE_LABELS = {
    "contacted": N_("Customers in the area who contacted us on this reason"),
    "area": N_("Every customer in the area"),
}


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(REPORT_READ)]
    Writer = Annotated[Visitor, site.page(PROBLEM_WRITE)]

    @pages.get("/problems")
    def problems(visitor: Reader, status: str = Query("open", max_length=8)):
        shown = status if status in ("open", "closed") else "open"
        service = Problems(visitor.uow)
        rows, total = service.find(shown, 0, 200)
        context = {
            "current": "problems",
            "status": shown,
            "problems": service.documents(rows),
            "total": total,
            "detectors": DETECTORS,
        }
        return site.render(visitor, "console/problems.html", context)

    @pages.get("/problems/{problem_id}")
    def problem(
        visitor: Reader,
        problem_id: str,
        sent: str = Query("", max_length=4),
        closed: str = Query("", max_length=4),
    ):
        done = SENT if sent == "1" else CLOSED if closed == "1" else None
        notice = visitor.locale.gettext(done) if done else None
        return _page(site, visitor, problem_id, Form({"audience": CONTACTED}), notice)

    @pages.get("/problems/{problem_id}/preview")
    def preview(visitor: Writer, problem_id: str, audience: str = Query(CONTACTED, max_length=16)):
        row = Problems(visitor.uow).get(problem_id)
        chosen = audience if audience in AUDIENCES else CONTACTED
        context = {"problem": row, "preview": ProblemNotices(visitor.uow).preview(row, chosen)}
        return site.render(visitor, PAGE, context, block="preview")

    @pages.post("/problems/{problem_id}/notices")
    def send(visitor: Writer, problem_id: str, form: Annotated[dict[str, str], Depends(_form)]):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        audience, message = given.value("audience"), printable(given.value("message"))
        try:
            row = Problems(visitor.uow).get(problem_id)
            if audience not in AUDIENCES:
                raise Refused({"audience": visitor.locale.gettext("Choose who to tell.")})
            attempt(visitor, lambda: ProblemNotices(visitor.uow).send(row, audience, message),
                    WORDING)  # fmt: skip
        except Refused as refused:
            given.errors = refused.errors
            return _page(site, visitor, problem_id, given, status=422)
        return site.redirect(visitor, f"/problems/{problem_id}?sent=1")

    @pages.post("/problems/{problem_id}/close")
    def close(visitor: Writer, problem_id: str, form: Annotated[dict[str, str], Depends(_form)]):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        resolution = printable(given.value("resolution"))
        try:
            Problems(visitor.uow).get(problem_id)  # else the 404 page
            if not resolution:
                raise Refused({"resolution": visitor.locale.gettext("Say how it was solved.")})
            attempt(visitor, lambda: Problems(visitor.uow).close(problem_id, resolution),
                    CLOSING)  # fmt: skip
        except Refused as refused:
            given.errors = refused.errors
            return _page(site, visitor, problem_id, Form({"audience": CONTACTED}), status=422,
                         closing=given)  # fmt: skip
        return site.redirect(visitor, f"/problems/{problem_id}?closed=1")

    return pages


def _page(
    site: Site,
    visitor: Visitor,
    problem_id: str,
    form: Form,
    notice=None,
    status=200,
    closing: Form | None = None,
):
    problems = Problems(visitor.uow)
    row = problems.get(problem_id)  # else the 404 page
    notices = ProblemNotices(visitor.uow)
    audience = form.value("audience") if form.value("audience") in AUDIENCES else CONTACTED
    context = {
        "current": "problems",
        "problem": row,
        "shown": problems.document(row),
        "notices": notices.of_problem(row.id),
        "form": form,
        "audiences": [(name, AUDIENCE_LABELS[name]) for name in AUDIENCES],
        "preview": notices.preview(row, audience) if visitor.may(PROBLEM_WRITE) else None,
        "may_notify": visitor.may(PROBLEM_WRITE) and row.status == "open",
        "closing": closing or Form(),
        "notice": notice,
        "detectors": DETECTORS,
        "audience_words": {**AUDIENCE_LABELS, "told": TOLD},
    }
    return site.render(visitor, PAGE, context, status=status)
