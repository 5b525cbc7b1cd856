"""Satisfaction after closure (CSAT): when a request a person worked on closes, the customer
is asked to rate it, 1 to 5 with an optional comment, on a one-time link to the portal that
needs no log-in. The question is a TMF681 message to the customer, so their preferred
channel, consent and quiet hours apply. One survey per request; the link's token is kept
only as a hash; an unanswered survey expires after ``survey_days``. The answer is stored with
the request's survey and logged as the customer's interaction on the web.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from parley.actor import Actor
from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import iso, new_id, utcnow
from parley.errors import InvalidInput
from parley.interactions.service import InteractionService
from parley.notifications.messages import CommunicationService
from parley.notifications.preferences import NotDeliverable, PreferenceService
from parley.requests.models import CustomerRequest, RequestType, SatisfactionSurvey
from parley.requests.options import RequestOptions
from parley.requests.repository import RequestRepository

RESOURCE = "satisfactionSurvey"
LONGEST_COMMENT = 1000
QUESTION = {
    "en": (
        "How did we do?",
        "Your request {reference} ({name}) is closed. How satisfied are you with how we "
        "handled it? Rate it from 1 to 5 here, no log-in needed: {link} (valid for {days} days)",
    ),
    "de": (
        "Wie zufrieden waren Sie?",
        "Ihr Anliegen {reference} ({name}) ist abgeschlossen. Wie zufrieden sind Sie mit "
        "unserer Bearbeitung? Bewerten Sie es hier von 1 bis 5, ohne Anmeldung: {link} "
        "(gültig {days} Tage)",
    ),
}


@dataclass(frozen=True)
class SurveyResults:
    """The surveys of a period: how many were asked in it and answered by now, and the
    ratings given in it per request type (type code -> {rating: surveys})."""

    asked: int
    answered_of_asked: int
    ratings: dict[str, dict[int, int]]


class SurveyClosed(Exception):
    """No such survey, or it was answered or has expired: one answer for all."""


def token_hash(token: str) -> str:
    # The token is random (256 bits): a plain hash cannot be reversed.
    return hashlib.sha256(token.encode()).hexdigest()


class SurveyService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.options = uow.options(RequestOptions)
        self.repo = RequestRepository(uow.session)

    def offer(self, row: CustomerRequest, request_type: RequestType) -> None:
        """Ask the customer about a request just closed (once; not for one Parley fulfilled by
        itself, where no one worked on it, nor for a ticket for no customer)."""
        if request_type.fulfilment_mode == "automatic" or self.options.survey_days <= 0:
            return
        if row.customer_id is None:
            return
        if self.repo.survey_of(row.id) is not None:
            return
        token, now = secrets.token_urlsafe(32), utcnow()
        survey = SatisfactionSurvey(
            id=new_id(),
            request_id=row.id,
            customer_id=row.customer_id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=self.options.survey_days),
        )
        self.repo.add(survey)
        self.uow.record(RESOURCE, CREATE, survey.id, after={"requestId": row.id})
        language = PreferenceService(self.uow).get(row.customer_id).language or "en"
        subject, text = QUESTION.get(language, QUESTION["en"])
        link = f"{self.options.base_url.rstrip('/')}/portal/survey/{token}"
        content = text.format(
            reference=row.reference,
            name=request_type.name,
            link=link,
            days=self.options.survey_days,
        )
        try:  # the channel the customer prefers and may be reached on
            plan = PreferenceService(self.uow).delivery(row.customer_id, "service")
        except NotDeliverable:
            return  # the survey stays unasked; it expires like an unanswered one
        CommunicationService(self.uow).create(
            {
                "@type": "CommunicationMessage",
                "messageType": "Email" if plan.channel == "email" else "SMS",
                "subject": subject,
                "content": content,
                "receiver": [{"party": {"id": row.customer_id, "@referredType": "Customer"}}],
                "sender": {},
                "characteristic": [{"name": "category", "value": "service"}],
            }
        )

    # -- what agents read ------------------------------------------------------------------

    def of_request(self, request_id: str) -> SatisfactionSurvey | None:
        """The survey of a request (readable by whoever reads the request), if one was asked."""
        return self.repo.survey_of(request_id)

    def of_customer(
        self, customer_id: str, offset: int = 0, limit: int = 20, answered_only: bool = False
    ) -> tuple[list[tuple[SatisfactionSurvey, str]], int]:
        """The customer's surveys (with their request's reference), newest first."""
        return self.repo.surveys_of_customer(customer_id, offset, limit, answered_only)

    def results(self, start: datetime, end: datetime) -> SurveyResults:
        """What customers said in [start, end): for the CSAT KPI (analytics)."""
        asked, answered = self.repo.surveys_asked(start, end)
        ratings: dict[str, dict[int, int]] = {}
        for code, rating, count in self.repo.survey_ratings(start, end):
            ratings.setdefault(code, {})[rating] = count
        return SurveyResults(asked, answered, ratings)

    def open_survey(self, token: str) -> SatisfactionSurvey:
        """The survey this link names, if it may still be answered; ``SurveyClosed`` if not."""
        survey = self.repo.survey_by_token(token_hash(token)) if 20 < len(token) < 100 else None
        if survey is None or survey.answered_at is not None or utcnow() >= survey.expires_at:
            raise SurveyClosed()
        return survey

    def answer(self, token: str, rating: int, comment: str) -> SatisfactionSurvey:
        survey = self.open_survey(token)
        if rating not in range(1, 6):
            raise InvalidInput("rating: 1 to 5", "rating")
        comment = comment.strip()
        if len(comment) > LONGEST_COMMENT:
            raise InvalidInput(f"comment: at most {LONGEST_COMMENT} characters", "comment")
        survey.rating, survey.comment, survey.answered_at = rating, comment or None, utcnow()
        self.repo.add(survey)
        customer = Actor("customer", "web", customer_id=survey.customer_id, self_service=True)
        uow = self.uow.acting_as(customer)
        after = {"requestId": survey.request_id, "rating": rating, "comment": survey.comment}
        uow.record(RESOURCE, UPDATE, survey.id, after=after)
        text = f"Satisfaction with request {survey.request_id}: {rating} of 5"
        if survey.comment:
            text += f" ({survey.comment})"
        InteractionService(uow).create(_interaction(survey, text))
        return survey


ANSWERED, WAITING, EXPIRED = "answered", "waiting", "expired"


def survey_state(survey: SatisfactionSurvey) -> str:
    """answered; waiting for the customer's answer; or expired unanswered."""
    if survey.answered_at is not None:
        return ANSWERED
    return WAITING if utcnow() < survey.expires_at else EXPIRED


