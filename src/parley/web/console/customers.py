"""The customer 360: who the customer is and whether the caller is verified (the header), the
contact in progress and its wrap-up, open requests, the timeline, contact details (changed
through the contact change the API offers), billing accounts, the products the customer holds,
preferences and consent, notes.

Every form posts to its own route, which changes through the services in the page's unit of
work and sends the browser back to the page (303) saying what was done; a refused form is the
page again (422) with the message beside the field, and nothing changed. The timeline's
filters and its next pages come through htmx as parts of the page, or as whole pages without
JavaScript.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.auth.permissions import (
    CUSTOMER_READ,
    INTERACTION_READ,
    INTERACTION_WRITE,
    NOTE_WRITE,
    VERIFICATION_USE,
)
from parley.interactions.models import COMPLETED
from parley.interactions.service import InteractionService
from parley.parties.service import PartyService
from parley.requests import lifecycle as lc
from parley.web.access import PageForbidden, Visitor
from parley.web.accounts import accounts_of
from parley.web.actions import Refused, attempt, text_block, too_long
from parley.web.console import contact_details
from parley.web.console.contact_log import (
    OUTCOMES,
    START_CHANNELS,
    WrapUpView,
    open_contact,
    start,
    wrap_up,
    wrap_up_view,
    wrapped_view,
)
from parley.web.console.customer_page import (
    answered_surveys_of,
    contact_views,
    customer_view,
    notes_of,
    open_requests_of,
    permissions,
    preferences_of,
    problems_of,
)
from parley.web.console.offer_panel import offer_panel
from parley.web.console.timeline import timeline_of
from parley.web.console.verification import verification_of, verify
from parley.web.contact_change import contact_form_values
from parley.web.forms import Form, FormFields
from parley.web.i18n import N_
from parley.web.labels import label
from parley.web.products import products_of
from parley.web.site import Site, is_htmx

TEMPLATE = "console/customer.html"
MAX_NOTE = 4000
SUGGESTED_BY = {
    "reasonCode": N_("Suggested from the reason for the contact."),
    "keyword": N_("Suggested from words in the notes."),
    "channel": N_("Suggested for the channel."),
    "default": N_("The default type: nothing else fits."),
}
DONE = {
    "note": N_("Note added."),
    "contacts": N_("Contact details changed."),
    "contacts-unchanged": N_("The contact details were already as given: nothing changed."),
    "verified": N_("The caller is verified."),
}
TIMELINE, TIMELINE_STATUS = "console/timeline.html", "console/timeline_status.html"
WRAP_UP_CHOICES = "console/wrap_up_choices.html"


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(CUSTOMER_READ)]

    @pages.get("/customers/{customer_id}")
    def customer(request: Request, customer_id: str, visitor: Reader):
        return render(site, visitor, request, customer_id)

    @pages.get("/customers/{customer_id}/timeline")
    def timeline(
        request: Request,
        customer_id: str,
        visitor: Annotated[Visitor, site.page(INTERACTION_READ)],
    ):
        if not is_htmx(request):
            return render(site, visitor, request, customer_id)
        found = PartyService(visitor.uow).get_customer(customer_id, reader=visitor.principal)
        context = {
            "customer": customer_view(found),
            "timeline": timeline_of(visitor, found.id, request.query_params),
        }
        more = bool(request.query_params.get("cursor"))
        part = "timeline_page" if more else "timeline_results"
        parts = [(TIMELINE, part), (TIMELINE_STATUS, None)]
        return site.render_parts(visitor, parts, context)

    @pages.post("/customers/{customer_id}/verification")
    def verification(
        request: Request,
        customer_id: str,
        visitor: Annotated[Visitor, site.page(VERIFICATION_USE)],
        form: FormFields,
    ):
        known = _customer(visitor, customer_id)
        checked = verify(visitor, known, form)
        if checked.errors:
            return render(site, visitor, request, known, verification=checked, status=422)
        # The contact being wrapped up (a call's, say) stays open beside the verification.
        contact = request.query_params.get("contact", "")[:64]
        keep = f"&contact={quote(contact)}" if contact else ""
        return site.redirect(visitor, f"/customers/{known}?done=verified{keep}#verification")

    @pages.post("/customers/{customer_id}/notes")
    def add_note(
        request: Request,
        customer_id: str,
        visitor: Annotated[Visitor, site.page(NOTE_WRITE)],
        form: FormFields,
    ):
        known = _customer(visitor, customer_id)
        text = text_block(form.get("text", ""))
        note = Form({"text": text})
        if not text:
            note.errors["text"] = visitor.locale.gettext("Write the note first.")
        elif message := too_long(visitor, text, MAX_NOTE):
            note.errors["text"] = message
        else:
            try:
                attempt(visitor, lambda: PartyService(visitor.uow).add_note(known, text))
            except Refused as refused:
                note.errors = {"text": next(iter(refused.errors.values()))}
        if note.errors:
            return render(site, visitor, request, known, note_form=note, status=422)
        return site.redirect(visitor, f"/customers/{known}?done=note#notes")

    @pages.post("/customers/{customer_id}/contact-details")
    def change_contact_details(
        request: Request, customer_id: str, visitor: Reader, form: FormFields
    ):
        known = _customer(visitor, customer_id)
        if not permissions(visitor)["edit_contacts"]:
            raise PageForbidden("request:write")
        given = Form({k: form.get(k, "") for k in contact_details.FIELDS})
        contact = request.query_params.get("contact") or form.get("contact") or None
        try:
            changed = contact_details.change(visitor, known, given, contact)
        except Refused as refused:
            given.errors = refused.errors
            return render(site, visitor, request, known, contact_form=given, status=422)
        done = "contacts" if changed else "contacts-unchanged"
        return site.redirect(visitor, f"/customers/{known}?done={done}#contact-details")

    @pages.post("/customers/{customer_id}/interactions")
    def start_contact(
        request: Request,
        customer_id: str,
        visitor: Annotated[Visitor, site.page(INTERACTION_WRITE)],
        form: FormFields,
    ):
        known = _customer(visitor, customer_id)
        try:
            started = start(visitor, known, form)
        except Refused as refused:
            start_form = Form(dict(form), refused.errors)
            return render(site, visitor, request, known, start_form=start_form, status=422)
        return site.redirect(visitor, f"/customers/{known}?contact={started.id}#contact")

    @pages.get("/customers/{customer_id}/interactions/{interaction_id}/wrap-up")
    def wrap_up_fields(
        request: Request,
        customer_id: str,
        interaction_id: str,
        visitor: Annotated[Visitor, site.page(INTERACTION_WRITE)],
    ):
        """The parts of the wrap-up that follow the reason and the request type chosen (htmx,
        as they change); without JavaScript, the page with the contact open."""
        known = _customer(visitor, customer_id)
        interaction = open_contact(visitor, known, interaction_id[:64])
        if interaction is None or interaction.status == COMPLETED:
            # Completed meanwhile (another tab), or not this customer's: the page says how.
            target = f"/customers/{known}" + (f"?wrapped={interaction.id}" if interaction else "")
            if is_htmx(request):  # not the page inside a part of itself: the whole page
                return visitor.finish(Response(headers={"HX-Redirect": visitor.path(target)}))
            return site.redirect(visitor, target)
        if not is_htmx(request):
            return site.redirect(visitor, f"/customers/{known}?contact={interaction.id}#contact")
        form = Form(dict(request.query_params))
        contact = wrap_up_view(visitor, interaction, form)
        context = {"contact": contact, "customer_id": known, **choices(visitor, contact)}
        return site.render(visitor, WRAP_UP_CHOICES, context, block="wrap_up_choices")

    @pages.post("/customers/{customer_id}/interactions/{interaction_id}/wrap-up")
    def complete_contact(
        request: Request,
        customer_id: str,
        interaction_id: str,
        visitor: Annotated[Visitor, site.page(INTERACTION_WRITE)],
        form: FormFields,
    ):
        known = _customer(visitor, customer_id)
        interaction = open_contact(visitor, known, interaction_id)
        if interaction is None:
            return site.redirect(visitor, f"/customers/{known}")
        given = Form(dict(form))
        try:
            wrap_up(visitor, known, interaction, given)
        except Refused as refused:
            given.errors = refused.errors
            return render(
                site, visitor, request, known, wrap_up_form=(interaction, given), status=422
            )
        return site.redirect(visitor, f"/customers/{known}?wrapped={interaction.id}#contact")

    return pages


def _customer(visitor: Visitor, customer_id: str) -> str:
    """The customer's id, if the visitor may see them (a 404 page otherwise)."""
    return PartyService(visitor.uow).get_customer(customer_id, reader=visitor.principal).id


