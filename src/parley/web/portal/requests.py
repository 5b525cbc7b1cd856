"""The customer's requests: all of them, one with its status history, the next step, its
notes and files; raising one of the self-service types; cancelling, reopening, adding a note
and a file (``web/attachments.py``), and downloading the files. Each
change is made by the request service as the customer, on the channel ``web``, and logged
there as the customer's interaction (``requests/service.py``)."""

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from parley.auth.permissions import REQUEST_CANCEL, REQUEST_RAISE, REQUEST_READ
from parley.requests.catalogue import RequestTypeCatalogue, required_characteristics
from parley.requests.service import RequestService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable, text_block, too_long
from parley.web.attachments import FIELD, attach, attachments_of, download, upload_rules
from parley.web.forms import Form, FormFields, FormFiles
from parley.web.i18n import N_
from parley.web.portal.mine import (
    customer_id,
    history_of,
    my_request,
    my_requests,
    notes_of,
    request_view,
)
from parley.web.site import Site

LONGEST_TEXT = 2000
LONGEST_REASON = 300
# Raised on the profile page and the offers page, not here.
ELSEWHERE = ("contact.change", "addon.selection")
CHARACTERISTICS = {"billNumber": N_("Bill number")}
RAISE_WORDING = Wording(
    fields={"troubleTicketCharacteristic": "billNumber", "description": "description"},
    default_field="type",
)
DONE = {
    "cancel": N_("Your request was cancelled."),
    "reopen": N_("Your request was reopened."),
    "note": N_("Your note was added."),
    "attachment": N_("Your file was added."),
    "raised": N_("Thank you: we have received your request."),
}


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(REQUEST_READ)]
    Raiser = Annotated[Visitor, site.page(REQUEST_RAISE)]
    Canceller = Annotated[Visitor, site.page(REQUEST_CANCEL)]
    Uploader = Annotated[Visitor, site.page(REQUEST_RAISE, uploads=True)]

    @pages.get("/requests")
    def list_page(visitor: Reader):
        context = {"current": "requests", "requests": my_requests(visitor)}
        return site.render(visitor, "portal/requests.html", context)

    @pages.get("/requests/new")
    def new_page(visitor: Raiser):
        return _new(site, visitor, Form())

    @pages.post("/requests/new")
    def raise_request(visitor: Raiser, form: FormFields):
        types = {t.code: t for t in _types(visitor)}
        given = Form(
            {
                "type": form.get("type", ""),
                "description": text_block(form.get("description", "")),
                "billNumber": printable(form.get("billNumber", ""))[:64],
            }
        )
        gettext = visitor.locale.gettext
        chosen = types.get(given.value("type"))
        if chosen is None:
            given.errors["type"] = gettext("Choose what your request is about.")
        if not given.value("description"):
            given.errors["description"] = gettext("Tell us what happened or what you need.")
        elif message := too_long(visitor, given.value("description"), LONGEST_TEXT):
            given.errors["description"] = message
        if chosen is not None:
            for name in required_characteristics(chosen):
                if not given.value(name):
                    given.errors[name] = gettext("Needed for this kind of request.")
        if given.errors:
            return _new(site, visitor, given, status=422)
        assert chosen is not None
        document = _ticket(customer_id(visitor), chosen, given)
        try:
            row = attempt(
                visitor, lambda: RequestService(visitor.uow).create(document), RAISE_WORDING
            )
        except Refused as refused:
            given.errors.update(refused.errors)
            return _new(site, visitor, given, status=422)
        return site.redirect(visitor, f"/requests/{row.id}?done=raised")

    @pages.get("/requests/{request_id}")
    def detail(visitor: Reader, request_id: str, done: str | None = None):
        return _detail(site, visitor, request_id, done=DONE.get(done or ""))

    @pages.post("/requests/{request_id}/cancel")
    def cancel(visitor: Canceller, request_id: str, form: FormFields):
        service = RequestService(visitor.uow)
        return _change(
            site, visitor, request_id, form, "cancel",
            lambda row, reason: service.cancel(row.id, reason, row.version),
        )  # fmt: skip

    @pages.post("/requests/{request_id}/reopen")
    def reopen(visitor: Raiser, request_id: str, form: FormFields):
        service = RequestService(visitor.uow)
        return _change(
            site, visitor, request_id, form, "reopen",
            lambda row, reason: service.reopen(row.id, reason, row.version),
        )  # fmt: skip

    @pages.post("/requests/{request_id}/note")
    def note(visitor: Raiser, request_id: str, form: FormFields):
        service = RequestService(visitor.uow)
        return _change(
            site, visitor, request_id, form, "note",
            lambda row, text: service.add_note(row.id, text, row.version),
        )  # fmt: skip

    @pages.post("/requests/{request_id}/attachment")
    def attach_file(visitor: Uploader, request_id: str, files: FormFiles):
        row = my_request(visitor, request_id)  # another customer's: not found
        error = attach(visitor, row.id, files.get(FIELD))
        if error is not None:
            return _detail(site, visitor, request_id, Form({}, {FIELD: error}), 422)
        return site.redirect(visitor, f"/requests/{row.id}?done=attachment")

    @pages.get("/requests/{request_id}/attachments/{attachment_id}")
    def attachment(visitor: Reader, request_id: str, attachment_id: str):
        return download(visitor, my_request(visitor, request_id), attachment_id)

    return pages


