"""What menus can do: the actions a screen names (menus.ACTIONS), carried out through Parley's
services in the session's unit of work. Each answers the text the screen shows as
``{result}``, in the session's language. The caller reaches only their own customer's
requests: every action acts for the customer identified from the MSISDN, never for an id a
caller could type.
"""

from dataclasses import dataclass, field

from parley.changes import UnitOfWork
from parley.db.base import iso
from parley.errors import InvalidInput
from parley.interactions.models import Interaction
from parley.notifications.preferences import PreferenceService, as_dict
from parley.offers import OfferCatalogue
from parley.requests.service import ADDON_SELECTION, RequestService

LATEST_REQUESTS = 3
MAX_ADDONS = 9  # one key each on a handset's pad
WORDS = {
    "en": {
        "none": "You have no requests.",
        "raised": "Request {reference} raised. We will keep you informed.",
        "callback": "We will call you back on {number} ({window}). Reference {reference}.",
        "saved": "Saved.",
        "transfer": "Connecting you to an agent.",
        "expected": "expected",
        "no_addons": "No add-ons are available to you now.",
        "addon": "{name} ordered. Reference {reference}.",
    },
    "de": {
        "none": "Sie haben keine Anfragen.",
        "raised": "Anfrage {reference} erfasst. Wir halten Sie auf dem Laufenden.",
        "callback": "Wir rufen Sie unter {number} zurück ({window}). Referenz {reference}.",
        "saved": "Gespeichert.",
        "transfer": "Sie werden mit einem Mitarbeiter verbunden.",
        "expected": "erwartet",
        "no_addons": "Derzeit sind keine Zusatzpakete für Sie verfügbar.",
        "addon": "{name} bestellt. Referenz {reference}.",
    },
}
STATUS_WORDS = {
    "de": {
        "acknowledged": "eingegangen",
        "inProgress": "in Bearbeitung",
        "pending": "wartet auf Sie",
        "held": "angehalten",
        "resolved": "gelöst",
        "closed": "abgeschlossen",
        "cancelled": "storniert",
    }
}
BILL_DELIVERY = {"email": "email", "sms": "sms"}


@dataclass
class Context:
    """What an action knows of the session."""

    channel: str
    msisdn: str
    customer_id: str | None
    interaction: Interaction | None
    language: str
    values: dict = field(default_factory=dict)  # the caller's inputs by name
    interaction_id: str | None = None  # the session's interaction (even when not loaded)


@dataclass
class Outcome:
    text: str
    language: str | None = None  # the session continues in this language
    transfer: dict | None = None  # the caller is handed to an agent queue


def run_action(uow: UnitOfWork, name: str, params: dict, context: Context) -> Outcome:
    return _ACTIONS[name](uow, params, context)


def _value(params: dict, key: str, context: Context) -> str:
    """A parameter: the caller's input of that name if there is one, else the literal."""
    given = str(params.get(key) or "")
    return str(context.values.get(given, given))


