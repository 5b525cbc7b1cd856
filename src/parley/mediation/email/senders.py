"""Who sent a mail, as one of Parley's customers, through the parties' identification service:
by the sender's address first, then by a phone number in the signature. Only exact, current
keys count (a former address or an ended number identifies no one), and only one customer:
an address two customers share is settled by a phone number of one of them, else the mail
stays unidentified, with the reason, for an agent to assign.
"""

from dataclasses import dataclass

from parley.changes import UnitOfWork
from parley.parties.identification.matching import Identifier

MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Sender:
    customer_id: str | None
    name: str | None  # the customer's, as Parley knows it
    by: str | None  # "email" or "phone": what identified them
    note: str  # how the sender was (or was not) identified, said on the interaction


def identify_sender(uow: UnitOfWork, address: str, phones: list[str]) -> Sender:
    identifier = Identifier(uow)
    by_address = _exact(identifier, address, "email")
    if len(by_address) == 1:
        ((customer_id, name),) = by_address.items()
        return Sender(customer_id, name, "email", f"Identified by the address {address}.")
    for phone in phones:
        by_phone = _exact(identifier, phone, "phone")
        if by_address:  # the phone settles which of the address's customers it is
            by_phone = {k: v for k, v in by_phone.items() if k in by_address}
        if len(by_phone) == 1:
            ((customer_id, name),) = by_phone.items()
            return Sender(
                customer_id, name, "phone", f"Identified by the phone number {phone} in the mail."
            )
    if by_address:
        return Sender(
            None, None, None, f"{len(by_address)} customers have the address {address}: assign one."
        )
    return Sender(None, None, None, f"No customer has the address {address}.")


def _exact(identifier: Identifier, value: str, field: str) -> dict[str, str]:
    """Current customers whose ``field`` is exactly ``value``: id -> name."""
    return {
        candidate.customer.id: candidate.customer.name
        for candidate in identifier.identify(value, MAX_CANDIDATES)
        if candidate.customer is not None
        and not candidate.historical
        and any(
            reason.field == field and reason.match == "exact" and not reason.historical
            for reason in candidate.reasons
        )
    }
