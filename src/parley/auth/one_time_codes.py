"""One-time codes: how a customer without a log-in proves they are who they say, to register
for the portal or to set a new password (docs/portal.md).

``send`` takes a customer number (or account) and a phone number or email; when these name a
customer who has that number or email on file now (``parties.proof``), a six-digit code goes
there through the outbox (SMS or email). Either way the caller gets a challenge id and the
same answer, so nothing tells a stranger which details belong to a customer. Only an argon2
hash of the code is kept; it expires after ``one_time_code_minutes``, a right answer uses it
up, and ``one_time_code_max_failures`` wrong ones do too. Sending is limited per browser
address and per number given, checking per address (``parley.ratelimit``).

``complete`` then gives the customer a log-in with the password they chose (their customer
number is the username), or sets the new password of the one they have: one flow for both.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from parley import ratelimit
from parley.actor import Actor
from parley.auth.models import OneTimeCode
from parley.auth.options import AuthOptions
from parley.auth.passwords import check_password, hash_secret, verify_secret
from parley.auth.permissions import CUSTOMER
from parley.auth.repository import AuthRepository
from parley.auth.users import UserService
from parley.changes import CREATE, UnitOfWork
from parley.db.base import new_id, storable_id, utcnow
from parley.errors import TooManyRequests
from parley.outbox.service import OutboxService
from parley.parties.proof import prove_customer
from parley.parties.service import PartyService
from parley.rates import parse_rates

REGISTER, RESET = "register", "reset"
PURPOSES = (REGISTER, RESET)
DIGITS = 6
RESOURCE = "oneTimeCode"
CUSTOMER_ROLE = "customer"


@dataclass(frozen=True)
class Wording:
    """What the code's message says, in the reader's language: ``%(code)s`` and
    ``%(minutes)s`` are filled in."""

    sms: str
    email_subject: str
    email_body: str


class CodeRefused(Exception):
    """Wrong, expired, used up or unknown: one answer for all, on purpose."""


@dataclass(frozen=True)
class Sent:
    challenge_id: str
    channel: str  # where a code went if the details matched ("sms" or "email"), as guessed


def purge_spent_codes(session: Session) -> int:
    """Delete used and expired codes (a worker job, ``parley.jobs``); how many. A code that is
    gone is refused as a wrong one would be, so the answer a customer gets does not change."""
    return AuthRepository(session).purge_spent_codes(utcnow())


class OneTimeCodes:
    def __init__(self, uow: UnitOfWork, source: str):
        """``source``: the browser's address, which sending and checking are limited by."""
        self.uow, self.source = uow, source
        self.options = uow.options(AuthOptions)
        self.repo = AuthRepository(uow.session)

    def send(self, purpose: str, number: str, contact: str, wording: Wording) -> Sent:
        """A challenge for these details; the code goes out only if they match a customer.
        ``TooManyRequests`` past the sending limits (the same for known and unknown ones)."""
        if purpose not in PURPOSES:
            raise ValueError(purpose)
        channel = "email" if "@" in contact else "sms"
        self._limit("otp.send.address", self.options.one_time_code_send_limit, self.source)
        key = "".join(number.split()).lower()[:100]
        self._limit("otp.send.number", self.options.one_time_code_send_limit, key)
        proven = prove_customer(self.uow, number, contact, self.options.default_phone_region)
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        now = utcnow()
        minutes = self.options.one_time_code_minutes
        row = OneTimeCode(
            id=new_id(),
            purpose=purpose,
            customer_id=proven.customer_id if proven else None,
            channel=proven.channel if proven else channel,
            # Hashed either way: a stranger's attempt costs the same time as a customer's.
            code_hash=hash_secret(code),
            failures=0,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        self.repo.add(row)
        if proven is not None:
            filled = {"code": code, "minutes": minutes}
            if proven.channel == "email":
                destination = {"to": proven.address}
                payload = {
                    "subject": wording.email_subject % filled,
                    "body": wording.email_body % filled,
                }
            else:
                destination, payload = {"to": proven.address}, {"text": wording.sms % filled}
            OutboxService(self.uow).enqueue(
                proven.channel, destination, payload, idempotency_key=f"{RESOURCE}:{row.id}"
            )
            actor = Actor(proven.customer_number, "web", customer_id=proven.customer_id)
            after = {"purpose": purpose, "channel": proven.channel}
            self.uow.acting_as(actor).record(RESOURCE, CREATE, row.id, after=after)
        return Sent(row.id, row.channel)

    def check(self, challenge_id: str, code: str) -> str:
        """The customer the code proves (and it is used up); ``CodeRefused`` otherwise."""
        self._limit("otp.check.address", self.options.one_time_code_check_limit, self.source)
        row = self.repo.one_time_code(challenge_id) if storable_id(challenge_id, 36) else None
        code = "".join(code.split())
        now = utcnow()
        limit = self.options.one_time_code_max_failures
        if row is None or row.used_at is not None or now >= row.expires_at:
            raise CodeRefused()
        if row.failures >= limit:
            raise CodeRefused()
        right = len(code) == DIGITS and verify_secret(row.code_hash, code)
        if not right or row.customer_id is None:
            row.failures += 1
            if row.failures >= limit:
                row.used_at = now  # used up by guessing
            self.repo.add(row)
            raise CodeRefused()
        row.used_at = now
        self.repo.add(row)
        return row.customer_id

    def complete(self, challenge_id: str, code: str, password: str) -> str:
        """Check the code, then give the customer their log-in with ``password`` (a new one,
        or the new password of the one they have). The username (the customer number) is
        returned, to sign in with. The password is checked first: a refused one does not use
        up the code. ``InvalidInput`` for the password, ``CodeRefused`` for the code."""
        check_password(password)
        customer_id = self.check(challenge_id, code)
        customer = PartyService(self.uow).get_customer(customer_id)
        customer_number = customer.customer_number
        actor = Actor(customer_number, "web", customer_id=customer_id, self_service=True)
        users = UserService(self.uow.acting_as(actor))
        existing = self.repo.customer_login(customer_id)
        if existing is not None:
            check_password(password, existing.username)
            users.set_password(existing.id, password)
            return existing.username
        check_password(password, customer_number)
        made = users.create_user(
            customer_number,
            [CUSTOMER_ROLE],
            CUSTOMER,
            password,
            customer.name,
            customer_id,
        )
        return made.user.username

    def _limit(self, scope: str, rates: str, subject: str) -> None:
        verdict = ratelimit.hit(self.uow.session, parse_rates(rates), scope, subject)
        if not verdict.allowed:
            raise TooManyRequests(
                f"too many one-time codes: try again in {verdict.retry_after} s",
                verdict.retry_after,
            )
