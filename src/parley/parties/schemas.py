"""Pydantic shapes of Parley's own API for identification, verification and notes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PartySummary(Strict):
    id: str
    href: str
    type: str = Field(alias="@type")
    name: str
    status: str
    city: str | None = None


class CustomerSummary(Strict):
    id: str
    href: str
    customer_number: str = Field(serialization_alias="customerNumber")
    name: str
    status: str


class MatchReason(Strict):
    field: str
    match: Literal["exact", "fuzzy"]
    value: str
    score: float
    historical: bool


class IdentifyCandidate(Strict):
    score: float
    historical: bool = Field(
        description="Disconnected/closed customer, or a former owner of the key"
    )
    relation: str = Field(description="How the matched party relates to the customer")
    customer: CustomerSummary | None
    party: PartySummary
    reasons: list[MatchReason]


class IdentifyResult(Strict):
    query: str
    candidates: list[IdentifyCandidate]


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class NoteOut(Strict):
    id: str
    author: str
    text: str
    created_at: datetime = Field(serialization_alias="createdAt")


class SecurityQuestionIn(Strict):
    question: str = Field(min_length=1, max_length=300)
    answer: str = Field(min_length=1, max_length=300)


class SecurityIn(Strict):
    pin: str | None = Field(default=None, max_length=8)
    questions: list[SecurityQuestionIn] | None = None


class SecurityQuestionOut(Strict):
    id: str
    question: str


class SecurityOut(Strict):
    has_pin: bool = Field(serialization_alias="hasPin")
    questions: list[SecurityQuestionOut]
    locked_until: datetime | None = Field(serialization_alias="lockedUntil")


class VerifyIn(Strict):
    method: Literal["pin", "question"]
    answer: str = Field(min_length=1, max_length=300)
    question_id: str | None = Field(default=None, alias="questionId")


class VerifyOut(Strict):
    verified: bool
    outcome: Literal["passed", "failed", "locked"]
    attempts_remaining: int = Field(serialization_alias="attemptsRemaining")
    locked_until: datetime | None = Field(serialization_alias="lockedUntil")


class AttemptOut(Strict):
    method: str
    outcome: str
    asked_by: str = Field(serialization_alias="askedBy")
    channel: str
    attempted_at: datetime = Field(serialization_alias="attemptedAt")
