"""Parley's own API for outbound communications: message templates and contact preferences."""

from typing import Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import RequestWork
from parley.api.error_answers import also_answers
from parley.api.security import require
from parley.api.v1.kit import VisibleCustomer
from parley.auth.permissions import (
    PREFERENCE_READ,
    PREFERENCE_WRITE,
    TEMPLATE_READ,
    TEMPLATE_WRITE,
)
from parley.notifications.preferences import PreferenceService, as_dict
from parley.notifications.rendering import render
from parley.notifications.templates import TemplateCatalogue, check_wording, plain

# What renders a template (a trial rendering on saving, a preview): 503 when every renderer is
# busy (notifications/renderer.py).
RENDERS = also_answers(503)


class Variables(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Any] = Field(default_factory=dict, examples=[{"customerName": "Ana"}])


class Draft(Variables):
    channel: str = Field(examples=["email"])
    subject: str | None = Field(None, examples=["Your request {{ requestId }}"])
    body: str = Field(examples=["Dear {{ customerName }}, ..."])


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["outbound communications"])

    @api.get(
        "/message-templates",
        summary="The message templates, by kind, channel and language",
        dependencies=[require(TEMPLATE_READ)],
    )
    def list_templates(
        uow: RequestWork,
        kind: str | None = Query(None, max_length=64),
        channel: str | None = Query(None, max_length=16),
        language: str | None = Query(None, max_length=16),
    ):
        return [plain(t) for t in TemplateCatalogue(uow).list_templates(kind, channel, language)]

    @api.post(
        "/message-templates",
        status_code=201,
        summary="Add a template: a kind of message worded for one channel and language",
        description="Fields: kind, channel (email or sms), language, category (service or "
        "marketing), subject (email only) and body, in Jinja2. The answer lists the variables "
        "a sender must give.",
        dependencies=[require(TEMPLATE_WRITE), RENDERS],
    )
    def add_template(uow: RequestWork, body: dict[str, Any] = Body(...)):
        return plain(TemplateCatalogue(uow).create(body))

    @api.get(
        "/message-templates/{template_id}",
        summary="One message template",
        dependencies=[require(TEMPLATE_READ)],
    )
    def get_template(template_id: str, uow: RequestWork):
        return plain(TemplateCatalogue(uow).get(template_id))

    @api.patch(
        "/message-templates/{template_id}",
        summary="Reword, recategorise, deactivate or reactivate a template",
        dependencies=[require(TEMPLATE_WRITE), RENDERS],
    )
    def change_template(template_id: str, uow: RequestWork, body: dict[str, Any] = Body(...)):
        return plain(TemplateCatalogue(uow).update(template_id, body))

    @api.post(
        "/message-templates/{template_id}/preview",
        summary="The message a template makes with these variables",
        description="A variable the template uses but the request does not give is a 400 "
        "naming it: what a sent message would never show as a blank.",
        dependencies=[require(TEMPLATE_READ), RENDERS],
    )
    def preview_template(template_id: str, body: Variables, uow: RequestWork):
        catalogue = TemplateCatalogue(uow)
        template = catalogue.get(template_id)
        return _preview(template.channel, catalogue.render(template, body.variables))

    @api.post(
        "/message-templates/preview",
        summary="Preview a template before saving it",
        dependencies=[require(TEMPLATE_READ), RENDERS],
    )
    def preview_draft(body: Draft):
        subject, text = check_wording(body.channel, body.subject, body.body)
        return _preview(body.channel, render(body.channel, subject, text, body.variables))

    @api.get(
        "/customers/{customer_id}/preferences",
        summary="How a customer wants to be contacted, and their marketing consent",
        dependencies=[require(PREFERENCE_READ)],
    )
    def get_preferences(customer_id: VisibleCustomer, uow: RequestWork):
        return as_dict(PreferenceService(uow).get(customer_id))

    @api.put(
        "/customers/{customer_id}/preferences",
        summary="Set a customer's contact preferences and marketing consent",
        description="preferredChannel (email, sms or null), language (e.g. de), "
        "marketingOptOut, quietHours {start, end} as HH:MM in timeZone (no SMS is sent "
        "inside them; such messages wait), timeZone (IANA). Every change is audited.",
        dependencies=[require(PREFERENCE_WRITE)],
    )
    def set_preferences(
        customer_id: VisibleCustomer, uow: RequestWork, body: dict[str, Any] = Body(...)
    ):
        return as_dict(PreferenceService(uow).replace(customer_id, body))

    return api


def _preview(channel: str, rendered) -> dict:
    return {"channel": channel, "subject": rendered.subject, "body": rendered.body}
