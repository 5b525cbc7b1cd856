"""The customer's own details: name and customer number, contact details (changed through a
``contact.change`` request, as an agent would: ``web/contact_change.py``), and preferences
(channel, language, marketing consent). A preference change is logged as the customer's
interaction on the web, as the request of a contact change is."""

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.auth.permissions import CUSTOMER_READ, PREFERENCE_WRITE, REQUEST_RAISE
from parley.notifications.models import CHANNELS
from parley.notifications.preferences import PreferenceService, as_dict
from parley.parties.service import PartyService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt
from parley.web.contact_change import FIELDS, contact_form_values, send_change
from parley.web.forms import Form, FormFields
from parley.web.i18n import N_
from parley.web.portal.mine import customer_id, log_contact
from parley.web.site import Site

DONE = {
    "contact": N_("Your contact details were changed."),
    "unchanged": N_("Nothing was changed: the details were as before."),
    "preferences": N_("Your preferences were saved."),
}
DESCRIPTION = "Contact details changed by the customer in the portal"


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(CUSTOMER_READ)]
    Changer = Annotated[Visitor, site.page(REQUEST_RAISE)]
    Chooser = Annotated[Visitor, site.page(PREFERENCE_WRITE)]

    @pages.get("/profile")
    def profile(request: Request, visitor: Reader):
        done = DONE.get(request.query_params.get("done", ""))
        return _page(site, visitor, done=done)

    @pages.post("/profile/contact")
    def change_contact(visitor: Changer, form: FormFields):
        given = Form({name: form.get(name, "") for name in FIELDS})
        try:
            made = send_change(visitor, customer_id(visitor), given, DESCRIPTION)
        except Refused as refused:
            given.errors = refused.errors
            return _page(site, visitor, contact=given, status=422)
        return site.redirect(visitor, "/profile?done=" + ("contact" if made else "unchanged"))

    @pages.post("/profile/preferences")
    def preferences(visitor: Chooser, form: FormFields):
        customer = customer_id(visitor)
        service = PreferenceService(visitor.uow)
        current = as_dict(service.get(customer))
        channel = form.get("channel") or None
        language = form.get("language") or None
        wanted = {
            **current,
            "preferredChannel": channel if channel in CHANNELS else current["preferredChannel"],
            "language": language if language in site.catalogues.languages else None,
            "marketingOptOut": form.get("marketing") != "yes",
        }
        if wanted == current:
            return site.redirect(visitor, "/profile?done=unchanged")

        def save():
            service.replace(customer, wanted)
            log_contact(visitor, "Contact preferences changed by the customer in the portal")

        try:
            attempt(visitor, save, Wording(default_field="preferences"))
        except Refused as refused:
            return _page(site, visitor, preference_errors=refused.errors, status=422)
        if language and visitor.signed_in is not None:
            visitor.sessions().choose(visitor.signed_in, language=language)
        return site.redirect(visitor, "/profile?done=preferences")

    return pages


def _page(
    site: Site,
    visitor: Visitor,
    contact: Form | None = None,
    preference_errors: dict | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    customer = customer_id(visitor)
    parties = PartyService(visitor.uow)
    context = {
        "current": "profile",
        "customer": parties.get_customer(customer),
        "contact": contact
        or Form(contact_form_values(parties.contact_media_of_customer(customer))),
        "preferences": PreferenceService(visitor.uow).get(customer),
        "preference_errors": preference_errors or {},
        "channels": CHANNELS,
        "done": done,
    }
    return site.render(visitor, "portal/profile.html", context, status=status)
