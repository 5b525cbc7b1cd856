"""Who is calling: the customer whose current number the caller's MSISDN is.

Numbers are recycled: a key whose validity has ended names a former owner, who is never taken
for the caller (identification flags such a match historical). A number that several current
customers hold names no one: the caller gets only what needs no identity.
"""

from dataclasses import dataclass

from parley.changes import UnitOfWork
from parley.parties.identification.matching import Identifier


@dataclass(frozen=True)
class Caller:
    msisdn: str
    customer_id: str | None
    party_id: str | None


def identify_caller(uow: UnitOfWork, msisdn: str) -> Caller:
    current = {
        candidate.customer.id: candidate
        for candidate in Identifier(uow).identify(msisdn, limit=5)
        if candidate.customer is not None
        and not candidate.historical
        and candidate.relation == "engagedParty"  # not a contact person of another customer
        and any(r.field == "phone" and not r.historical for r in candidate.reasons)
    }
    if len(current) != 1:
        return Caller(msisdn, None, None)
    ((customer_id, candidate),) = current.items()
    return Caller(msisdn, customer_id, candidate.party.id)