def render(
    site: Site,
    visitor: Visitor,
    request: Request,
    customer_id: str,
    *,
    verification=None,
    note_form: Form | None = None,
    contact_form: Form | None = None,
    start_form: Form | None = None,
    wrap_up_form=None,
    offer_form: Form | None = None,
    status: int = 200,
) -> Response:
    """The whole 360, with any form as the agent left it."""
    parties = PartyService(visitor.uow)
    found = parties.get_customer(customer_id, reader=visitor.principal)  # else a 404 page
    media = parties.contact_media_of_customer(found.id)
    params = request.query_params
    notes = notes_of(visitor, found.id)
    can = {
        **permissions(visitor),
        "log_contact": visitor.may(INTERACTION_WRITE),
        "read_timeline": visitor.may(INTERACTION_READ),
    }
    interactions = InteractionService(visitor.uow)
    contact, wrapped = _contact_panel(visitor, found.id, params, wrap_up_form)
    open_ones = interactions.open_of_customer(found.id) if can["log_contact"] else []
    done = DONE.get(params.get("done", ""))
    context = {
        "customer": customer_view(found),
        "verification": verification or verification_of(visitor, found.id),
        "contacts": contact_views(media),
        "contact_form": contact_form or Form(contact_form_values(media)),
        "accounts": accounts_of(visitor, found.id),
        "products": products_of(visitor, found.id),
        "preferences": preferences_of(visitor, found.id),
        "notes": notes[0] if notes else None,
        "notes_total": notes[1] if notes else 0,
        "note_form": note_form or Form(),
        "requests": open_requests_of(visitor, found.id),
        "surveys": answered_surveys_of(visitor, found.id),
        "problems": problems_of(visitor, found.id),
        "offer_panel": offer_panel(visitor, found.id, params, offer_form),
        "timeline": timeline_of(visitor, found.id, params) if can["read_timeline"] else None,
        "contact": contact,
        "wrapped": wrapped,
        "open_contacts": [
            i for i in open_ones if contact is None or i.id != contact.interaction.id
        ],
        "start_form": start_form or Form({"channel": "phone", "direction": "inbound"}),
        **choices(visitor, contact),
        "can": can,
        "notice": visitor.locale.gettext(done) if done else None,
        "customer_id": found.id,
    }
    return site.render(visitor, TEMPLATE, context, status=status)


