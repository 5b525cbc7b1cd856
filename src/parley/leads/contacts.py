"""Every contact with a prospect is an interaction of the prospect's party (TMF683), tied to the
lead by an interaction item. A contact that reached the prospect on a phone number or email
verifies that contact medium, which qualification asks for."""

from parley.changes import UnitOfWork
from parley.errors import Conflict, InvalidInput
from parley.interactions.service import InteractionService
from parley.leads.options import LeadOptions
from parley.leads.service import TRANSITIONS, LeadService
from parley.parties.normalize import email_normalized, phone_e164

DEFAULT_REASON = "order.new"


class LeadContacts:
    def __init__(self, uow: UnitOfWork):
        self.leads = LeadService(uow)
        self.interactions = InteractionService(uow)
        self.options = uow.options(LeadOptions)

    def log(
        self,
        lead_id: str,
        direction: str,
        channel: str,
        description: str,
        medium: str | None = None,
        reached: bool = False,
        reason: str | None = None,
    ):
        """Log a contact with the lead's prospect; return the interaction."""
        lead = self.leads.get(lead_id)
        if not TRANSITIONS[lead.status]:
            raise Conflict(f"a {lead.status} lead takes no more contacts")
        prospect = self.leads.prospect(lead)
        canonical = self._medium(medium, lead) if medium else None
        if reached and canonical is None:
            raise InvalidInput(
                "medium: say on which phone number or email the prospect was reached", "medium"
            )
        document = {
            "@type": "PartyInteraction",
            "direction": direction,
            "reason": reason or DEFAULT_REASON,
            "description": description,
            "status": "completed",
            "relatedChannel": [
                {
                    "@type": "RelatedChannel",
                    "role": "contact",
                    "channel": {"@type": "ChannelRef", "id": channel, "name": channel},
                }
            ],
            "relatedParty": [
                {
                    "@type": "RelatedPartyOrPartyRole",
                    "role": "prospect",
                    "partyOrPartyRole": {
                        "@type": "PartyRef",
                        "id": prospect.id,
                        "name": prospect.display_name,
                        "@referredType": prospect.kind,
                    },
                }
            ],
            "interactionItem": [
                {
                    "@type": "InteractionItem",
                    "item": {
                        "@type": "RelatedEntityRefOrValue",
                        "role": "salesLead",
                        "entity": {
                            "@type": "EntityRef",
                            "id": lead.id,
                            "name": lead.name,
                            "@referredType": "SalesLead",
                        },
                    },
                }
            ],
        }
        interaction = self.interactions.create(document)
        if reached:
            self.leads.mark_reached(lead, canonical)
        return interaction

    def history(self, lead_id: str, limit: int = 200):
        """The contacts logged for a lead, newest first (timeline rows)."""
        lead = self.leads.get(lead_id)
        return self.interactions.about_entity(lead.party_id, lead.id, limit)

    def _medium(self, medium: str, lead) -> str:
        if "@" in medium:
            canonical = email_normalized(medium, "medium")
        else:
            canonical = phone_e164(medium, self.options.phone_region, "medium")
        keys = self.leads.prospect_keys(lead.document, self.leads.prospect(lead))
        known = set(keys.phones) | {e.lower() for e in keys.emails}
        if canonical not in known and canonical.lower() not in known:
            raise InvalidInput(
                f"medium: {canonical} is not a contact medium of the prospect (add it to the "
                "prospect or to the lead's prospectContact first)",
                "medium",
            )
        return canonical
