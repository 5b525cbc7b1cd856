"""Log this contact: an interaction started for the customer (on the phone unless the agent
says otherwise), and its wrap-up: the reason from the catalogue, notes and the outcome, which
complete it. A request can be raised from it in the same step, within the interaction: of the
type Parley's classification suggests for the reason, channel and words (the rules the API
applies to a request that names no type), or one the agent chooses, with the characteristics
that type needs asked for by the form. A request Parley fulfils itself is closed at once, and
the page says how. Where the reason leaves it to the agent, the customer can be sent a summary
(``notifications/summaries.py``; a reason that always sends one does so by itself).

Everything goes through the services the API uses, in one savepoint: if any part is refused,
nothing is kept and the form says why beside the field.
"""

import copy
from dataclasses import dataclass, field

from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions.models import AGENT_DECIDES, ALWAYS, COMPLETED, NEVER, Interaction
from parley.interactions.reasons import ReasonCatalogue
from parley.interactions.service import InteractionService
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.notifications.summaries import InteractionSummaries
from parley.requests import lifecycle as lc
from parley.requests.catalogue import RequestTypeCatalogue, required_characteristics
from parley.requests.classification import Arrival, classify
from parley.requests.options import RequestOptions
from parley.requests.service import RequestService
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, text_block, too_long
from parley.web.forms import Form
from parley.web.i18n import N_
from parley.web.labels import CHANNELS, CONTACT_OUTCOMES

START_CHANNELS = ("phone", "email", "chat", "store", "letter", "web", "app")
OUTCOMES = tuple(CONTACT_OUTCOMES)
OUTCOME_NOTE = "outcome"  # the id of the note that records the outcome
MAX_NOTES = 2000
CHARACTERISTIC = "char."  # form fields of a request's characteristics: char.<name>
WORDING = Wording(
    fields={
        "reason": "reason",
        "ticketType": "request_type",
        "troubleTicketSpecification": "request_type",
        "troubleTicketCharacteristic": "request_type",
        "priority": "priority",
        "description": "request_text",
        "status": "",
    },
    messages={"priority": N_("Choose a priority from the list.")},
)


@dataclass(frozen=True)
class ReasonOption:
    code: str
    label: str
    policy: str


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    rule: str  # reasonCode, keyword, channel, default


@dataclass
class WrapUpView:
    interaction: Interaction
    form: Form
    reasons: list[ReasonOption]
    types: list[tuple[str, str]]  # (code, name) of the active request types
    suggestion: Suggestion | None
    request_type: str | None  # the type the request would be: chosen, else suggested
    characteristics: list[str]  # what that type needs
    policy: str | None  # the chosen reason's summary policy
    summary_channel: str | None  # how a summary would reach the customer
    raise_request: bool


@dataclass(frozen=True)
class RaisedView:
    id: str
    type_name: str
    status: str
    outcome: str | None
    resolution: str | None  # what Parley did, for a request it fulfilled


@dataclass
class WrappedView:
    interaction: Interaction
    reason_label: str | None
    outcome: str | None
    requests: list[RaisedView] = field(default_factory=list)
    summary: str | None = None  # the note saying a summary was sent
    summary_always: bool = False  # the reason always sends one: the worker sends it


def start(visitor: Visitor, customer_id: str, form: dict[str, str]) -> Interaction:
    """An interaction with the customer, in progress from now (channel phone unless said)."""
    channel = form.get("channel") or "phone"
    direction = form.get("direction") or "inbound"
    errors = {}
    if channel not in CHANNELS:
        errors["channel"] = visitor.locale.gettext("Choose a channel from the list.")
    if direction not in ("inbound", "outbound"):
        errors["direction"] = visitor.locale.gettext("Choose a direction from the list.")
    if errors:
        raise Refused(errors)
    document = {
        "@type": "PartyInteraction",
        "direction": direction,
        "status": "inProgress",
        "relatedChannel": [
            {
                "@type": "RelatedChannel",
                "role": "contact",
                "channel": {"@type": "ChannelRef", "id": channel, "name": channel},
            }
        ],
        "relatedParty": [_customer_ref(customer_id)],
    }
    return attempt(visitor, lambda: InteractionService(visitor.uow).create(document))