def choices(visitor: Visitor, contact: WrapUpView | None) -> dict:
    """The options of the contact panel's lists, in the reader's language; the hint of how
    Parley came to its suggestion."""
    gettext = visitor.locale.gettext
    options = {
        "channels": [(c, gettext(label("channel", c))) for c in START_CHANNELS],
        "directions": [(d, gettext(label("direction", d))) for d in ("inbound", "outbound")],
        "outcomes": [(o, gettext(label("contact_outcome", o))) for o in OUTCOMES],
        "priorities": [(p, gettext(label("priority", p))) for p in lc.PRIORITIES],
        "reasons": [],
        "types": [],
    }
    hint = None
    if contact is not None:
        options["reasons"] = [(r.code, gettext(r.label)) for r in contact.reasons]
        options["types"] = [(code, gettext(name)) for code, name in contact.types]
        if contact.suggestion is not None:
            hint = SUGGESTED_BY.get(contact.suggestion.rule)
    return {"options": options, "rule_hint": hint}


def _contact_panel(visitor: Visitor, customer_id: str, params, wrap_up_form):
    """The contact being wrapped up (with its form), or one just completed."""
    if not visitor.may(INTERACTION_WRITE):
        return None, None
    if wrap_up_form is not None:
        interaction, form = wrap_up_form
        return wrap_up_view(visitor, interaction, form), None
    wanted = params.get("contact") or params.get("wrapped")
    interaction = open_contact(visitor, customer_id, wanted[:64]) if wanted else None
    if interaction is None:
        return None, None
    if interaction.status == COMPLETED:
        return None, wrapped_view(visitor, interaction)
    defaults = Form({"priority": "medium"})
    return wrap_up_view(visitor, interaction, defaults), None
