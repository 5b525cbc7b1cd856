"""What the leads pages change, through the leads domain (``LeadService``, ``LeadContacts``,
``LeadConversion``) as the API does: a new prospect and their lead (after the duplicate
check), a contact logged, the lead qualified, converted into a customer with a first billing
account. Each raises ``Refused`` with what to say beside which field; a lead changed by
someone else since the page was read is refused as stale (leads carry no version: the time
of their last change stands for it)."""

import copy
from dataclasses import dataclass

from parley.errors import InvalidInput
from parley.leads.contacts import LeadContacts
from parley.leads.conversion import Conversion, LeadConversion
from parley.leads.models import RATINGS, SalesLead
from parley.leads.options import LeadOptions
from parley.leads.service import LeadService, NotQualifiable
from parley.parties.duplicates import DuplicateSuspected, Suspect
from parley.parties.normalize import email_normalized, phone_e164
from parley.parties.service import PartyService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable, text_block
from parley.web.console.freshness import check_fresh
from parley.web.forms import Form
from parley.web.i18n import N_

SOURCE_CHANNELS = ("phone", "web", "email", "store", "chat", "letter")
CONTACT_CHANNELS = ("phone", "email", "sms", "store")
PAYMENT_TYPES = ("BankAccountDebit", "BankAccountTransfer", "BankCard")
ADDRESS = ("street1", "postCode", "city", "country")
LONGEST, LONGEST_TEXT = 200, 2000
CONTACT_WORDING = Wording(fields={"medium": "medium", "description": "description"})
CONVERT_WORDING = Wording(
    fields={"billingAccount": "payment_reference", "defaultPaymentMethod": "payment_reference"}
)
NOT_QUALIFIABLE = N_("Not ready to be qualified: %(detail)s")


@dataclass
class Suspected(Refused):
    """Refused for likely duplicates: shown with their scores and reasons, to force past."""

    suspects: list[Suspect] | None = None


def create(visitor: Visitor, form: Form) -> SalesLead:
    gettext = visitor.locale.gettext
    values = {k: printable(form.value(k)) for k in form.values if k != "interest"}
    interest = text_block(form.value("interest"))
    errors: dict[str, str] = {}
    for name in ("givenName", "familyName"):
        if not values.get(name):
            errors[name] = gettext("Required.")
    for name, value in values.items():
        if len(value) > LONGEST:
            errors[name] = gettext("At most 200 characters, please.")
    if len(interest) > LONGEST_TEXT:
        errors["interest"] = gettext("At most 2000 characters, please.")
    if values.get("channel") not in SOURCE_CHANNELS:
        errors["channel"] = gettext("Choose where the lead came from.")
    if values.get("rating") and values["rating"] not in RATINGS:
        errors["rating"] = gettext("Choose hot, warm or cold.")
    region = visitor.uow.options(LeadOptions).phone_region
    media = []
    if values.get("phone"):
        try:
            media.append(
                {
                    "@type": "PhoneContactMedium",
                    "phoneNumber": phone_e164(values["phone"], region, "phone"),
                }
            )
        except InvalidInput:
            errors["phone"] = gettext("Not a phone number that can be used.")
    if values.get("email"):
        try:
            media.append(
                {
                    "@type": "EmailContactMedium",
                    "emailAddress": email_normalized(values["email"], "email"),
                }
            )
        except InvalidInput:
            errors["email"] = gettext(
                "Not an email address that can be used, e.g. anna@example.org."
            )
    address = {n: values.get(n, "") for n in ADDRESS}
    if any(address.values()):
        for name in ADDRESS:
            if not address[name]:
                errors[name] = gettext("Needed for a postal address.")
        media.append({"@type": "GeographicAddressContactMedium", **address})
    if not values.get("phone") and not values.get("email"):
        errors["phone"] = gettext("Give a phone number or an email address to reach them on.")
    if errors:
        raise Refused(errors)
    name = f"{values['givenName']} {values['familyName']}"

    def change() -> SalesLead:
        party = PartyService(visitor.uow).create_party(
            "Individual",
            {
                "@type": "Individual",
                "givenName": values["givenName"],
                "familyName": values["familyName"],
                "contactMedium": media,
            },
        )
        document = {
            "@type": "SalesLead",
            "name": name,
            "channel": {"id": values["channel"], "name": values["channel"]},
            "relatedParty": [{"id": party.id, "role": "prospect", "@referredType": "Individual"}],
        }
        if interest:
            document["description"] = interest
        if values.get("rating"):
            document["rating"] = values["rating"]
        return LeadService(visitor.uow).create(document, force=form.value("force") == "yes")

    return _with_suspects(visitor, change, Wording(default_field=""))


def log_contact(visitor: Visitor, lead: SalesLead, form: Form) -> None:
    gettext = visitor.locale.gettext
    errors: dict[str, str] = {}
    direction = form.value("direction")
    channel = form.value("channel")
    description = text_block(form.value("description"))
    medium = printable(form.value("medium"))
    reached = form.value("reached") == "yes"
    if direction not in ("inbound", "outbound"):
        errors["direction"] = gettext("Choose who contacted whom.")
    if channel not in CONTACT_CHANNELS:
        errors["channel"] = gettext("Choose the channel.")
    if not description:
        errors["description"] = gettext("Say what was said.")
    elif len(description) > LONGEST_TEXT:
        errors["description"] = gettext("At most 2000 characters, please.")
    if reached and not medium:
        errors["medium"] = gettext("Say on which number or address they were reached.")
    if errors:
        raise Refused(errors)
    contacts = LeadContacts(visitor.uow)
    attempt(
        visitor,
        lambda: contacts.log(lead.id, direction, channel, description, medium or None, reached),
        CONTACT_WORDING,
    )


def qualify(visitor: Visitor, lead: SalesLead, form: Form) -> None:
    check_fresh(visitor, lead, form)
    document = copy.deepcopy(lead.document)
    document["status"] = "qualified"
    try:
        attempt(visitor, lambda: LeadService(visitor.uow).replace(lead.id, document))
    except NotQualifiable as missing:
        detail = missing.message.partition("missing: ")[2] or missing.message
        raise Refused({"": visitor.locale.gettext(NOT_QUALIFIABLE) % {"detail": detail}}) from None


def convert(visitor: Visitor, lead: SalesLead, form: Form) -> Conversion:
    gettext = visitor.locale.gettext
    check_fresh(visitor, lead, form)
    kind = form.value("payment_type")
    reference = printable(form.value("payment_reference"))
    account_name = printable(form.value("account_name"))
    errors: dict[str, str] = {}
    if kind not in PAYMENT_TYPES:
        errors["payment_type"] = gettext("Choose how they will pay.")
    if not reference:
        errors["payment_reference"] = gettext("Give the mandate, account or card reference.")
    for name, value in (("payment_reference", reference), ("account_name", account_name)):
        if len(value) > LONGEST:
            errors[name] = gettext("At most 200 characters, please.")
    if errors:
        raise Refused(errors)
    account = {"defaultPaymentMethod": {"id": reference, "@referredType": kind}}
    if account_name:
        account["name"] = account_name
    force = form.value("force") == "yes"
    conversion = LeadConversion(visitor.uow)
    return _with_suspects(
        visitor, lambda: conversion.convert(lead.id, account, force), CONVERT_WORDING
    )


def _with_suspects(visitor: Visitor, change, wording: Wording):
    try:
        return attempt(visitor, change, wording)
    except DuplicateSuspected as suspected:
        said = visitor.locale.gettext(
            "This looks like someone Parley knows already: check the records below."
        )
        raise Suspected({"": said}, suspected.suspects) from None
