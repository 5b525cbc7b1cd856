"""Parley's own API for interactions: a customer's timeline, the summary a customer is sent of
an interaction, and the reason catalogue."""

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import AppLinks, RequestWork
from parley.api.security import Caller, require
from parley.api.v1.kit import VisibleCustomer
from parley.auth.permissions import INTERACTION_READ, INTERACTION_WRITE, REASON_WRITE
from parley.errors import InvalidInput
from parley.interactions.models import DIRECTIONS
from parley.interactions.reasons import ReasonCatalogue
from parley.interactions.service import MAX_TIMELINE_PAGE, InteractionService
from parley.notifications.summaries import InteractionSummaries

SummaryPolicy = Literal["never", "agentDecides", "always"]


class NewReason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, examples=["billing.dispute"])
    label: str = Field(min_length=1, max_length=200, examples=["Bill dispute"])
    category: str = Field(min_length=1, max_length=64, examples=["billing"])
    summaryPolicy: SummaryPolicy = Field(
        "never",
        description="whether the customer is sent a summary of an interaction completed for "
        "this reason: never, agentDecides (the agent, or a client, asks for it) or always",
    )


class ReasonChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(None, min_length=1, max_length=200)
    category: str | None = Field(None, min_length=1, max_length=64)
    active: bool | None = None
    summaryPolicy: SummaryPolicy | None = None


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["interactions"])

    @api.get(
        "/customers/{customer_id}/interactions",
        summary="A customer's history across all channels, newest first, a page at a time",
        description="Follow `nextCursor` for older entries (null on the last page). Covers the "
        "customer's engaged party: this account, the person's former accounts and what was "
        "logged before they became a customer; a customer's own log-in sees its account only.",
        dependencies=[require(INTERACTION_READ)],
    )
    def timeline(
        customer_id: VisibleCustomer,
        uow: RequestWork,
        principal: Caller,
        links: AppLinks,
        limit: int = Query(20, ge=1, le=MAX_TIMELINE_PAGE),
        cursor: str | None = Query(None, max_length=200),
        channel: str | None = Query(None, max_length=100),
        direction: str | None = Query(None),
        reason: str | None = Query(None, max_length=64, description="a reason code"),
        since: datetime | None = Query(None, description="inclusive, with a time zone"),
        until: datetime | None = Query(None, description="exclusive, with a time zone"),
        related_entity: str | None = Query(
            None, alias="relatedEntity", max_length=200, description="e.g. a request's id"
        ),
    ):
        if direction is not None and direction not in DIRECTIONS:
            raise InvalidInput("direction: inbound or outbound", "direction")
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput(f"{name}: give a time zone (e.g. Z)", name)
            if moment is not None and not _in_utc_range(moment):
                raise InvalidInput(f"{name}: outside the years 1 to 9999 in UTC", name)
        page = InteractionService(uow).timeline(
            customer_id,
            limit=limit,
            cursor=cursor,
            own_only=principal.is_customer,
            channel=channel,
            direction=direction,
            reason=reason,
            since=since,
            until=until,
            related_entity=related_entity,
        )
        link = links.collection("PartyInteraction") + "/"
        return {
            "customerId": customer_id,
            "items": [_entry(row, link) for row in page.items],
            "nextCursor": page.next_cursor,
        }

    @api.post(
        "/interactions/{interaction_id}/summary",
        status_code=201,
        summary="Send the customer a summary of a completed interaction",
        description="For an interaction whose reason's summaryPolicy is agentDecides (one "
        "whose policy is always gets its summary when completed). 409 if the reason sends "
        "none, the interaction is still open, or a summary was sent already.",
        dependencies=[require(INTERACTION_WRITE)],
    )
    def send_summary(interaction_id: str, uow: RequestWork, principal: Caller, links: AppLinks):
        message = InteractionSummaries(uow).send(interaction_id, principal)
        return {
            "interactionId": interaction_id,
            "message": {
                "id": message.id,
                "href": links.href("CommunicationMessage", message.id),
                "messageType": message.channel,
                "state": message.state,
            },
        }

    @api.get(
        "/interaction-reasons",
        summary="The catalogue of interaction reasons",
        dependencies=[require(INTERACTION_READ)],
    )
    def list_reasons(uow: RequestWork, active_only: bool = Query(False, alias="activeOnly")):
        return [_reason(r) for r in ReasonCatalogue(uow).list_reasons(not active_only)]

    @api.post(
        "/interaction-reasons",
        status_code=201,
        summary="Add a reason to the catalogue",
        dependencies=[require(REASON_WRITE)],
    )
    def add_reason(body: NewReason, uow: RequestWork):
        catalogue = ReasonCatalogue(uow)
        reason = catalogue.create(body.code, body.label, body.category, body.summaryPolicy)
        return _reason(reason)

    @api.patch(
        "/interaction-reasons/{code}",
        summary="Relabel, recategorise, deactivate or reactivate a reason, or change its "
        "summary policy",
        dependencies=[require(REASON_WRITE)],
    )
    def change_reason(
        code: str,
        uow: RequestWork,
        body: ReasonChange = Body(...),
    ):
        changes = body.model_dump(exclude_unset=True)
        if any(value is None for value in changes.values()):
            raise InvalidInput("label, category, active and summaryPolicy cannot be null")
        return _reason(ReasonCatalogue(uow).update(code, changes))

    return api


def _in_utc_range(moment: datetime) -> bool:
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


def _entry(row, link: str) -> dict:
    ended = row.ended_at
    return {
        "id": row.id,
        "href": link + row.id,
        "customerId": row.customer_id,
        "direction": row.direction,
        "channel": row.channel,
        "reason": {"code": row.reason_code, "label": row.reason_label, "text": row.reason},
        "status": row.status,
        "start": row.started_at,
        "end": ended,
        "durationSeconds": (ended - row.started_at).total_seconds() if ended else None,
        "description": row.description,
        "loggedBy": row.logged_by,
    }


def _reason(reason) -> dict:
    return {
        "code": reason.code,
        "label": reason.label,
        "category": reason.category,
        "active": reason.active,
        "summaryPolicy": reason.summary_policy,
    }
