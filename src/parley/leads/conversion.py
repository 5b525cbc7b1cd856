"""Conversion: a qualified lead becomes, in one transaction, a customer (engaged party = the
prospect, primary contact), its first billing account, and a new-customer-acquisition order for
the ordering system; the lead keeps a link to the customer. The prospect's history follows the
person: interactions were logged on the party the customer now engages, and the lead's notes
are carried over to the customer's notes.

All of it runs inside a savepoint: a failure part-way (a bad billing account, a database error)
leaves neither a customer nor a converted lead, whatever the caller does next.
"""

from dataclasses import dataclass

from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.errors import Conflict, NotFound
from parley.leads import document as doc
from parley.leads.models import SalesLead
from parley.leads.service import DuplicateSuspected, LeadService
from parley.outbox.service import OutboxService
from parley.parties.accounts.service import BillingAccountService
from parley.parties.models import BillingAccount, Customer, Party
from parley.parties.service import PRIMARY_CONTACT_ROLE, PartyService

ORDER_CATEGORY = "newCustomerAcquisition"
# What the agent may say about the first billing account; the rest comes from the lead.
ACCOUNT_FIELDS = (
    "name",
    "description",
    "accountType",
    "ratingType",
    "defaultPaymentMethod",
    "billStructure",
    "creditLimit",
)


@dataclass
class Conversion:
    lead: SalesLead
    customer: Customer
    account: BillingAccount
    order: dict  # the new-customer-acquisition order, for the ordering system


class LeadConversion:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.session = uow.session
        self.leads = LeadService(uow)
        self.parties = PartyService(uow)
        self.accounts = BillingAccountService(uow)

    def convert(self, lead_id: str, account: dict, force: bool = False) -> Conversion:
        lead = self.leads.repo.get(lead_id, for_update=True) if len(lead_id) <= 36 else None
        if lead is None:
            raise NotFound(f"No sales lead with id {lead_id}")
        if lead.status != "qualified":
            raise Conflict(f"status: only a qualified lead converts; this one is {lead.status}")
        self.leads.check_qualified(lead)
        prospect = self.leads.prospect(lead)
        customers = [s for s in self.leads.duplicates(lead) if s.customer is not None]
        if customers and not force:
            what = f"The prospect {prospect.display_name}"
            raise DuplicateSuspected(customers, what)
        with self.session.begin_nested():
            contact = self.parties.any_party(lead.contact_party_id or prospect.id)
            # Checked above against customers (the lead's own open lead is no duplicate of it);
            # what was overridden is kept on the lead.
            customer = self.parties.create_customer(
                self._customer_document(prospect, contact), check_duplicates=False
            )
            billing = self.accounts.create(
                self._account_document(lead, prospect, contact, customer, account)
            )
            for note in lead.document.get("note") or []:
                self.parties.carry_note(customer.id, note.get("author", ""), note["text"])
            before = dict(lead.document)
            self._mark_converted(lead, customer, customers)
            self.leads.record_update(lead, before)
            order = new_customer_acquisition_order(lead, customer, billing)
            # In this transaction: the order exists exactly when the conversion does.
            OutboxService(self.uow).enqueue(
                "order", {}, order, idempotency_key=f"acquisition-order:{lead.id}"
            )
        return Conversion(lead, customer, billing, order)

    def _customer_document(self, prospect: Party, contact: Party) -> dict:
        return {
            "@type": "Customer",
            "name": prospect.display_name,
            "status": "active",
            "engagedParty": {
                "@type": "PartyRef",
                "id": prospect.id,
                "name": prospect.display_name,
                "@referredType": prospect.kind,
            },
            "relatedParty": [
                {
                    "@type": "RelatedPartyOrPartyRole",
                    "role": PRIMARY_CONTACT_ROLE,
                    "partyOrPartyRole": {
                        "@type": "PartyRef",
                        "id": contact.id,
                        "name": contact.display_name,
                        "@referredType": contact.kind,
                    },
                }
            ],
        }

    def _account_document(self, lead, prospect, contact, customer, given: dict) -> dict:
        media = [doc.address_of(lead.document, prospect.document)]
        _, emails = doc.prospect_contact_keys(lead.document)
        if emails:
            media.append({"@type": "EmailContactMedium", "emailAddress": emails[0]})
        document = {key: given[key] for key in ACCOUNT_FIELDS if key in given}
        document.setdefault("name", f"{prospect.display_name}")
        document.update(
            {
                "@type": "BillingAccount",
                "relatedParty": [
                    {
                        "@type": "RelatedPartyRefOrPartyRoleRef",
                        "role": "owner",
                        "partyOrPartyRole": {
                            "@type": "PartyRoleRef",
                            "id": customer.id,
                            "@referredType": "Customer",
                        },
                    }
                ],
                "contact": [
                    {
                        "@type": "Contact",
                        "contactType": "primary",
                        "contactName": contact.display_name,
                        "relatedParty": {
                            "@type": "RelatedPartyRefOrPartyRoleRef",
                            "role": "primary",
                            "partyOrPartyRole": {
                                "@type": "PartyRef",
                                "id": contact.id,
                                "@referredType": contact.kind,
                            },
                        },
                        "contactMedium": media,
                    }
                ],
            }
        )
        return document

    def _mark_converted(self, lead: SalesLead, customer: Customer, forced: list) -> None:
        now = utcnow()
        document = dict(lead.document)
        document["status"] = "converted"
        document.setdefault("statusChangeReason", "converted into a customer")
        document["relatedParty"] = [
            *document.get("relatedParty", []),
            {
                "id": customer.id,
                "name": customer.name,
                "role": "customer",
                "@referredType": "Customer",
            },
        ]
        if forced:
            lead.forced_duplicates = [
                *(lead.forced_duplicates or []),
                *(s.as_dict() for s in forced),
            ]
        lead.status, lead.customer_id = "converted", customer.id
        lead.document, lead.updated_at, lead.status_changed_at = document, now, now
        self.leads.repo.add(lead)


def new_customer_acquisition_order(
    lead: SalesLead, customer: Customer, account: BillingAccount
) -> dict:
    """The order the ordering system receives for a converted lead (a TMF622 ProductOrder).

    Its references hold ids, the lead's (its external id) too: their hrefs are made when it
    is sent or shown (parley.links)."""
    items = []
    if lead.document.get("productOffering"):
        offering = {k: v for k, v in lead.document["productOffering"].items() if v is not None}
        items.append(
            {
                "@type": "ProductOrderItem",
                "id": "1",
                "action": "add",
                "quantity": 1,
                "productOffering": {"@type": "ProductOfferingRef", **offering},
            }
        )
    return {
        "@type": "ProductOrder",
        "category": ORDER_CATEGORY,
        "description": f"New customer acquisition from sales lead '{lead.name}'",
        "externalId": [
            {
                "@type": "ExternalIdentifier",
                "id": lead.id,
                "@referredType": "SalesLead",
                "externalIdentifierType": "SalesLead",
            }
        ],
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer.id,
                    "name": customer.name,
                    "@referredType": "Customer",
                },
            }
        ],
        "billingAccount": {
            "@type": "BillingAccountRef",
            "id": account.id,
            "name": account.name,
        },
        "productOrderItem": items,
        "note": [{"@type": "Note", "text": lead.document["description"]}]
        if lead.document.get("description")
        else [],
    }
