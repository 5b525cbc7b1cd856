"""Changing a customer's contact details from the 360: the email, phone number and postal
address an agent is told, taken in as the API takes them, through a ``contact.change`` request
(TMF621, fulfilled by Parley at once: ``requests/fulfilment.py`` and
``parties/contact_change.py``). So the change is checked by the same rules, the old details
are kept as former ones (identification still finds them), the customer is told as that
request type says, and the request and its interaction are on the customer's record. Within
a contact in progress the request is raised in it.

Only what differs from the current details is sent; a detail left as it was is not touched.
A refused detail is said beside its field, and nothing is changed.
"""

from parley.interactions.models import COMPLETED
from parley.parties.normalize import email_key
from parley.parties.service import PartyService
from parley.requests.service import RequestService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.console.contact_log import open_contact
from parley.web.console.customer_page import ADDRESS_FIELDS, contact_form_values
from parley.web.forms import Form
from parley.web.i18n import N_

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


def change(visitor: Visitor, customer_id: str, given: Form, contact: str | None) -> bool:
    """Send what changed as a contact change; False if nothing did. ``Refused`` says why not."""
    gettext = visitor.locale.gettext
    values = {name: printable(given.value(name)) for name in FIELDS}
    given.values = values
    media = PartyService(visitor.uow).contact_media_of_customer(customer_id)
    current = contact_form_values(media)
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
        return False
    document = {
        "@type": "TroubleTicket",
        "ticketType": "contact.change",
        "description": "Contact details changed in the agent console",
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
    interaction = open_contact(visitor, customer_id, contact[:64]) if contact else None
    if interaction is not None and interaction.status != COMPLETED:
        document["relatedEntity"] = [
            {
                "@type": "RelatedEntity",
                "role": "interaction",
                "entity": {
                    "@type": "EntityRef",
                    "id": interaction.id,
                    "@referredType": "PartyInteraction",
                },
            }
        ]
    attempt(visitor, lambda: RequestService(visitor.uow).create(document), WORDING)
    return True


def _digits(phone: str) -> str:
    """A number as dialled, whatever the spaces: +49 171 234 and +49171234 are the same."""
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")
