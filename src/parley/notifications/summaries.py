"""A summary of an interaction, sent to the customer once it is completed (the seeded
``interaction.summary`` templates), as the interaction's reason says (its summary policy):

- ``never`` (the default): none is sent;
- ``agentDecides``: sent when asked for, by the agent wrapping up in the console or a client
  (``POST /api/v1/interactions/{id}/summary``);
- ``always``: sent for every interaction completed for the reason, however it was completed
  (the console, the TMF683 API, PostgreSQL's direct writes, a request's own interactions).

``always`` follows the interaction's completion event: the event worker's fan-out calls
``on_interaction_event`` (registered by ``parley.wiring``) in its own transaction, so every
path that completes an interaction is covered by the one event each of them writes, and the
busiest write pays nothing for it. A summary goes once: the interaction gets a note (id
``summary``) saying it was sent, in the same transaction as the message, and a note present
means sent. It goes through the customer's preferred channel for service messages (as request
notices do); a customer who cannot be reached gets the message failed, with the reason.
Interactions that are themselves deliveries of a message are never summarised.
"""

import copy

from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, utcnow
from parley.db.repository import Reader
from parley.errors import Conflict
from parley.interactions.models import ALWAYS, COMPLETED, NEVER, Interaction
from parley.interactions.reasons import ReasonCatalogue
from parley.interactions.service import InteractionService
from parley.notifications.messages import CommunicationService
from parley.notifications.models import CommunicationMessage
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.parties.service import PartyService

TEMPLATE = "interaction.summary"
NOTE_ID = "summary"  # the note on the interaction that says its summary was sent
RESOURCE = "partyInteraction"
SMS_SUMMARY = 160  # characters of the summary an SMS carries (the template adds its own)
SUMMARY = 1000


class InteractionSummaries:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.interactions = InteractionService(uow)

    def policy(self, interaction: Interaction) -> str:
        """The summary policy of the interaction's reason (``never`` without a known one)."""
        if not interaction.reason_code:
            return NEVER
        return ReasonCatalogue(self.uow).get(interaction.reason_code).summary_policy

    def sent(self, interaction: Interaction) -> bool:
        return any(n.get("id") == NOTE_ID for n in interaction.document.get("note") or [])

    def send(self, interaction_id: str, reader: Reader | None = None) -> CommunicationMessage:
        """Send the summary because someone asked: the interaction is completed, its reason
        allows a summary, and none was sent yet (else Conflict, nothing sent)."""
        interaction = self.interactions.get(interaction_id, reader)
        if interaction.status != COMPLETED:
            raise Conflict("the interaction is not completed: complete it first", "status")
        if interaction.customer_id is None or _is_delivery(interaction):
            raise Conflict("there is no customer to send a summary of this interaction to")
        if self.policy(interaction) == NEVER:
            raise Conflict(
                "the interaction's reason sends no summaries (its summaryPolicy is never)",
                "reason",
            )
        if self.sent(interaction):
            raise Conflict("a summary of this interaction was sent already")
        return self._send(interaction)

    def when_completed(self, interaction_id: str) -> CommunicationMessage | None:
        """What the completion of an interaction means for its summary: sent if its reason
        always sends one (and it was not sent yet)."""
        interaction = self.interactions.get(interaction_id)
        if interaction.status != COMPLETED or interaction.customer_id is None:
            return None
        if _is_delivery(interaction) or self.sent(interaction):
            return None
        if self.policy(interaction) != ALWAYS:
            return None
        return self._send(interaction)

    def _send(self, interaction: Interaction) -> CommunicationMessage:
        customer_id = interaction.customer_id
        try:
            channel = PreferenceService(self.uow).delivery(customer_id, "service").channel
        except NotDeliverable:
            channel = "email"  # the message is kept, failed, saying why
        customer = PartyService(self.uow).get_customer(customer_id)
        text = summary_text(interaction, self._label(interaction))
        if channel == "sms" and len(text) > SMS_SUMMARY:
            text = text[: SMS_SUMMARY - 1].rstrip() + "…"
        variables = {
            "customerName": customer.name,
            "date": interaction.started_at.date().isoformat(),
            "summary": text,
            "interactionId": interaction.id,
        }
        document = {
            "@type": "CommunicationMessage",
            "messageType": channel,
            "description": f"summary of interaction {interaction.id}",
            "receiver": [
                {"@type": "Receiver", "party": {"id": customer.id, "@referredType": "Customer"}}
            ],
            "characteristic": [
                {"name": "templateKind", "value": TEMPLATE},
                {"name": "category", "value": "service"},
                *({"name": k, "value": v} for k, v in variables.items()),
            ],
        }
        message = CommunicationService(self.uow).create(document)
        self._mark(interaction, channel, message)
        return message

    def _mark(self, interaction: Interaction, channel: str, message: CommunicationMessage) -> None:
        document = copy.deepcopy(interaction.document)
        note = {
            "@type": "Note",
            "id": NOTE_ID,
            "author": self.uow.writer().name,
            "date": iso(utcnow()),
            "text": f"Summary sent to the customer by {channel} (message {message.id}).",
        }
        document["note"] = [*(document.get("note") or []), note]
        self.interactions.replace(interaction.id, document)

    def _label(self, interaction: Interaction) -> str | None:
        if not interaction.reason_code:
            return None
        return ReasonCatalogue(self.uow).get(interaction.reason_code).label


def summary_text(interaction: Interaction, reason_label: str | None) -> str:
    """What the customer reads: why they got in touch and what was noted."""
    parts = [p.strip() for p in (reason_label, interaction.document.get("description")) if p]
    text = ". ".join(p.rstrip(".") for p in parts if p) + "." if parts else ""
    return text[:SUMMARY] or "We have noted your contact."


def on_interaction_event(uow: UnitOfWork, event: dict) -> None:
    """The event worker's reaction to an interaction's event: a completion may mean a summary
    (registered by ``parley.wiring``)."""
    document = event.get("document") or {}
    if event.get("kind") not in (CREATE, UPDATE) or document.get("status") != COMPLETED:
        return
    if event.get("kind") == UPDATE and "status" not in (event.get("changedAttributes") or []):
        return
    InteractionSummaries(uow).when_completed(event["resourceId"])


def _is_delivery(interaction: Interaction) -> bool:
    """A logged delivery of a message (which a summary would be, again)."""
    for item in interaction.document.get("interactionItem") or []:
        entity = (item.get("item") or {}).get("entity") or {}
        if entity.get("@referredType") == "CommunicationMessage":
            return True
    return False
