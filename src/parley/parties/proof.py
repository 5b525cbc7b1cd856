"""Proof of who a customer is without a log-in (the portal's registration and password reset):
a customer number or account reference, together with a phone number or email the customer
has on file now (their own, not a contact person's). Answers only "this customer, reachable
at this address" or nothing: why not is never said, so no one learns which details exist.
"""

from dataclasses import dataclass

from parley.changes import UnitOfWork
from parley.parties.identification.repository import IdentificationRepository
from parley.parties.normalize import email_key, is_customer_number, phone_candidates

ENDED = ("disconnected", "deceased")  # customers who may no longer sign in
LONGEST = 100


@dataclass(frozen=True)
class Proven:
    customer_id: str
    customer_number: str
    name: str
    channel: str  # where the code goes: sms or email
    address: str  # the number (E.164) or email on file


def prove_customer(uow: UnitOfWork, number: str, contact: str, region: str) -> Proven | None:
    """The customer ``number`` (customer number or account) names, if ``contact`` is one of
    their current phone numbers or emails; None otherwise (whatever the reason)."""
    number, contact = number.strip(), contact.strip()
    if not number or not contact or len(number) > LONGEST or len(contact) > LONGEST:
        return None
    repo = IdentificationRepository(uow.session)
    canonical = is_customer_number(number)
    owners = repo.exact(number=canonical) if canonical else repo.exact(account=number)
    customers = {
        row.customer.id: row.customer
        for row in owners
        if row.customer is not None and row.customer.status not in ENDED
    }
    if len(customers) != 1:
        return None
    if "@" in contact:
        channel, keys = "email", repo.exact(email=email_key(contact))
    else:
        channel, keys = "sms", repo.exact(phones=phone_candidates(contact, region))
    for key in keys:
        customer = key.customer
        if (
            customer is not None
            and customer.id in customers
            and key.valid_to is None
            and key.relation == "engagedParty"
        ):
            return Proven(customer.id, customer.customer_number, customer.name, channel, key.value)
    return None