def open_contact(visitor: Visitor, customer_id: str, interaction_id: str) -> Interaction | None:
    """The customer's interaction of that id, if there is one."""
    try:
        found = InteractionService(visitor.uow).get(interaction_id)
    except NotFound:
        return None
    return found if found.customer_id == customer_id else None


def wrap_up_view(visitor: Visitor, interaction: Interaction, form: Form) -> WrapUpView:
    reasons = [
        ReasonOption(r.code, r.label, r.summary_policy)
        for r in ReasonCatalogue(visitor.uow).list_reasons(include_inactive=False)
    ]
    policies = {r.code: r.policy for r in reasons}
    catalogue = RequestTypeCatalogue(visitor.uow)
    active = catalogue.active_types()
    types = sorted(((t.code, t.name) for t in active), key=lambda t: t[1])
    reason = form.value("reason")
    text = form.value("request_text") or form.value("notes")
    suggestion = _suggest(visitor, active, reason, interaction.channel, text)
    chosen = form.value("request_type")
    effective = chosen if chosen in dict(types) else (suggestion.code if suggestion else None)
    needed = []
    if effective is not None:
        needed = required_characteristics(next(t for t in active if t.code == effective))
    summary_channel = None
    if policies.get(reason) in (AGENT_DECIDES, ALWAYS):
        summary_channel = _summary_channel(visitor, interaction.customer_id)
    return WrapUpView(
        interaction=interaction,
        form=form,
        reasons=reasons,
        types=types,
        suggestion=suggestion,
        request_type=effective,
        characteristics=needed,
        policy=policies.get(reason),
        summary_channel=summary_channel,
        raise_request=form.value("raise_request") == "yes",
    )


def wrap_up(visitor: Visitor, customer_id: str, interaction: Interaction, form: Form) -> None:
    """Complete the interaction as the form says (raising a request and sending a summary if
    asked); ``Refused`` with what to say beside the fields, and nothing kept, if not."""
    view = wrap_up_view(visitor, interaction, form)
    errors = _checked(visitor, view)
    if errors:
        raise Refused(errors)
    if interaction.status == COMPLETED:
        raise Refused({"": visitor.locale.gettext("This contact is already completed.")})

    def change() -> None:
        interactions = InteractionService(visitor.uow)
        document = copy.deepcopy(interaction.document)
        document["reason"] = form.value("reason")
        notes = text_block(form.value("notes"))
        if notes:
            document["description"] = notes
        if view.raise_request:
            interactions.replace(interaction.id, document)  # the reason, for classification
            visitor.uow.session.flush()  # its reason's code is worked out by the database
            RequestService(visitor.uow).create(_request(view, customer_id, notes))
            document = copy.deepcopy(interactions.get(interaction.id).document)
        outcome = {"@type": "Note", "id": OUTCOME_NOTE, "text": form.value("outcome")}
        document["note"] = [*(document.get("note") or []), outcome]
        document["status"] = COMPLETED
        interactions.replace(interaction.id, document)
        if form.value("send_summary") == "yes" and view.policy == AGENT_DECIDES:
            InteractionSummaries(visitor.uow).send(interaction.id)

    attempt(visitor, change, WORDING)


