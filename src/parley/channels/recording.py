"""Each session is one inbound interaction: opened when the session starts, completed when it
ends, with the path of screens and inputs as its items (a PIN is never written down). A
session that timed out is completed all the same, marked abandoned."""

import copy

from parley.changes import UnitOfWork
from parley.channels.models import ABANDONED, ChannelSession
from parley.db.base import iso, utcnow
from parley.errors import NotFound
from parley.interactions.models import COMPLETED, Interaction
from parley.interactions.service import InteractionService

NAMES = {"ussd": "USSD", "ivr": "IVR", "sms": "SMS"}


class SessionLog:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.interactions = InteractionService(uow)

    def open(self, row: ChannelSession) -> Interaction:
        document = {
            "@type": "PartyInteraction",
            "direction": "inbound",
            "status": "inProgress",
            "description": f"{NAMES.get(row.channel, row.channel)} self-service ({row.gateway})",
            "relatedChannel": [
                {"role": "contact", "channel": {"@type": "ChannelRef", "id": row.channel}}
            ],
            "interactionItem": [],
        }
        if row.customer_id is not None:
            document["relatedParty"] = [_customer(row.customer_id)]
        return self.interactions.create(document)

    def close(
        self, row: ChannelSession, status: str, transfer: dict | None = None, note=None
    ) -> None:
        """End the session and complete its interaction, its path as items."""
        row.status, row.updated_at = status, utcnow()
        try:
            interaction = self.interactions.get(row.interaction_id) if row.interaction_id else None
        except NotFound:
            interaction = None
        if interaction is None or interaction.status == COMPLETED:
            return
        document = copy.deepcopy(interaction.document)
        items = document.setdefault("interactionItem", [])
        for entry in (row.state or {}).get("path", []):
            items.append(
                {
                    "@type": "InteractionItem",
                    "interactionItemType": "menuStep",
                    "reason": entry["screen"],
                    "resolution": entry["input"],
                    "itemDate": {"startDateTime": entry["at"][:19] + "Z"},
                }
            )
        document["status"] = COMPLETED
        document["interactionDate"] = {
            **(document.get("interactionDate") or {}),
            "endDateTime": iso(utcnow()),
        }
        if status == ABANDONED:
            document["description"] = f"{document.get('description', '')} - abandoned"[:500]
            note = "Abandoned: the caller gave no further input before the session timed out."
        elif transfer:
            note = f"Transferred to the agent queue {transfer['queue']}."
        if note:
            document.setdefault("note", []).append({"@type": "Note", "text": note})
        self.interactions.replace(interaction.id, document)


def _customer(customer_id: str) -> dict:
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": "customer",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer_id,
            "@referredType": "Customer",
        },
    }