def latest_requests(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    words = WORDS[context.language]
    if context.customer_id is None:
        return Outcome(words["none"])
    service = RequestService(uow)
    lines = []
    for row in service.of_customer(context.customer_id, LATEST_REQUESTS):
        status = STATUS_WORDS.get(context.language, {}).get(row.status, row.status)
        line = f"{row.reference}: {status}"
        if row.expected_resolution_at and row.status not in ("closed", "cancelled"):
            line += f", {words['expected']} {iso(row.expected_resolution_at)[:10]}"
        lines.append(line)
    return Outcome("\n".join(lines) or words["none"])


def _request_document(params: dict, context: Context, description: str) -> dict:
    document = {
        "@type": "TroubleTicket",
        "ticketType": params["requestType"],
        "name": description[:100] or params["requestType"],
        "description": description,
        "channel": {"@type": "ChannelRef", "id": context.channel, "name": context.channel},
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": context.customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
    }
    if context.interaction is not None:
        document["relatedEntity"] = [
            {
                "@type": "RelatedEntity",
                "role": "interaction",
                "entity": {
                    "@type": "EntityRef",
                    "id": context.interaction.id,
                    "@referredType": "PartyInteraction",
                },
            }
        ]
    return document


def create_request(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    description = _value(params, "description", context) if params.get("description") else ""
    document = _request_document(params, context, description)
    row = RequestService(uow).create(document)
    return Outcome(WORDS[context.language]["raised"].format(reference=row.reference))


def request_callback(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    window = _value(params, "window", context)
    document = _request_document(params, context, f"Call back {context.msisdn}, {window}")
    document["troubleTicketCharacteristic"] = [
        {"@type": "StringCharacteristic", "name": "callbackNumber", "value": context.msisdn},
        {"@type": "StringCharacteristic", "name": "callbackWindow", "value": window},
    ]
    row = RequestService(uow).create(document)
    text = WORDS[context.language]["callback"].format(
        number=context.msisdn, window=window, reference=row.reference
    )
    return Outcome(text)


def _addons(uow: UnitOfWork, context: Context) -> list:
    if context.customer_id is None:
        return []
    return OfferCatalogue(uow).selectable_for(context.customer_id, MAX_ADDONS)


def list_addons(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    """The add-ons the caller may select now, numbered (the portal's Offers, in short)."""
    lines = []
    for number, row in enumerate(_addons(uow, context), start=1):
        lines.append(f"{number} {row.name}{_price(row.document)}")
    return Outcome("\n".join(lines) or WORDS[context.language]["no_addons"])


def select_addon(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    """The add-on of the number the caller chose from ``list_addons``: an ``addon.selection``
    request, checked and handed to ordering as the portal's is."""
    choice = _value(params, "choice", context).strip()
    offered = _addons(uow, context)
    if not choice.isdigit() or not 1 <= int(choice) <= len(offered):
        raise InvalidInput(f"choice: one of 1 to {len(offered)}", "choice")
    offering = offered[int(choice) - 1]
    document = _request_document(
        {"requestType": ADDON_SELECTION}, context, f"Add-on: {offering.name}"
    )
    document["troubleTicketCharacteristic"] = [
        {"@type": "StringCharacteristic", "name": "productOffering", "value": offering.id}
    ]
    row = RequestService(uow).create(document)
    text = WORDS[context.language]["addon"].format(name=offering.name, reference=row.reference)
    return Outcome(text)


def _price(document: dict) -> str:
    """The first price with an amount: " 9.99 EUR"."""
    for price in document.get("productOfferingPrice") or []:
        money = price.get("price") or {}
        if "value" in money:
            return f" {money['value']} {money.get('unit', '')}".rstrip()
    return ""


def set_preference(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    service = PreferenceService(uow)
    values = as_dict(service.get(context.customer_id))
    value = _value(params, "value", context)
    language = None
    if params["field"] == "billDelivery":
        values["preferredChannel"] = BILL_DELIVERY.get(value, value)
    elif params["field"] == "language":
        values["language"] = language = value
    else:
        values["marketingOptOut"] = value.lower() in ("true", "yes", "1", "stop")
    service.replace(context.customer_id, {k: v for k, v in values.items() if v is not None})
    if language not in WORDS:
        language = None
    return Outcome(WORDS[language or context.language]["saved"], language)


def set_language(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    language = _value(params, "value", context)
    language = language if language in WORDS else context.language
    return Outcome(WORDS[language]["saved"], language)


def transfer(uow: UnitOfWork, params: dict, context: Context) -> Outcome:
    handed = {
        "queue": params["queue"],
        "msisdn": context.msisdn,
        "customerId": context.customer_id,
        "interactionId": context.interaction_id,
    }
    return Outcome(WORDS[context.language]["transfer"], transfer=handed)


_ACTIONS = {
    "requests.latest": latest_requests,
    "request.create": create_request,
    "callback.request": request_callback,
    "addons.list": list_addons,
    "addon.select": select_addon,
    "preference.set": set_preference,
    "language.set": set_language,
    "transfer": transfer,
}
