"""Verify a caller: security PIN and security questions, hashed with argon2, with lock-out.

Every check is recorded (who asked, through which channel, the outcome). After
``verification_max_failures`` failures in a row, verification is locked for
``verification_lock_minutes``; checks while locked are recorded as ``locked``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from parley.changes import UPDATE, UnitOfWork
from parley.db.base import new_id, utcnow
from parley.errors import InvalidInput
from parley.parties.models import CustomerSecurity, SecurityQuestion, VerificationAttempt
from parley.parties.normalize import search_text
from parley.parties.options import PartyOptions
from parley.parties.repository import PartyRepository
from parley.parties.service import PartyService

_hasher = PasswordHasher()
VERIFY = "verify"  # the audit action of a check (auth.audit.VERIFY filters on it)
MAX_QUESTIONS = 5


@dataclass
class VerificationResult:
    verified: bool
    outcome: str
    attempts_remaining: int
    locked_until: datetime | None


def normalized_answer(answer: str) -> str:
    """Answers are compared case-, accent- and spacing-insensitively."""
    return search_text(answer)


class VerificationService:
    def __init__(self, uow: UnitOfWork):
        """Checks are recorded for ``uow``'s actor: who asked, through which channel."""
        self.uow = uow
        self.repo = PartyRepository(uow.session)
        self.options = uow.options(PartyOptions)
        self.parties = PartyService(uow)  # reads only: finding the customer

    def _customer(self, customer_id: str):
        return self.parties.get_customer(customer_id)

    def security_of(
        self, customer_id: str
    ) -> tuple[CustomerSecurity | None, list[SecurityQuestion]]:
        self._customer(customer_id)
        return self.repo.get_security(customer_id), self.repo.list_questions(customer_id)

    def set_security(
        self,
        customer_id: str,
        pin: str | None,
        questions: list[tuple[str, str]] | None,
    ) -> None:
        """Set the PIN and/or replace the security questions; None leaves that part as is."""
        self._customer(customer_id)
        if pin is None and questions is None:
            raise InvalidInput("give a pin, questions, or both", "pin")
        security = self.repo.get_security(customer_id, for_update=True) or CustomerSecurity(
            customer_id=customer_id, failed_attempts=0
        )
        if pin is not None:
            if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
                raise InvalidInput("pin: must be 4 to 8 digits", "pin")
            security.pin_hash = _hasher.hash(pin)
        if questions is not None:
            self.repo.replace_questions(customer_id, self._questions(customer_id, questions))
        security.updated_at = utcnow()
        self.repo.add(security)
        changed = {"pin": "changed"} if pin is not None else {}
        if questions is not None:  # the questions, never the answers
            changed["questions"] = [question.strip() for question, _ in questions]
        self.uow.record("customerSecurity", UPDATE, customer_id, after=changed)

    def _questions(self, customer_id: str, questions: list[tuple[str, str]]) -> list:
        if len(questions) > MAX_QUESTIONS:
            raise InvalidInput(f"questions: at most {MAX_QUESTIONS}", "questions")
        rows = []
        for index, (question, answer) in enumerate(questions):
            if not question.strip():
                raise InvalidInput(
                    f"questions[{index}].question: must not be blank",
                    f"questions[{index}].question",
                )
            if len(normalized_answer(answer)) < 2:
                raise InvalidInput(
                    f"questions[{index}].answer: too short", f"questions[{index}].answer"
                )
            rows.append(
                SecurityQuestion(
                    id=new_id(),
                    customer_id=customer_id,
                    question=question.strip(),
                    answer_hash=_hasher.hash(normalized_answer(answer)),
                )
            )
        return rows

    def verify(
        self,
        customer_id: str,
        method: str,
        answer: str,
        question_id: str | None = None,
    ) -> VerificationResult:
        self._customer(customer_id)
        security = self.repo.get_security(customer_id, for_update=True)
        secret_hash, candidate = self._secret(customer_id, security, method, answer, question_id)
        now = utcnow()
        limit = self.options.verification_max_failures
        if security.locked_until and security.locked_until > now:
            self._record(customer_id, method, "locked", now)
            return VerificationResult(False, "locked", 0, security.locked_until)
        security.locked_until = None  # a lock that has run out is over
        if _matches(secret_hash, candidate):
            security.failed_attempts = 0
            outcome = "passed"
        else:
            security.failed_attempts += 1
            outcome = "failed"
            if security.failed_attempts >= limit:
                security.locked_until = now + timedelta(
                    minutes=self.options.verification_lock_minutes
                )
                security.failed_attempts = 0
        security.updated_at = now
        self.repo.add(security)
        self._record(customer_id, method, outcome, now)
        remaining = 0 if security.locked_until else limit - security.failed_attempts
        return VerificationResult(outcome == "passed", outcome, remaining, security.locked_until)

    def attempts(self, customer_id: str, limit: int = 50) -> list[VerificationAttempt]:
        self._customer(customer_id)
        return self.repo.list_attempts(customer_id, limit)

    def _secret(self, customer_id, security, method, answer, question_id) -> tuple[str, str]:
        if method == "pin":
            if security is None or not security.pin_hash:
                raise InvalidInput("this customer has no PIN set", "method")
            return security.pin_hash, answer.strip()
        if method == "question":
            questions = {q.id: q for q in self.repo.list_questions(customer_id)}
            if not question_id or question_id not in questions:
                raise InvalidInput("questionId: not one of this customer's questions", "questionId")
            if security is None:
                raise InvalidInput("this customer has no security set up", "method")
            return questions[question_id].answer_hash, normalized_answer(answer)
        raise InvalidInput("method: must be 'pin' or 'question'", "method")

    def _record(self, customer_id, method, outcome, now) -> None:
        actor = self.uow.writer()
        after = {"method": method, "outcome": outcome}
        self.uow.record("customer", VERIFY, customer_id, after=after)
        self.repo.add(
            VerificationAttempt(
                id=new_id(),
                customer_id=customer_id,
                method=method,
                outcome=outcome,
                asked_by=actor.name,
                channel=actor.channel,
                attempted_at=now,
            )
        )


def _matches(secret_hash: str, candidate: str) -> bool:
    try:
        return _hasher.verify(secret_hash, candidate)
    except (VerificationError, InvalidHashError):
        return False
