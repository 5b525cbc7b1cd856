"""Demo billing accounts: one for every customer still served that has a postal address, paid
by direct debit or card, its bills to the customer's own party at that address, so that
TMF666 has something to show."""

import random

from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.parties.accounts.service import BillingAccountService
from parley.settings import Settings

PAYMENT_METHODS = ("BankAccountDebit", "BankAccountDebit", "BankAccountDebit", "BankCard")
SERVED = ("active", "suspended")
ADDRESS_PARTS = ("street1", "postCode", "city", "country")


def open_demo_accounts(session: Session, settings: Settings, made: list, seed: int) -> int:
    """A billing account for each served customer (``made``: customer and party pairs) whose
    party has a full postal address; returns how many were opened."""
    rng = random.Random(seed)
    service = BillingAccountService(UnitOfWork(session, settings, Actor("demo-loader", "demo")))
    opened = 0
    for customer, party in made:
        address = _postal_address(party.document)
        if customer.status not in SERVED or address is None:
            continue
        service.create(_account(customer, party, address, rng.choice(PAYMENT_METHODS)))
        opened += 1
    return opened


def _account(customer, party, address: dict, method: str) -> dict:
    return {
        "@type": "BillingAccount",
        "name": "Main account",
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
        "defaultPaymentMethod": {
            "@type": "PaymentMethodRef",
            "id": f"pm-{customer.customer_number}",
            "@referredType": method,
        },
        "contact": [
            {
                "@type": "Contact",
                "contactType": "primary",
                "relatedParty": {
                    "@type": "RelatedPartyRefOrPartyRoleRef",
                    "role": "primary",
                    "partyOrPartyRole": {
                        "@type": "PartyRef",
                        "id": party.id,
                        "@referredType": party.kind,
                    },
                },
                "contactMedium": [address],
            }
        ],
    }


def _postal_address(document: dict) -> dict | None:
    for medium in document.get("contactMedium", []):
        if medium.get("@type") == "GeographicAddressContactMedium" and all(
            medium.get(part) for part in ADDRESS_PARTS
        ):
            return {"@type": medium["@type"], **{part: medium[part] for part in ADDRESS_PARTS}}
    return None