def _change(site: Site, visitor: Visitor, request_id: str, form: dict, action: str, change):
    """One change of the customer's own request: refused beside its field, else done."""
    row = my_request(visitor, request_id)  # another customer's: not found
    longest = LONGEST_TEXT if action == "note" else LONGEST_REASON
    text = text_block(form.get("text", ""))
    gettext = visitor.locale.gettext
    error = too_long(visitor, text, longest)
    if not text:
        error = gettext("Please write a few words.")
    if error is None:
        try:
            attempt(visitor, lambda: change(row, text), Wording(default_field=action))
        except Refused as refused:
            error = next(iter(refused.errors.values()), "")
    if error is not None:
        return _detail(site, visitor, request_id, Form({action: text}, {action: error}), 422)
    return site.redirect(visitor, f"/requests/{row.id}?done={action}")


def _detail(
    site: Site,
    visitor: Visitor,
    request_id: str,
    form: Form | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    row = my_request(visitor, request_id)
    waiting = RequestService(visitor.uow).handoffs.waiting_for([row.id]).get(row.id)
    context = {
        "current": "requests",
        "request": request_view(visitor, row, waiting),
        "history": history_of(visitor, row),
        "notes": notes_of(row),
        "attachments": attachments_of(visitor, row),
        "upload": upload_rules(visitor),
        "form": form or Form(),
        "done": done,
    }
    return site.render(visitor, "portal/request.html", context, status=status)


def _types(visitor: Visitor):
    types = RequestTypeCatalogue(visitor.uow).self_service_types()
    return [t for t in types if t.code not in ELSEWHERE]


def _new(site: Site, visitor: Visitor, given: Form, status: int = 200) -> Response:
    types = _types(visitor)
    needs = {name for t in types for name in required_characteristics(t)}
    context = {
        "current": "requests",
        "types": types,
        "needs": [(name, CHARACTERISTICS.get(name, name)) for name in sorted(needs)],
        "form": given,
    }
    return site.render(visitor, "portal/request_new.html", context, status=status)


def _ticket(customer: str, request_type, given: Form) -> dict:
    characteristics = [
        {"@type": "StringCharacteristic", "name": name, "value": given.value(name)}
        for name in required_characteristics(request_type)
    ]
    return {
        "@type": "TroubleTicket",
        "name": request_type.name,
        "description": given.value("description"),
        "troubleTicketSpecification": {"id": request_type.id},
        "channel": {"id": "web", "name": "web"},
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer,
                    "@referredType": "Customer",
                },
            }
        ],
        "troubleTicketCharacteristic": characteristics,
    }
