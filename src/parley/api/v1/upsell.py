"""Up-selling over HTTP (docs/upsell.md): the rules (read with ``upsell:read``, managed with
``upsell:write``), a customer's next best offer with its score and reason and the customer's
answer (staff: ``upsell:read``, ``upsell:answer``; a customer's log-in holds neither, so
scores are never shown to customers), and the KPI up-sell acceptance (``report:read``)."""

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from parley.analytics.upsell import UpsellAcceptance, UpsellRules, UpsellService
from parley.analytics.upsell.defaults import DEFAULT_RULES
from parley.analytics.upsell.rules import shown
from parley.analytics.upsell.service import document, evidence_document
from parley.api.deps import AppLinks, RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, VisibleCustomer, listed, paging
from parley.auth.permissions import REPORT_READ, UPSELL_ANSWER, UPSELL_READ, UPSELL_WRITE
from parley.db.base import utcnow

DEFAULT_DAYS = 30
RULE_EXAMPLE = DEFAULT_RULES[0]  # the shipped data add-on rule, as /docs shows it


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["accepted", "refused", "later"] = Field(examples=["accepted"])
    note: str | None = Field(None, max_length=500, examples=["Wants it from next month"])
    channel: str = Field(
        "phone", pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="where the customer answered"
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["up-sell"])

    @api.get("/upsell-rules", summary="The up-sell rules", dependencies=[require(UPSELL_READ)])
    def list_rules(uow: RequestWork):
        return [shown(row) for row in UpsellRules(uow).find()]

    @api.post(
        "/upsell-rules",
        status_code=201,
        summary="Add an up-sell rule",
        dependencies=[require(UPSELL_WRITE)],
    )
    def create_rule(uow: RequestWork, rule: dict = Body(..., examples=[RULE_EXAMPLE])):
        return shown(UpsellRules(uow).create(rule))

    @api.get(
        "/upsell-rules/{rule_id}", summary="One up-sell rule", dependencies=[require(UPSELL_READ)]
    )
    def get_rule(rule_id: str, uow: RequestWork):
        return shown(UpsellRules(uow).get(rule_id))

    @api.put(
        "/upsell-rules/{rule_id}",
        summary="Change an up-sell rule (its code stays)",
        dependencies=[require(UPSELL_WRITE)],
    )
    def replace_rule(rule_id: str, uow: RequestWork, rule: dict = Body(...)):
        return shown(UpsellRules(uow).replace(rule_id, rule))

    @api.delete(
        "/upsell-rules/{rule_id}",
        status_code=204,
        summary="Remove an up-sell rule (the offers it made keep its code)",
        dependencies=[require(UPSELL_WRITE)],
    )
    def delete_rule(rule_id: str, uow: RequestWork):
        UpsellRules(uow).delete(rule_id)
        return Response(status_code=204)

    @api.get(
        "/customers/{customer_id}/next-offer",
        summary="The next best offer for a customer, with its score and reason (kept as shown "
        "the first time; the same offer until the customer answers)",
        dependencies=[require(UPSELL_READ)],
    )
    def next_offer(customer_id: VisibleCustomer, uow: RequestWork):
        found = UpsellService(uow).next_offer(customer_id)
        decision = found.decision
        return {
            "customerId": customer_id,
            "offer": document(found.offer) if found.offer is not None else None,
            "blocked": decision.blocked,
            "lastOffer": document(found.last_offer) if found.last_offer is not None else None,
            "candidates": [_candidate(c) for c in decision.candidates],
        }

    @api.get(
        "/customers/{customer_id}/offers",
        summary="The offers made to a customer and their answers, newest first",
        dependencies=[require(UPSELL_READ)],
    )
    def list_offers(
        customer_id: VisibleCustomer,
        response: Response,
        uow: RequestWork,
        page: Annotated[Page, paging(50, 500)],
    ):
        rows, total = UpsellService(uow).offers_of(customer_id, page.offset, page.limit)
        return listed(response, [document(row) for row in rows], total)

    @api.post(
        "/customers/{customer_id}/offers/{offer_id}/answer",
        summary="Record the customer's answer: accepted raises the add-on request, refused "
        "suppresses the offer, later shows it again; each logged as an interaction",
        dependencies=[require(UPSELL_ANSWER)],
    )
    def answer_offer(
        customer_id: VisibleCustomer, offer_id: str, body: Answer, uow: RequestWork, links: AppLinks
    ):
        done = UpsellService(uow).answer(
            customer_id, offer_id, body.answer, body.note, body.channel
        )
        answered = document(done.offer)
        answered["interaction"] = {
            "id": done.interaction_id,
            "href": links.href("PartyInteraction", done.interaction_id),
        }
        if done.request is not None:
            answered["request"] = {
                "id": done.request.id,
                "href": links.href("TroubleTicket", done.request.id),
                "reference": done.request.reference,
                "status": done.request.status,
            }
        return answered

    @api.get(
        "/analytics/upsell-acceptance",
        summary="Up-sell acceptance: offers shown, accepted, refused, later and unanswered, by "
        "rule and offering (docs/analytics.md)",
        dependencies=[require(REPORT_READ)],
    )
    def acceptance(
        uow: RequestWork,
        start: date | None = Query(None, alias="from", description="first day (UTC)"),
        end: date | None = Query(None, alias="to", description="day after the last"),
        group_by: str = Query(
            "rule,offering",
            alias="groupBy",
            max_length=100,
            description="comma-separated, of: rule, offering (empty: the totals only)",
        ),
    ):
        today = utcnow().date()
        end = end or today + timedelta(days=1)
        if start is None:  # the 30 days before ``end`` (the calendar's first day at most)
            start = max(date.min + timedelta(days=DEFAULT_DAYS), end) - timedelta(days=DEFAULT_DAYS)
        names = [name.strip() for name in group_by.split(",") if name.strip()]
        return UpsellAcceptance(uow).figures(start, end, names)

    return api


def _candidate(candidate) -> dict:
    rule = candidate.rule
    return {
        "rule": {"id": rule.id, "code": rule.code, "name": rule.name},
        "productOffering": {"id": rule.offering_id},
        "score": candidate.score,
        "threshold": rule.threshold,
        "evidence": [evidence_document(e) for e in candidate.evidence],
        "blocked": candidate.blocked,
    }
