"""Sales leads in the console: the list (by status), a new lead (the prospect and what they
want; likely duplicates shown with their scores and reasons before it may be forced), and a
lead's page: its prospect, the contacts logged with them (log one; reaching them on a number
or address verifies it), qualifying it, and converting it into a customer with a first
billing account (the duplicate customers shown before it may be forced). The changes are in
``lead_changes.py``; everything goes through the leads domain, as the API does.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from parley.auth.permissions import LEAD_READ, LEAD_WRITE
from parley.db.repository import Page
from parley.leads.contacts import LeadContacts
from parley.leads.models import RATINGS, STATUSES, SalesLead
from parley.leads.service import TRANSITIONS, LeadService
from parley.parties.duplicates import Suspect
from parley.web.access import PageForbidden, Visitor
from parley.web.actions import Refused
from parley.web.console import lead_changes as changes
from parley.web.console.freshness import stamp
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.labels import label, readable_phone
from parley.web.site import Site

PAGE_SIZE = 50
ACTIONS = ("contact", "qualify", "convert")
DONE = {
    "create": N_("The lead is created."),
    "contact": N_("The contact is logged."),
    "qualify": N_("The lead is qualified: it can be converted."),
    "convert": N_("Converted: the prospect is a customer now."),
}


@dataclass(frozen=True)
class ContactLine:
    started_at: datetime
    direction: str
    channel: str | None
    description: str | None
    logged_by: str | None


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


FormFields = Annotated[dict[str, str], Depends(_form)]


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/leads")
    def leads(request: Request, visitor: Annotated[Visitor, site.page(LEAD_READ)]):
        status = request.query_params.get("status", "")
        number = request.query_params.get("page", "1")
        number = max(1, int(number)) if number.isdigit() and len(number) < 7 else 1
        filters = {"status": status} if status in STATUSES else {}
        page = Page(filters, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        found, total = LeadService(visitor.uow).find(page, visitor.principal)
        context = {
            "leads": found,
            "total": total,
            "status": status if status in STATUSES else "",
            "statuses": [(s, visitor.locale.gettext(label("lead_status", s))) for s in STATUSES],
            "page": number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "may_write": visitor.may(LEAD_WRITE),
            "current": "leads",
        }
        return site.render(visitor, "console/leads.html", context)

    @pages.get("/leads/new")
    def new_lead(visitor: Annotated[Visitor, site.page(LEAD_WRITE)]):
        return _new(site, visitor, Form({"channel": "phone", "country": "DE"}))

    @pages.post("/leads")
    def create(visitor: Annotated[Visitor, site.page(LEAD_WRITE)], form: FormFields):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            lead = changes.create(visitor, given)
        except Refused as refused:
            given.errors = refused.errors
            suspects = getattr(refused, "suspects", None)
            return _new(site, visitor, given, suspects=suspects, status=422)
        return site.redirect(visitor, f"/leads/{lead.id}?done=create")

    @pages.get("/leads/{lead_id}")
    def lead_page(
        request: Request, lead_id: str, visitor: Annotated[Visitor, site.page(LEAD_READ)]
    ):
        lead = LeadService(visitor.uow).get(lead_id, visitor.principal)
        done = DONE.get(request.query_params.get("done", ""))
        return _page(site, visitor, lead, notice=visitor.locale.gettext(done) if done else None)

    @pages.post("/leads/{lead_id}/{action}")
    def act(
        lead_id: str,
        action: str,
        visitor: Annotated[Visitor, site.page(LEAD_READ)],
        form: FormFields,
    ):
        lead = LeadService(visitor.uow).get(lead_id, visitor.principal)
        if action not in ACTIONS:
            return site.redirect(visitor, f"/leads/{lead.id}")
        if not visitor.may(LEAD_WRITE):
            raise PageForbidden(LEAD_WRITE)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            {
                "contact": changes.log_contact,
                "qualify": changes.qualify,
                "convert": changes.convert,
            }[action](visitor, lead, given)
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            lead = LeadService(visitor.uow).get(lead.id)
            suspects = getattr(refused, "suspects", None)
            return _page(
                site, visitor, lead, action=action, form=given, suspects=suspects, status=422
            )
        return site.redirect(visitor, f"/leads/{lead.id}?done={action}")

    return pages


def _new(
    site: Site,
    visitor: Visitor,
    form: Form,
    *,
    suspects: list[Suspect] | None = None,
    status: int = 200,
) -> Response:
    gettext = visitor.locale.gettext
    context = {
        "form": form,
        "suspects": suspects or [],
        "channels": [(c, gettext(label("channel", c))) for c in changes.SOURCE_CHANNELS],
        "ratings": [(r, gettext(label("rating", r))) for r in RATINGS],
        "current": "leads",
    }
    return site.render(visitor, "console/lead_new.html", context, status=status)


def _page(
    site: Site,
    visitor: Visitor,
    lead: SalesLead,
    *,
    action: str | None = None,
    form: Form | None = None,
    suspects: list[Suspect] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    gettext = visitor.locale.gettext
    service = LeadService(visitor.uow)
    prospect = service.prospect(lead)
    media = (prospect.document or {}).get("contactMedium") or []
    # (as stored, as people read it): phones in E.164, shown grouped
    reachable = [
        (m["phoneNumber"], readable_phone(m["phoneNumber"]))
        if m.get("phoneNumber")
        else (m["emailAddress"], m["emailAddress"])
        for m in media
        if m.get("phoneNumber") or m.get("emailAddress")
    ]
    address = next((m for m in media if m.get("@type") == "GeographicAddressContactMedium"), None)
    is_open = bool(TRANSITIONS[lead.status])
    contacts = [
        ContactLine(r.started_at, r.direction, r.channel, r.description, r.logged_by)
        for r in LeadContacts(visitor.uow).history(lead.id, 50)
    ]
    if suspects is None and is_open:
        suspects = service.duplicates(lead)
    context = {
        "lead": lead,
        "stamp": stamp(lead),
        "prospect": prospect,
        "reachable": reachable,
        "address": address,
        "contacts": contacts,
        "suspects": suspects or [],
        "is_open": is_open,
        "may_write": visitor.may(LEAD_WRITE) and is_open,
        "may_qualify": lead.status in ("acknowledged", "inProgress"),
        "may_convert": lead.status == "qualified",
        "action": action,
        "form": form or Form(),
        "empty_form": Form(),
        "stale": bool(form and "" in form.errors),
        "notice": notice,
        "channels": [(c, gettext(label("channel", c))) for c in changes.CONTACT_CHANNELS],
        "directions": [(d, gettext(label("direction", d))) for d in ("outbound", "inbound")],
        "payment_types": [(p, gettext(label("payment", p))) for p in changes.PAYMENT_TYPES],
        "current": "leads",
    }
    return site.render(visitor, "console/lead.html", context, status=status)
