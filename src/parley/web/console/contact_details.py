"""Changing a customer's contact details from the 360 (``web/contact_change.py``, as the
portal does): within a contact in progress the ``contact.change`` request is raised in it.
"""

from parley.interactions.models import COMPLETED
from parley.web.access import Visitor
from parley.web.console.contact_log import open_contact
from parley.web.contact_change import FIELDS, send_change
from parley.web.forms import Form

__all__ = ["FIELDS", "change"]
DESCRIPTION = "Contact details changed in the agent console"


def change(visitor: Visitor, customer_id: str, given: Form, contact: str | None) -> bool:
    """Send what changed as a contact change; False if nothing did. ``Refused`` says why not."""
    interaction = open_contact(visitor, customer_id, contact[:64]) if contact else None
    related = None
    if interaction is not None and interaction.status != COMPLETED:
        related = [
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
    return send_change(visitor, customer_id, given, DESCRIPTION, related) is not None
