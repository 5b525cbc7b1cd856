"""Message templates (administrators): the list, and one template's wording with a live
preview. The preview renders what is typed with sample values, through the same bounded
renderer messages are made with (``notifications/rendering.py``: a sandbox in a child
process, limited in time and memory), as the API's preview does; a template that does not
parse, names a value not given, or asks for too much is said beside the field it concerns.
Saving goes through ``TemplateCatalogue.update`` (checked again, audited)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from parley.auth.permissions import TEMPLATE_WRITE
from parley.errors import InvalidInput, Unavailable
from parley.notifications.models import MessageTemplate
from parley.notifications.rendering import Rendered, render, variables_of
from parley.notifications.templates import TemplateCatalogue, check_wording
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, say
from parley.web.console.freshness import check_fresh, stamp
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.site import Site, is_htmx

TEMPLATE = "console/message_template.html"
FIELDS = ("subject", "body", "samples")
WORDING = Wording(fields={"subject": "subject", "body": "body", "variables": "samples"})
SAMPLES = {
    "customerName": "Anna Schmidt",
    "requestId": "TT-2026-0142",
    "requestType": "Fault repair",
    "expectedResolution": "9 Dec 2026, 14:00",
    "status": "in progress",
    "message": "A technician will call you tomorrow morning.",
    "date": "7 Dec 2026",
    "summary": "We reset your line; the signal is back.",
}
MAX_SAMPLES = 4000
BUSY = N_("The preview cannot be made just now: try again in a moment.")
SAVED = N_("Saved: new messages use this wording.")


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


FormFields = Annotated[dict[str, str], Depends(_form)]


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/admin/templates")
    def templates(visitor: Annotated[Visitor, site.page(TEMPLATE_WRITE)]):
        found = TemplateCatalogue(visitor.uow).list_templates()
        context = {"templates": found, "current": "templates"}
        return site.render(visitor, "console/message_templates.html", context)

    @pages.get("/admin/templates/{template_id}")
    def template_page(
        request: Request, template_id: str, visitor: Annotated[Visitor, site.page(TEMPLATE_WRITE)]
    ):
        row = TemplateCatalogue(visitor.uow).get(template_id)
        form = Form(
            {
                "subject": row.subject or "",
                "body": row.body,
                "active": "yes" if row.active else "",
                "samples": _samples(row.subject, row.body),
            }
        )
        saved = request.query_params.get("done") == "saved"
        return _page(
            site, visitor, row, form, notice=visitor.locale.gettext(SAVED) if saved else None
        )

    @pages.post("/admin/templates/{template_id}/preview")
    def preview(
        request: Request,
        template_id: str,
        visitor: Annotated[Visitor, site.page(TEMPLATE_WRITE)],
        form: FormFields,
    ):
        row = TemplateCatalogue(visitor.uow).get(template_id)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        if is_htmx(request):
            rendered = _preview(visitor, row, given)
            context = _context(visitor, row, given, rendered)
            parts = [(TEMPLATE, "preview"), (TEMPLATE, "problems")]
            return site.render_parts(visitor, parts, {**context, "oob": True})
        return _page(site, visitor, row, given)

    @pages.post("/admin/templates/{template_id}")
    def save(
        template_id: str, visitor: Annotated[Visitor, site.page(TEMPLATE_WRITE)], form: FormFields
    ):
        catalogue = TemplateCatalogue(visitor.uow)
        row = catalogue.get(template_id)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        changes = {"body": _text(given.value("body")), "active": given.value("active") == "yes"}
        if row.channel == "email":
            changes["subject"] = _text(given.value("subject"))
        try:
            check_fresh(visitor, row, given)
            if not changes["body"].strip():
                raise Refused({"body": visitor.locale.gettext("Required.")})
            attempt(visitor, lambda: catalogue.update(row.id, changes), WORDING)
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            return _page(site, visitor, catalogue.get(row.id), given, status=422)
        except Unavailable:
            given.errors = {"": visitor.locale.gettext(BUSY)}
            return _page(site, visitor, row, given, status=503)
        return site.redirect(visitor, f"/admin/templates/{row.id}?done=saved")

    return pages


def _page(site, visitor, row, form: Form, *, notice=None, status=200) -> Response:
    rendered = _preview(visitor, row, form) if not form.errors else None
    context = {**_context(visitor, row, form, rendered), "notice": notice}
    if form.errors and status == 200:
        status = 422
    return site.render(visitor, TEMPLATE, context, status=status)


def _context(visitor: Visitor, row: MessageTemplate, form: Form, rendered) -> dict:
    return {
        "template": row,
        "form": form,
        "stamp": stamp(row),
        "rendered": rendered,
        "current": "templates",
    }


def _preview(visitor: Visitor, row: MessageTemplate, form: Form) -> Rendered | None:
    """The message the wording makes with the sample values; None, with the form's errors
    set, when it makes none."""
    subject = _text(form.value("subject")) if row.channel == "email" else None
    body = _text(form.value("body"))
    samples = form.value("samples")
    if len(samples) > MAX_SAMPLES:
        form.errors["samples"] = visitor.locale.gettext("At most 4000 characters, please.")
        return None
    if not body.strip():
        form.errors["body"] = visitor.locale.gettext("Required.")
        return None
    try:
        subject, body = check_wording(row.channel, subject, body)
        return render(row.channel, subject, body, _variables(samples))
    except InvalidInput as problem:
        form.errors.update(_said(visitor, problem))
    except Unavailable:
        form.errors[""] = visitor.locale.gettext(BUSY)
    return None


def _said(visitor: Visitor, problem: InvalidInput) -> dict[str, str]:
    return say(visitor, problem, WORDING)


def _variables(samples: str) -> dict[str, str]:
    """``name = value``, one a line (or ``name: value``)."""
    found = {}
    for line in samples.splitlines():
        name, sep, value = line.partition("=")
        if not sep:
            name, sep, value = line.partition(":")
        if sep and name.strip():
            found[name.strip()] = value.strip()
    return found


def _samples(subject: str | None, body: str) -> str:
    return "\n".join(f"{n} = {SAMPLES.get(n, n)}" for n in variables_of(subject, body))


def _text(value: str) -> str:
    return value.replace("\r\n", "\n")
