"""Parley's own API for sales leads, beside TMF699: log a contact with the prospect, see the
contacts, see the likely duplicates, and convert a qualified lead into a customer."""

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from parley.api.deps import AppLinks, RequestWork, commit_now
from parley.api.security import require
from parley.api.tmf.account.routes import SPEC_FILE as ACCOUNT_SPEC
from parley.api.tmf.kit.crud import checked
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import LEAD_READ, LEAD_WRITE
from parley.errors import InvalidInput
from parley.leads.contacts import LeadContacts
from parley.leads.conversion import ACCOUNT_FIELDS, LeadConversion
from parley.leads.service import LeadService
from parley.parties.accounts.service import present as present_account
from parley.parties.schemas import Strict


class ContactIn(Strict):
    direction: Literal["inbound", "outbound"]
    channel: str = Field(min_length=1, max_length=100, description="phone, email, shop, ...")
    description: str = Field(min_length=1, max_length=2000)
    medium: str | None = Field(
        default=None, max_length=320, description="The phone number or email used"
    )
    reached: bool = Field(default=False, description="The prospect answered on this medium")
    reason: str | None = Field(default=None, max_length=500)


class ConversionIn(Strict):
    billing_account: dict[str, Any] = Field(
        alias="billingAccount",
        description="The first billing account: defaultPaymentMethod (required), name, "
        "billStructure, creditLimit, ratingType, description, accountType",
    )
    force: bool = Field(default=False, description="Convert despite likely duplicate customers")


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/sales-leads", tags=["sales leads"])

    @api.post(
        "/{lead_id}/contacts",
        status_code=201,
        summary="Log a contact with the prospect (an interaction); reached verifies the medium",
        dependencies=[require(LEAD_WRITE)],
    )
    def log_contact(
        lead_id: str,
        body: ContactIn,
        uow: RequestWork,
        links: AppLinks,
    ):
        interaction = LeadContacts(uow).log(
            lead_id,
            body.direction,
            body.channel.strip(),
            body.description,
            body.medium,
            body.reached,
            body.reason,
        )
        answer = {
            "id": interaction.id,
            "href": links.href("PartyInteraction", interaction.id),
            "status": interaction.status,
        }
        commit_now(uow.session)
        return answer

    @api.get(
        "/{lead_id}/contacts",
        summary="The contacts logged with the prospect for this lead, newest first",
        dependencies=[require(LEAD_READ)],
    )
    def list_contacts(
        lead_id: str,
        uow: RequestWork,
        limit: int = Query(50, ge=1, le=200),
    ):
        rows = LeadContacts(uow).history(lead_id, limit)
        return [
            {
                "id": r.id,
                "direction": r.direction,
                "channel": r.channel,
                "reason": r.reason_code or r.reason,
                "status": r.status,
                "startedAt": r.started_at,
                "description": r.description,
                "loggedBy": r.logged_by,
            }
            for r in rows
        ]

    @api.get(
        "/{lead_id}/duplicates",
        summary="Customers and open leads that are likely this lead's prospect, with reasons",
        dependencies=[require(LEAD_READ)],
    )
    def duplicates(lead_id: str, uow: RequestWork):
        service = LeadService(uow)
        return [s.as_dict() for s in service.duplicates(service.get(lead_id))]

    @api.post(
        "/{lead_id}/conversion",
        status_code=201,
        summary="Convert a qualified lead: customer, primary contact and first billing account",
        dependencies=[require(LEAD_WRITE)],
    )
    def convert(
        lead_id: str,
        body: ConversionIn,
        uow: RequestWork,
        links: AppLinks,
    ):
        unknown = sorted(set(body.billing_account) - set(ACCOUNT_FIELDS) - {"@type"})
        if unknown:
            raise InvalidInput(
                f"billingAccount.{unknown[0]}: not set here (one of {', '.join(ACCOUNT_FIELDS)})"
            )
        fragment = checked(
            load_spec(ACCOUNT_SPEC),
            {"@type": "BillingAccount", **body.billing_account},
            "BillingAccount_FVO",
            partial=True,
        )
        done = LeadConversion(uow).convert(lead_id, fragment, body.force)
        answer = {
            "salesLead": {
                "id": done.lead.id,
                "href": links.href("SalesLead", done.lead.id),
                "status": done.lead.status,
            },
            "customer": {
                "id": done.customer.id,
                "href": links.href("Customer", done.customer.id),
                "customerNumber": done.customer.customer_number,
                "name": done.customer.name,
            },
            "billingAccount": {
                **present_account(done.account),
                "id": done.account.id,
                "href": links.href("BillingAccount", done.account.id),
            },
            "productOrder": done.order,
        }
        answer = links.fill(answer)  # the references' hrefs (parley.links)
        commit_now(uow.session)
        return answer

    return api
