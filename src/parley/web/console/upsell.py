"""Up-selling in the console: the customer's answer to the next best offer, from the 360's
panel (``upsell:answer``): accepted raises the add-on request as the portal does, refused
suppresses the offer, later shows it again; each is logged as an interaction on the channel
of the contact in progress (else the phone). A refused answer is the 360 again (422), the
message in the panel. And the dashboard's up-sell acceptance charts (``report:read``)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request

from parley.analytics.upsell import UpsellService
from parley.analytics.upsell.models import ANSWERS
from parley.auth.permissions import UPSELL_ANSWER
from parley.parties.service import PartyService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable, too_long
from parley.web.console.contact_log import open_contact
from parley.web.console.customers import render
from parley.web.forms import Form, FormFields
from parley.web.site import Site

MAX_NOTE = 500
ANSWER_WORDING = Wording(fields={"note": "note"})


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.post("/customers/{customer_id}/offers/{offer_id}/answer")
    def answer(
        request: Request,
        customer_id: str,
        offer_id: str,
        visitor: Annotated[Visitor, site.page(UPSELL_ANSWER)],
        form: FormFields,
    ):
        customer_id = PartyService(visitor.uow).get_customer(customer_id, visitor.principal).id
        contact_id = (form.get("contact") or "")[:64]
        contact = open_contact(visitor, customer_id, contact_id) if contact_id else None
        given = Form({"note": printable(form.get("note", ""))})
        said = form.get("answer", "")
        try:
            if said not in ANSWERS:
                raise Refused({"": visitor.locale.gettext("Choose the customer's answer.")})
            if message := too_long(visitor, given.value("note"), MAX_NOTE):
                raise Refused({"note": message})
            service = UpsellService(visitor.uow)
            attempt(
                visitor,
                lambda: service.answer(
                    customer_id,
                    offer_id[:64],
                    said,
                    given.value("note"),
                    (contact.channel if contact is not None else None) or "phone",
                ),
                ANSWER_WORDING,
            )
        except Refused as refused:
            given.errors = refused.errors
            return render(site, visitor, request, customer_id, offer_form=given, status=422)
        keep = f"contact={quote(contact.id)}&" if contact is not None else ""
        return site.redirect(visitor, f"/customers/{customer_id}?{keep}offer={said}#offer")

    return pages
