"""Each session is one inbound interaction: opened when the session starts, completed when it
ends, with the path of screens and inputs as its items (a PIN is never written down). A
session that timed out is completed all the same, marked abandoned."""

from parley.changes import UnitOfWork
from parley.channels.models import ABANDONED, ChannelSession
from parley.db.base import utcnow
from parley.interactions.models import Interaction
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
        if row.interaction_id is None:
            return
        items = [
            {
                "@type": "InteractionItem",
                "interactionItemType": "menuStep",
                "reason": entry["screen"],
                "resolution": entry["input"],
                "itemDate": {"startDateTime": entry["at"][:19] + "Z"},
            }
            for entry in (row.state or {}).get("path", [])
        ]
        said_after = ""
        if status == ABANDONED:
            said_after = " - abandoned"
            note = "Abandoned: the caller gave no further input before the session timed out."
        elif transfer:
            note = f"Transferred to the agent queue {transfer['queue']}."
        self.interactions.complete(row.interaction_id, items, note, said_after)


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
