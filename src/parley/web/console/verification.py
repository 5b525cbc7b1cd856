"""Verifying a caller on the customer's header: the PIN or one of their security questions,
checked by the verification service the API's ``/api/v1/customers/{id}/verification`` uses
(the same lock-out after repeated failures, every check recorded with who asked and through
which channel). The header says where the caller stands: verified now (a passed check within
``VERIFIED_FOR``, the latest one), not verified, or locked until a time.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from parley.auth.permissions import VERIFICATION_USE
from parley.db.base import utcnow
from parley.errors import InvalidInput
from parley.parties.options import PartyOptions
from parley.parties.verification import VerificationService
from parley.web.access import Visitor
from parley.web.i18n import N_

VERIFIED_FOR = timedelta(minutes=30)  # a call, or a little more: then ask again
MAX_ANSWER = 200
PIN = "pin"


@dataclass(frozen=True)
class Method:
    value: str  # "pin" or "question:<id>"
    label: str  # a msgid (the PIN) or the question as written


@dataclass
class VerificationView:
    state: str  # verified, unverified, locked, unavailable (no PIN, no questions)
    methods: list[Method]
    verified_at: datetime | None = None
    verified_by: str | None = None
    verified_with: str | None = None  # pin, question
    locked_until: datetime | None = None
    attempts_left: int | None = None
    last_outcome: str | None = None  # of the latest check, when not verified now
    chosen: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def verification_of(visitor: Visitor, customer_id: str) -> VerificationView | None:
    """Where the caller stands (None: the visitor may not verify)."""
    if not visitor.may(VERIFICATION_USE):
        return None
    service = VerificationService(visitor.uow)
    security, questions = service.security_of(customer_id)
    methods = []
    if security is not None and security.pin_hash:
        methods.append(Method(PIN, N_("PIN")))
    methods += [Method(f"question:{q.id}", q.question) for q in questions]
    if not methods:
        return VerificationView("unavailable", [])
    now = utcnow()
    if security is not None and security.locked_until and security.locked_until > now:
        return VerificationView("locked", methods, locked_until=security.locked_until)
    limit = visitor.uow.options(PartyOptions).verification_max_failures
    left = limit - (security.failed_attempts if security is not None else 0)
    latest = next(iter(service.attempts(customer_id, 1)), None)
    if (
        latest is not None
        and latest.outcome == "passed"
        and latest.attempted_at > now - VERIFIED_FOR
    ):
        return VerificationView(
            "verified",
            methods,
            verified_at=latest.attempted_at,
            verified_by=latest.asked_by,
            verified_with=latest.method,
        )
    outcome = latest.outcome if latest is not None else None
    return VerificationView(
        "unverified", methods, attempts_left=left, last_outcome=outcome, chosen=methods[0].value
    )


def verify(visitor: Visitor, customer_id: str, form: dict[str, str]) -> VerificationView:
    """Check what the caller said; the view afterwards, with what to say beside the fields (a
    failed check is recorded, and said; a form that can't be checked changes nothing)."""
    gettext = visitor.locale.gettext
    chosen, answer = form.get("method", ""), form.get("answer", "").strip()
    before = verification_of(visitor, customer_id)
    if before is None or before.state == "unavailable":
        raise InvalidInput("no PIN or security questions to verify with", "method")
    errors: dict[str, str] = {}
    if chosen not in {m.value for m in before.methods}:
        errors["method"] = gettext("Choose how to verify the caller.")
    if not answer:
        errors["answer"] = gettext("Enter what the caller says.")
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = gettext("That is longer than any answer can be.")
    if errors:
        return _with(before, chosen, errors)
    method, _, question = chosen.partition(":")
    result = VerificationService(visitor.uow).verify(
        customer_id, "question" if method == "question" else PIN, answer, question or None
    )
    after = verification_of(visitor, customer_id)
    assert after is not None
    if result.outcome == "failed":
        if result.locked_until is not None:
            message = gettext("Not right. Verification is now locked until %(time)s.") % {
                "time": visitor.locale.clock(result.locked_until)
            }
        else:
            message = visitor.locale.ngettext(
                "Not right. %(num)d attempt left before verification locks.",
                "Not right. %(num)d attempts left before verification locks.",
                result.attempts_remaining,
            ) % {"num": result.attempts_remaining}
        return _with(after, chosen, {"answer": message})
    if result.outcome == "locked":
        message = gettext("Verification is locked until %(time)s.") % {
            "time": visitor.locale.clock(result.locked_until)
        }
        return _with(after, chosen, {"answer": message})
    return after


def _with(view: VerificationView, chosen: str, errors: dict[str, str]) -> VerificationView:
    view.errors = errors
    if chosen in {m.value for m in view.methods}:
        view.chosen = chosen
    return view
