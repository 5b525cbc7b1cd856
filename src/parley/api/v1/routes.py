"""Parley's own API (not a TMF one): identify who is calling, verify them, keep notes."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from parley.api.deps import AppLinks, RequestWork, commit_now
from parley.api.error_answers import also_answers
from parley.api.security import require
from parley.api.throttling import limit_identification
from parley.api.v1.kit import Page, VisibleCustomer, budgeted, paging
from parley.auth.permissions import (
    IDENTIFY_USE,
    NOTE_READ,
    NOTE_WRITE,
    SECURITY_READ,
    SECURITY_WRITE,
    VERIFICATION_USE,
)
from parley.db.base import utcnow
from parley.errors import InvalidInput, TooManyRequests
from parley.links import Links
from parley.parties import schemas
from parley.parties.identification.matching import Identifier
from parley.parties.service import PartyService
from parley.parties.verification import VerificationService


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["identify & verify"])

    @api.get(
        "/identify",
        response_model=schemas.IdentifyResult,
        summary="Find who is calling from a number, email, customer number or name",
        # The permission first: a caller without it is refused before it is counted.
        dependencies=[require(IDENTIFY_USE), Depends(limit_identification)],
    )
    def identify(
        uow: RequestWork,
        links: AppLinks,
        q: str = Query(
            ...,
            min_length=1,
            max_length=200,
            description="What the caller said: customer number, phone, email, "
            "national id, account, or a name (optionally with city)",
        ),
        limit: int = Query(10, ge=1, le=50),
    ):
        if not q.strip():
            raise InvalidInput("q: must not be blank", "q")
        candidates = Identifier(uow).identify(q, limit)
        return {"query": q, "candidates": [_candidate(c, links) for c in candidates]}

    @api.get(
        "/customers/{customer_id}/notes",
        response_model=list[schemas.NoteOut],
        summary="A customer's notes, newest first",
        dependencies=[require(NOTE_READ)],
    )
    def list_notes(
        customer_id: VisibleCustomer,
        request: Request,
        uow: RequestWork,
        page: Annotated[Page, paging(50, 500)],
    ):
        notes, total = PartyService(uow).list_notes(customer_id, page.offset, page.limit)
        notes_out = (schemas.NoteOut.model_validate(_note(n)) for n in notes)
        shown = (note.model_dump(mode="json", by_alias=True) for note in notes_out)
        return budgeted(request, shown, total)

    @api.post(
        "/customers/{customer_id}/notes",
        status_code=201,
        response_model=schemas.NoteOut,
        summary="Add a note to a customer",
        dependencies=[require(NOTE_WRITE)],
    )
    def add_note(customer_id: VisibleCustomer, body: schemas.NoteIn, uow: RequestWork):
        note = PartyService(uow).add_note(customer_id, body.text)
        return _note(note)

    @api.get(
        "/customers/{customer_id}/security",
        response_model=schemas.SecurityOut,
        summary="What security a customer has (no secrets)",
        dependencies=[require(SECURITY_READ)],
    )
    def get_security(customer_id: VisibleCustomer, uow: RequestWork):
        security, questions = VerificationService(uow).security_of(customer_id)
        return _security(security, questions)

    @api.put(
        "/customers/{customer_id}/security",
        response_model=schemas.SecurityOut,
        summary="Set the PIN and/or security questions",
        dependencies=[require(SECURITY_WRITE)],
    )
    def put_security(customer_id: VisibleCustomer, body: schemas.SecurityIn, uow: RequestWork):
        service = VerificationService(uow)
        questions = None
        if body.questions is not None:
            questions = [(q.question, q.answer) for q in body.questions]
        service.set_security(customer_id, body.pin, questions)
        return _security(*service.security_of(customer_id))

    @api.post(
        "/customers/{customer_id}/verification",
        response_model=schemas.VerifyOut,
        summary="Check a caller's PIN or security answer",
        # The checks are limited per user and per customer inside the domain: 429.
        dependencies=[require(VERIFICATION_USE), also_answers(429)],
    )
    def verify(customer_id: VisibleCustomer, body: schemas.VerifyIn, uow: RequestWork):
        try:
            result = VerificationService(uow).verify(
                customer_id, body.method, body.answer, body.question_id
            )
        except TooManyRequests:
            commit_now(uow.session)  # the count and the record of the refusal stay
            raise
        return {
            "verified": result.verified,
            "outcome": result.outcome,
            "attempts_remaining": result.attempts_remaining,
            "locked_until": result.locked_until,
        }

    @api.get(
        "/customers/{customer_id}/verification",
        response_model=list[schemas.AttemptOut],
        summary="Recent verification attempts, newest first",
        dependencies=[require(VERIFICATION_USE)],
    )
    def list_attempts(customer_id: VisibleCustomer, uow: RequestWork):
        attempts = VerificationService(uow).attempts(customer_id)
        return [
            {
                "method": a.method,
                "outcome": a.outcome,
                "asked_by": a.asked_by,
                "channel": a.channel,
                "attempted_at": a.attempted_at,
            }
            for a in attempts
        ]

    return api


def _note(note) -> dict:
    return {"id": note.id, "author": note.author, "text": note.text, "created_at": note.created_at}


def _security(security, questions) -> dict:
    return {
        "has_pin": bool(security and security.pin_hash),
        "questions": [{"id": q.id, "question": q.question} for q in questions],
        "locked_until": _active_lock(security),
    }


def _active_lock(security):
    """The end of the verification lock, if one is in force now."""
    if security is None or security.locked_until is None:
        return None
    return security.locked_until if security.locked_until > utcnow() else None


def _candidate(candidate, links: Links) -> dict:
    party, customer = candidate.party, candidate.customer
    return {
        "score": candidate.score,
        "historical": candidate.historical,
        "relation": candidate.relation,
        "party": {
            "id": party.id,
            "href": links.href(party.kind, party.id),
            "@type": party.kind,
            "name": party.display_name,
            "status": party.status,
            "city": party.city,
        },
        "customer": None
        if customer is None
        else {
            "id": customer.id,
            "href": links.href("Customer", customer.id),
            "customer_number": customer.customer_number,
            "name": customer.name,
            "status": customer.status,
        },
        "reasons": [vars(r) for r in candidate.reasons],
    }