def wrapped_view(visitor: Visitor, interaction: Interaction) -> WrappedView:
    """What came of a completed contact: its outcome, the requests raised from it (and what
    Parley did about those it fulfils itself), the summary sent."""
    document = interaction.document
    notes = {n.get("id"): n.get("text") for n in document.get("note") or []}
    label, policy = None, NEVER
    if interaction.reason_code:
        reason = ReasonCatalogue(visitor.uow).get(interaction.reason_code)
        label, policy = reason.label, reason.summary_policy
    view = WrappedView(interaction, label, notes.get(OUTCOME_NOTE))
    view.summary = notes.get("summary")
    view.summary_always = policy == ALWAYS
    requests = RequestService(visitor.uow)
    catalogue = RequestTypeCatalogue(visitor.uow)
    for item in document.get("interactionItem") or []:
        entity = (item.get("item") or {}).get("entity") or {}
        if entity.get("@referredType") != "TroubleTicket":
            continue
        try:
            row = requests.get(entity.get("id") or "")
        except NotFound:
            continue
        closing = [n for n in row.document.get("note") or [] if n.get("author") == "Parley"]
        view.requests.append(
            RaisedView(
                id=row.id,
                type_name=catalogue.get(row.type_id).name,
                status=row.status,
                outcome=row.outcome,
                resolution=closing[-1].get("text") if closing else None,
            )
        )
    return view


def _checked(visitor: Visitor, view: WrapUpView) -> dict[str, str]:
    gettext, form = visitor.locale.gettext, view.form
    errors: dict[str, str] = {}
    if form.value("reason") not in {r.code for r in view.reasons}:
        errors["reason"] = gettext("Choose the reason for the contact.")
    if form.value("outcome") not in OUTCOMES:
        errors["outcome"] = gettext("Choose how the contact ended.")
    for name in ("notes", "request_text"):
        long = too_long(visitor, form.value(name), MAX_NOTES)
        if long:
            errors[name] = long
    if form.value("send_summary") == "yes" and view.policy == NEVER:
        errors["send_summary"] = gettext("This reason sends no summary to the customer.")
    if not view.raise_request:
        return errors
    if form.value("request_type") and form.value("request_type") not in dict(view.types):
        errors["request_type"] = gettext("Choose a request type from the list.")
    elif view.request_type is None and "reason" not in errors:
        errors["request_type"] = gettext(
            "Parley cannot suggest a type for this contact: choose one."
        )
    if form.value("priority") not in lc.PRIORITIES:
        errors["priority"] = gettext("Choose a priority from the list.")
    for name in view.characteristics:
        value = form.value(CHARACTERISTIC + name).strip()
        if not value:
            errors[CHARACTERISTIC + name] = gettext("Needed for this type of request.")
        elif len(value) > 200:
            errors[CHARACTERISTIC + name] = gettext("At most 200 characters, please.")
    return errors


def _request(view: WrapUpView, customer_id: str, notes: str) -> dict:
    form = view.form
    text = text_block(form.value("request_text")) or notes
    document = {
        "@type": "TroubleTicket",
        "description": text or (view.suggestion.name if view.suggestion else "Request"),
        "priority": form.value("priority"),
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
        "relatedEntity": [
            {
                "@type": "RelatedEntity",
                "role": "interaction",
                "entity": {
                    "@type": "EntityRef",
                    "id": view.interaction.id,
                    "@referredType": "PartyInteraction",
                },
            }
        ],
        "troubleTicketCharacteristic": [
            {
                "@type": "StringCharacteristic",
                "name": name,
                "value": form.value(CHARACTERISTIC + name).strip(),
            }
            for name in view.characteristics
        ],
    }
    if view.interaction.channel:
        document["channel"] = {"id": view.interaction.channel, "name": view.interaction.channel}
    if form.value("request_type"):
        document["ticketType"] = form.value("request_type")  # else classified, as the API does
    return document


def _suggest(visitor: Visitor, types, reason: str, channel, text: str) -> Suggestion | None:
    arrival = Arrival(None, None, reason or None, channel, text or "")
    default = visitor.uow.options(RequestOptions).default_type
    try:
        found = classify(arrival, types, default)
    except InvalidInput:
        return None
    return Suggestion(found.request_type.code, found.request_type.name, found.rule)


def _summary_channel(visitor: Visitor, customer_id: str | None) -> str | None:
    if customer_id is None:
        return None
    try:
        return PreferenceService(visitor.uow).delivery(customer_id, "service").channel
    except (NotDeliverable, Conflict):
        return None


def _customer_ref(customer_id: str) -> dict:
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": "customer",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer_id,
            "@referredType": "Customer",
        },
    }
