"""What a command names in Parley, as a partner can name it: a customer by id, customer number,
phone number or email address; a request by id or reference (``R-4821-77349``). Resolving one
only reads; what names nothing, or more than one customer, is InvalidInput naming the field."""

from pydantic import Field, model_validator

from parley.changes import UnitOfWork
from parley.db.base import storable_id
from parley.db.repository import Page
from parley.errors import InvalidInput, NotFound
from parley.mediation.profile import Strict
from parley.parties.identification.matching import Identifier
from parley.parties.service import PartyService
from parley.requests.presentation import REFERENCE
from parley.requests.reference import canonical
from parley.requests.service import RequestService

MAX_CANDIDATES = 10


class CustomerRef(Strict):
    id: str | None = Field(default=None, min_length=1, max_length=36)
    customerNumber: str | None = Field(default=None, min_length=1, max_length=32)
    phone: str | None = Field(default=None, min_length=3, max_length=64)
    email: str | None = Field(default=None, min_length=3, max_length=254)

    @model_validator(mode="after")
    def _exactly_one(self):
        if sum(value is not None for value in self.__dict__.values()) != 1:
            raise ValueError("name the customer by one of id, customerNumber, phone, email")
        return self


class RequestRef(Strict):
    id: str | None = Field(default=None, min_length=1, max_length=36)
    reference: str | None = Field(default=None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.id is None) == (self.reference is None):
            raise ValueError("name the request by its id or its reference")
        return self

    @classmethod
    def of_correlation(cls, value: str) -> "RequestRef":
        """A correlation id carried end to end: a request's reference, else its id."""
        return cls(reference=value) if canonical(value) else cls(id=value[:36])


def customer_party(customer_id: str) -> dict:
    """The relatedParty entry naming the customer (TMF v5)."""
    return {
        "@type": "RelatedPartyOrPartyRole",
        "role": "customer",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer_id,
            "@referredType": "Customer",
        },
    }


def resolve_customer(uow: UnitOfWork, ref: CustomerRef, region: str) -> str:
    if ref.id is not None:
        try:
            return PartyService(uow).get_customer(ref.id).id
        except NotFound:
            raise InvalidInput(
                f"customer.id: no customer with id {ref.id}", "customer.id"
            ) from None
    field, value = next((k, v) for k, v in ref.__dict__.items() if v is not None)
    found = {
        candidate.customer.id
        for candidate in Identifier(uow).identify(value, MAX_CANDIDATES)
        if candidate.customer is not None
        and any(
            reason.field == field and reason.match == "exact" and not reason.historical
            for reason in candidate.reasons
        )
    }
    where = f"customer.{field}"
    if not found:
        raise InvalidInput(f"{where}: no customer has {value}", where)
    if len(found) > 1:
        raise InvalidInput(
            f"{where}: {len(found)} customers have {value}; name one by id or customerNumber",
            where,
        )
    return found.pop()


def resolve_request(uow: UnitOfWork, ref: RequestRef) -> str:
    requests = RequestService(uow)
    if ref.id is not None:
        if storable_id(ref.id, 36):
            try:
                return requests.get(ref.id).id
            except NotFound:
                pass
        raise InvalidInput(f"request.id: no request with id {ref.id}", "request.id")
    reference = canonical(ref.reference or "")
    rows = requests.find(Page({REFERENCE: reference}, 0, 1))[0] if reference else []
    if not rows:
        raise InvalidInput(
            f"request.reference: no request with reference {ref.reference}", "request.reference"
        )
    return rows[0].id
