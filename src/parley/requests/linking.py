"""A request and the interactions around it, linked both ways through the interactions service.

A request is opened within an interaction: the one it names (a ``relatedEntity`` referring to a
PartyInteraction of the same customer, still open), or one logged for it. The ticket refers to
the interaction, and the interaction gets an item referring to the ticket, so each shows up in
the other's history. Closing a request is logged as an interaction of its own.
"""

import copy

from parley.changes import UnitOfWork
from parley.errors import InvalidInput, NotFound
from parley.interactions.models import COMPLETED, Interaction
from parley.interactions.service import InteractionService

INTERACTION = "PartyInteraction"


class InteractionLinks:
    def __init__(self, uow: UnitOfWork):
        self.interactions = InteractionService(uow)

    def given(self, document: dict, customer_id: str | None) -> Interaction | None:
        """The interaction the request names, checked: the same customer's (or, for a ticket
        for no customer, one with none), still open."""
        refs = [
            (index, related.get("entity") or {})
            for index, related in enumerate(document.get("relatedEntity") or [])
            if (related.get("entity") or {}).get("@referredType") == INTERACTION
        ]
        if len(refs) > 1:
            raise InvalidInput("relatedEntity: a request is opened within one interaction")
        if not refs:
            return None
        index, entity = refs[0]
        where = f"relatedEntity[{index}]"
        try:
            interaction = self.interactions.get(str(entity.get("id")))
        except NotFound:
            problem = f"{where}: no party interaction with id {entity.get('id')}"
            raise InvalidInput(problem, where) from None
        if interaction.customer_id != customer_id:
            whose = "another customer" if customer_id else "a customer: name that customer"
            raise InvalidInput(f"{where}: the interaction concerns {whose}", where)
        if interaction.status == COMPLETED:
            raise InvalidInput(
                f"{where}: the interaction is completed; open the request within an open "
                "interaction, or name none and one is logged for it",
                where,
            )
        return interaction

    def link(self, interaction: Interaction, ticket: dict) -> None:
        """Add the ticket to the interaction's items (the way back from the interaction)."""
        document = copy.deepcopy(interaction.document)
        document.setdefault("interactionItem", []).append(_item("request", ticket))
        self.interactions.replace(interaction.id, document)

    def log_opening(self, customer_id: str, ticket: dict, channel: str, reason, text: str):
        """The interaction a request arrived in, when none was named: completed at once."""
        return self._log("inbound", customer_id, ticket, channel, reason, text, "request")

    def log_closing(self, customer_id: str, ticket: dict, channel: str, reason, text: str):
        return self._log("outbound", customer_id, ticket, channel, reason, text, "closedRequest")

    def log_self_service(self, customer_id: str, ticket: dict, channel: str, text: str):
        """What a customer did to their own request themselves (cancelled, reopened, added a
        note): a contact of theirs like a call, with the request as its item."""
        return self._log("inbound", customer_id, ticket, channel, None, text, "request")

    def _log(self, direction, customer_id, ticket, channel, reason, text, role) -> Interaction:
        document = {
            "@type": "PartyInteraction",
            "direction": direction,
            "status": COMPLETED,
            "description": text[:500],
            "relatedChannel": [
                {
                    "@type": "RelatedChannel",  # required by the v5 schema (Extensible)
                    "role": "contact",
                    "channel": {"@type": "ChannelRef", "id": channel},
                }
            ],
            "relatedParty": [
                {
                    "@type": "RelatedPartyOrPartyRole",
                    "role": "customer",
                    "partyOrPartyRole": {
                        "@type": "PartyRoleRef",
                        "id": customer_id,
                        "@referredType": "Customer",
                    },
                }
            ],
            "interactionItem": [_item(role, ticket)],
        }
        if reason:
            document["reason"] = reason
        return self.interactions.create(document)

    def interaction_ref(self, interaction_id: str) -> dict:
        return {
            "@type": "RelatedEntity",
            "role": "interaction",
            "entity": {
                "@type": "EntityRef",
                "id": interaction_id,
                "@referredType": INTERACTION,
            },
        }


def _item(role: str, ticket: dict) -> dict:
    return {
        "@type": "InteractionItem",
        "item": {
            "@type": "RelatedEntityRefOrValue",
            "role": role,
            "entity": {
                "@type": "EntityRef",
                "id": ticket["id"],
                "@referredType": "TroubleTicket",
            },
        },
    }
