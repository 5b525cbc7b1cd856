"""The catalogue of interaction reasons: codes an analysis can group by, with labels.

A reason given with an interaction is classified by the catalogue when it is a code ("complaint"),
a label ("Complaint", any case) or a code followed by free text ("billing.dispute: charged
twice"); anything else is kept as free text without a code. Codes are never deleted (history
refers to them); a reason no longer offered is deactivated.

Each reason carries a summary policy: whether the customer is sent a summary of an interaction
completed for it (``never``, the default; ``agentDecides``; ``always``). What sends it is
``notifications/summaries.py``.
"""

import re

from sqlalchemy.orm import Session

from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions.models import NEVER, SUMMARY_POLICIES, InteractionReason
from parley.interactions.repository import InteractionRepository

# The catalogue a new installation starts with (migrations 0005 and 0034 seed the same; a test
# compares).
DEFAULT_REASONS: tuple[tuple[str, str, str], ...] = (
    ("billing.enquiry", "Billing enquiry", "billing"),
    ("billing.dispute", "Bill dispute", "billing"),
    ("billing.issued", "Bill issued", "billing"),
    ("payment", "Payment or direct debit", "billing"),
    ("fault.report", "Fault report", "assurance"),
    ("service.outage", "Service outage", "assurance"),
    ("order.new", "New product or service", "fulfilment"),
    ("order.status", "Order status", "fulfilment"),
    ("plan.change", "Tariff or plan change", "fulfilment"),
    ("contact.change", "Change of contact details", "account"),
    ("account.cancel", "Cancellation", "account"),
    ("complaint", "Complaint", "account"),
    ("request.status", "Request status enquiry", "information"),
    ("information", "General information", "information"),
    ("notification", "Notification to the customer", "information"),
    # Migration 0034 (up-selling): what the shipped up-sell rules count, and an answer to an
    # offer (analytics/upsell).
    ("usage.data", "Data allowance or usage", "usage"),
    ("roaming", "Roaming", "usage"),
    ("offer.answer", "Answer to an offer", "sales"),
)
CODE = re.compile(r"[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*")
RESOURCE = "interactionReason"


class ReasonCatalogue:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = InteractionRepository(uow.session)

    def list_reasons(self, include_inactive: bool = True) -> list[InteractionReason]:
        return self.repo.reasons(include_inactive)

    def get(self, code: str) -> InteractionReason:
        reason = self.repo.reason(code) if isinstance(code, str) and len(code) <= 64 else None
        if reason is None:
            raise NotFound(f"No interaction reason with code {code}")
        return reason

    def create(
        self, code: str, label: str, category: str, summary_policy: str = NEVER
    ) -> InteractionReason:
        code, label, category = code.strip(), label.strip(), category.strip()
        if not CODE.fullmatch(code) or len(code) > 64:
            raise InvalidInput(
                "code: lower-case letters and digits, parts joined by '.', '-' or '_' "
                "(e.g. billing.dispute), at most 64 characters",
                "code",
            )
        _check_text("label", label, 200)
        _check_text("category", category, 64)
        _check_policy(summary_policy)
        if self.repo.reason(code) is not None:
            raise Conflict(f"code: {code} is already in the catalogue")
        reason = _new_reason(code, label, category, summary_policy)
        self.repo.add(reason)
        self.uow.record(RESOURCE, CREATE, code, after=_plain(reason))
        return reason

    def update(self, code: str, changes: dict) -> InteractionReason:
        reason = self.get(code)
        before = _plain(reason)
        unknown = set(changes) - {"label", "category", "active", "summaryPolicy"}
        if unknown:
            raise InvalidInput(
                f"{sorted(unknown)[0]}: cannot be changed "
                "(only label, category, active, summaryPolicy)"
            )
        if "label" in changes:
            reason.label = _check_text("label", changes["label"], 200)
        if "category" in changes:
            reason.category = _check_text("category", changes["category"], 64)
        if "active" in changes:
            if not isinstance(changes["active"], bool):
                raise InvalidInput("active: true or false", "active")
            reason.active = changes["active"]
        if "summaryPolicy" in changes:
            reason.summary_policy = _check_policy(changes["summaryPolicy"])
        reason.updated_at = utcnow()
        self.repo.add(reason)
        self.uow.record(RESOURCE, UPDATE, code, before=before, after=_plain(reason))
        return reason


def _check_text(name: str, value, longest: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name}: required text", name)
    if len(value.strip()) > longest:
        raise InvalidInput(f"{name}: at most {longest} characters", name)
    return value.strip()


def _check_policy(value) -> str:
    if value not in SUMMARY_POLICIES:
        raise InvalidInput(f"summaryPolicy: one of {', '.join(SUMMARY_POLICIES)}", "summaryPolicy")
    return value


def _plain(reason: InteractionReason) -> dict:
    return {
        "code": reason.code,
        "label": reason.label,
        "category": reason.category,
        "active": reason.active,
        "summaryPolicy": reason.summary_policy,
    }


def ensure_default_reasons(session: Session) -> None:
    """Add any default reason that is missing (the migration seeds them; tests empty tables)."""
    repo = InteractionRepository(session)
    present = {reason.code for reason in repo.reasons()}
    for code, label, category in DEFAULT_REASONS:
        if code not in present:
            repo.add(_new_reason(code, label, category))


def _new_reason(
    code: str, label: str, category: str, summary_policy: str = NEVER
) -> InteractionReason:
    now = utcnow()
    return InteractionReason(
        code=code,
        label=label,
        category=category,
        active=True,
        summary_policy=summary_policy,
        created_at=now,
        updated_at=now,
    )
