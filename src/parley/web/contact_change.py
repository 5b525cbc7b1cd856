"""Changing a customer's contact details from a page (the console's 360, the portal's
profile): the email, phone number and postal address, taken in as the API takes them, through
a ``contact.change`` request (TMF621, fulfilled by Parley at once: ``requests/fulfilment.py``
and ``parties/contact_change.py``). So the change is checked by the same rules, the old
details are kept as former ones (identification still finds them), the customer is told as
that request type says, and the request and its interaction are on the customer's record.

Only what differs from the current details is sent; a detail left as it was is not touched.
A refused detail is said beside its field, and nothing is changed.
"""

from datetime import datetime

from parley.db.base import utcnow
from parley.parties.normalize import email_key
from parley.parties.service import PartyService
from parley.requests.models import CustomerRequest
from parley.requests.service import RequestService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.forms import Form
from parley.web.i18n import N_
from parley.web.labels import readable_phone

ADDRESS_FIELDS = ("street1", "street2", "postCode", "city", "country")
FIELDS = ("emailAddress", "phoneNumber", *ADDRESS_FIELDS)
LONGEST = 200
WHERE = "troubleTicketCharacteristic."
WORDING = Wording(
    fields={WHERE + name: name for name in FIELDS},
    messages={
        "emailAddress": N_("Not an email address that can be used, e.g. anna@example.org."),
        "phoneNumber": N_("Not a phone number that can be used."),
        "street1": N_("Needed for a postal address."),
        "postCode": N_("Needed for a postal address."),
        "city": N_("Needed for a postal address."),
        "country": N_("Needed for a postal address."),
    },
)


def contact_form_values(media: list[dict]) -> dict[str, str]:
    """The current email, phone and postal address, as the edit form starts."""
    values = dict.fromkeys(FIELDS, "")
    for medium in (m for m in media if is_current(m)):
        kind = medium.get("@type")
        if kind == "EmailContactMedium" and not values["emailAddress"]:
            values["emailAddress"] = medium.get("emailAddress") or ""
        elif kind == "PhoneContactMedium" and not values["phoneNumber"]:
            values["phoneNumber"] = readable_phone(medium.get("phoneNumber") or "")
        elif kind == "GeographicAddressContactMedium" and not values["city"]:
            for name in ADDRESS_FIELDS:
                values[name] = medium.get(name) or ""
    return values


def is_current(medium: dict) -> bool:
    """Not ended: a former address or number is history, not a way to reach them."""
    ends = instant((medium.get("validFor") or {}).get("endDateTime"))
    return ends is None or ends > utcnow()


def send_change(
    visitor: Visitor,
    customer_id: str,
    given: Form,
    description: str,
    related: list[dict] | None = None,
) -> CustomerRequest | None:
    """Send what changed as a contact change (``related``: entities it names, such as the
    interaction it was asked in); None if nothing did. ``Refused`` says why not."""
    gettext = visitor.locale.gettext
    values = {name: printable(given.value(name)) for name in FIELDS}
    given.values = values
    current = contact_form_values(PartyService(visitor.uow).contact_media_of_customer(customer_id))
    errors = {
        n: gettext("At most 200 characters, please.") for n in FIELDS if len(values[n]) > LONGEST
    }
    changed: dict[str, str] = {}
    if email_key(values["emailAddress"]) != email_key(current["emailAddress"]):
        changed["emailAddress"] = values["emailAddress"]
    if _digits(values["phoneNumber"]) != _digits(current["phoneNumber"]):
        changed["phoneNumber"] = values["phoneNumber"]
    if any(values[n] != current[n] for n in ADDRESS_FIELDS):
        changed.update({n: values[n] for n in ADDRESS_FIELDS if values[n]})
        if not any(values[n] for n in ADDRESS_FIELDS):
            errors["street1"] = gettext("A postal address cannot be removed, only replaced.")
    for name in ("emailAddress", "phoneNumber"):
        if name in changed and not changed[name]:
            errors[name] = gettext("This cannot be removed, only replaced by a new one.")
    if errors:
        raise Refused(errors)
    if not changed:
        return None
    document = {
        "@type": "TroubleTicket",
        "ticketType": "contact.change",
        "description": description,
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
        "troubleTicketCharacteristic": [
            {"@type": "StringCharacteristic", "name": name, "value": value}
            for name, value in changed.items()
        ],
    }
    if related:
        document["relatedEntity"] = related
    return attempt(visitor, lambda: RequestService(visitor.uow).create(document), WORDING)


def _digits(phone: str) -> str:
    """A number as dialled, whatever the spaces: +49 171 234 and +49171234 are the same."""
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def instant(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
