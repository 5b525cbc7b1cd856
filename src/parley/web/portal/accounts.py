"""The customer's billing accounts: what each is called, how bills come and are paid, and a
new one opened (TMF666 through the accounts service, which lets a customer log-in open
accounts for itself only, with the provider's credit limit). Opening one is logged as the
customer's interaction on the web, with the account as its item."""

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.auth.permissions import ACCOUNT_READ, ACCOUNT_WRITE
from parley.parties.accounts.service import BillingAccountService
from parley.parties.models import BILL_DELIVERIES, PAYMENT_METHODS
from parley.web.access import Visitor
from parley.web.accounts import accounts_of
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.forms import Form, FormFields
from parley.web.i18n import N_
from parley.web.portal.mine import customer_id, log_contact
from parley.web.site import Site

# What a customer chooses for themselves (cards and wallets are set up with the provider).
SELF_SERVICE_PAYMENTS = ("BankAccountDebit", "BankAccountTransfer")
WORDING = Wording(
    fields={"name": "name", "contact": "", "billStructure": "delivery"},
    messages={
        "delivery": N_("Bills by email need an email address in your details."),
        "": N_("Bills need your full postal address: add it under My details first."),
    },
)
OPENED = N_("Your new billing account was opened.")


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Reader = Annotated[Visitor, site.page(ACCOUNT_READ)]
    Opener = Annotated[Visitor, site.page(ACCOUNT_WRITE)]

    @pages.get("/accounts")
    def accounts(request: Request, visitor: Reader):
        done = OPENED if "opened" in request.query_params else None
        return _page(site, visitor, Form({"delivery": "email"}), done=done)

    @pages.post("/accounts")
    def open_account(visitor: Opener, form: FormFields):
        given = Form(
            {
                "name": printable(form.get("name", ""))[:100],
                "delivery": form.get("delivery", ""),
                "payment": form.get("payment", ""),
            }
        )
        gettext = visitor.locale.gettext
        if not given.value("name"):
            given.errors["name"] = gettext("Give the account a name, e.g. Home or Office.")
        if given.value("delivery") not in BILL_DELIVERIES:
            given.errors["delivery"] = gettext("Choose how your bills should come.")
        if given.value("payment") not in SELF_SERVICE_PAYMENTS:
            given.errors["payment"] = gettext("Choose how you want to pay.")
        if given.errors:
            return _page(site, visitor, given, status=422)
        customer = customer_id(visitor)
        document = _account(customer, given)

        def opened():
            account = BillingAccountService(visitor.uow).create(document)
            log_contact(
                visitor,
                f"Billing account {account.name} opened by the customer in the portal",
                ("billingAccount", "BillingAccount", account.id),
            )

        try:
            attempt(visitor, opened, WORDING)
        except Refused as refused:
            given.errors.update(refused.errors)
            return _page(site, visitor, given, status=422)
        return site.redirect(visitor, "/accounts?opened")

    return pages


def _page(
    site: Site, visitor: Visitor, given: Form, done: str | None = None, status: int = 200
) -> Response:
    context = {
        "current": "accounts",
        "accounts": accounts_of(visitor, customer_id(visitor)) or [],
        "deliveries": BILL_DELIVERIES,
        "payments": [p for p in PAYMENT_METHODS if p in SELF_SERVICE_PAYMENTS],
        "may_open": visitor.may(ACCOUNT_WRITE),
        "form": given,
        "done": done,
    }
    return site.render(visitor, "portal/accounts.html", context, status=status)


def _account(customer: str, given: Form) -> dict:
    return {
        "@type": "BillingAccount",
        "name": given.value("name"),
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "owner",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": customer,
                    "@referredType": "Customer",
                },
            }
        ],
        "billStructure": {
            "@type": "BillStructure",
            "presentationMedia": [
                {"@type": "BillPresentationMedia", "name": given.value("delivery")}
            ],
        },
        "defaultPaymentMethod": {
            "@type": "PaymentMethodRef",
            "id": f"self-service-{given.value('payment')}",
            "@referredType": given.value("payment"),
        },
    }
