"""A customer's billing accounts as the web applications show them (the console's 360, the
portal's accounts page): read through the accounts service, only when the visitor may."""

from dataclasses import dataclass
from decimal import Decimal

from parley.auth.permissions import ACCOUNT_READ
from parley.db.repository import Page
from parley.parties.accounts.service import BillingAccountService
from parley.web.access import Visitor


@dataclass(frozen=True)
class AccountView:
    id: str
    name: str
    state: str
    payment_method: str
    bill_delivery: str
    address: str
    credit_limit: Decimal
    currency: str


def accounts_of(visitor: Visitor, customer_id: str) -> list[AccountView] | None:
    if not visitor.may(ACCOUNT_READ):
        return None
    page = Page({"relatedParty.partyOrPartyRole.id": customer_id}, 0, 20)
    found, _total = BillingAccountService(visitor.uow).find(page, visitor.principal)
    return [
        AccountView(
            id=a.id,
            name=a.name,
            state=a.state,
            payment_method=a.payment_method,
            bill_delivery=a.bill_delivery,
            address=", ".join(
                p
                for p in (a.billing_street, f"{a.billing_postcode} {a.billing_city}", "")
                if p.strip()
            ),
            credit_limit=a.credit_limit,
            currency=a.currency,
        )
        for a in found
    ]