def survey_document(survey: SatisfactionSurvey, reference: str) -> dict:
    """A survey as Parley's API shows it (the request's href made at the edge)."""
    document = {
        "id": survey.id,
        "request": {"id": survey.request_id, "reference": reference,
                    "@referredType": "TroubleTicket"},
        "state": survey_state(survey),
        "askedAt": iso(survey.created_at),
        "expiresAt": iso(survey.expires_at),
    }  # fmt: skip
    if survey.answered_at is not None:
        document.update(
            answeredAt=iso(survey.answered_at), rating=survey.rating, comment=survey.comment
        )
    return document


def _interaction(survey: SatisfactionSurvey, text: str) -> dict:
    return {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "status": "completed",
        "description": text[:500],
        "relatedChannel": [{"role": "contact", "channel": {"@type": "ChannelRef", "id": "web"}}],
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": survey.customer_id,
                    "@referredType": "Customer",
                },
            }
        ],
        "interactionItem": [
            {
                "@type": "InteractionItem",
                "item": {
                    "@type": "RelatedEntityRefOrValue",
                    "role": "surveyedRequest",
                    "entity": {
                        "@type": "EntityRef",
                        "id": survey.request_id,
                        "@referredType": "TroubleTicket",
                    },
                },
            }
        ],
    }
