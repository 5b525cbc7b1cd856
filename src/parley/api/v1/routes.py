"""Parley's own API (not a TMF one): identify who is calling, verify them, keep notes."""

from fastapi import APIRouter, Depends, Query, Request

from parley.api.deps import RequestWork
from parley.api.security import current_principal, require
from parley.api.tmf.kit.responses import list_response
from parley.auth.permissions import (
    IDENTIFY_USE,
    NOTE_READ,
    NOTE_WRITE,
    SECURITY_READ,
    SECURITY_WRITE,
    VERIFICATION_USE,
)
from parley.auth.principal import Principal
from parley.db.base import utcnow
from parley.errors import InvalidInput, NotFound
from parley.links import Links
from parley.parties import schemas
from parley.parties.identification.matching import Identifier
from parley.parties.service import PartyService
from parley.parties.verification import VerificationService
from parley.settings import Settings


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["identify & verify"])

    @api.get(
        "/identify",
        response_model=schemas.IdentifyResult,
        response_model_by_alias=True,
        summary="Find who is calling from a number, email, customer number or name",
        dependencies=[require(IDENTIFY_USE)],
    )
    def identify(
        request: Request,
        uow: RequestWork,
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
        return {"query": q, "candidates": [_candidate(c, uow.settings) for c in candidates]}

    @api.get(
        "/customers/{customer_id}/notes",
        response_model=list[schemas.NoteOut],
        response_model_by_alias=True,
        summary="A customer's notes, newest first",
        dependencies=[require(NOTE_READ)],
    )
    def list_notes(
        customer_id: str,
        request: Request,
        uow: RequestWork,
        offset: int = Query(0, ge=0, le=2**31 - 1),
        limit: int = Query(50, ge=1, le=500),
        principal: Principal = Depends(current_principal),
    ):
        _own(principal, customer_id)
        notes, total = PartyService(uow).list_notes(customer_id, offset, limit)
        shown = (
            schemas.NoteOut.model_validate(_note(n)).model_dump(mode="json", by_alias=True)
            for n in notes
        )
        return list_response(shown, total, request.app.state.settings.max_page_bytes)

    @api.post(
        "/customers/{customer_id}/notes",
        status_code=201,
        response_model=schemas.NoteOut,
        response_model_by_alias=True,
        summary="Add a note to a customer",
        dependencies=[require(NOTE_WRITE)],
    )
    def add_note(
        customer_id: str,
        body: schemas.NoteIn,
        uow: RequestWork,
        principal: Principal = Depends(current_principal),
    ):
        _own(principal, customer_id)
        note = PartyService(uow).add_note(customer_id, body.text)
        return _note(note)

    @api.get(
        "/customers/{customer_id}/security",
        response_model=schemas.SecurityOut,
        response_model_by_alias=True,
        summary="What security a customer has (no secrets)",
        dependencies=[require(SECURITY_READ)],
    )
    def get_security(
        customer_id: str,
        uow: RequestWork,
        principal: Principal = Depends(current_principal),
    ):
        _own(principal, customer_id)
        security, questions = VerificationService(uow).security_of(customer_id)
        return _security(security, questions)

    @api.put(
        "/customers/{customer_id}/security",
        response_model=schemas.SecurityOut,
        response_model_by_alias=True,
        summary="Set the PIN and/or security questions",
        dependencies=[require(SECURITY_WRITE)],
    )
    def put_security(
        customer_id: str,
        body: schemas.SecurityIn,
        uow: RequestWork,
        principal: Principal = Depends(current_principal),
    ):
        _own(principal, customer_id)
        service = VerificationService(uow)
        questions = None
        if body.questions is not None:
            questions = [(q.question, q.answer) for q in body.questions]
        service.set_security(customer_id, body.pin, questions)
        return _security(*service.security_of(customer_id))

    @api.post(
        "/customers/{customer_id}/verification",
        response_model=schemas.VerifyOut,
        response_model_by_alias=True,
        summary="Check a caller's PIN or security answer",
        dependencies=[require(VERIFICATION_USE)],
    )
    def verify(
        customer_id: str,
        body: schemas.VerifyIn,
        uow: RequestWork,
        principal: Principal = Depends(current_principal),
    ):
        _own(principal, customer_id)
        result = VerificationService(uow).verify(
            customer_id, body.method, body.answer, body.question_id
        )
        return {
            "verified": result.verified,
            "outcome": result.outcome,
            "attempts_remaining": result.attempts_remaining,
            "locked_until": result.locked_until,
        }

    @api.get(
        "/customers/{customer_id}/verification",
        response_model=list[schemas.AttemptOut],
        response_model_by_alias=True,
        summary="Recent verification attempts, newest first",
        dependencies=[require(VERIFICATION_USE)],
    )
    def list_attempts(
        customer_id: str,
        uow: RequestWork,
        principal: Principal = Depends(current_principal),
    ):
        _own(principal, customer_id)
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


def _own(principal: Principal, customer_id: str) -> None:
    """A customer log-in reaches only its own customer; any other is simply not found."""
    if not principal.may_see_customer(customer_id):
        raise NotFound(f"No customer with id {customer_id}")


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


def _candidate(candidate, settings: Settings) -> dict:
    links = Links(settings)
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
