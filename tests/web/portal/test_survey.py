"""Satisfaction surveys (CSAT): asked once when a request people worked on closes, through
the customer's channel; answered on the portal's one-time link without a log-in, 1 to 5 with
a comment; stored and logged as the customer's interaction; closed once answered or expired."""

import re

import pytest
from sqlalchemy import select

from parley.interactions.models import Interaction
from parley.notifications.models import CommunicationMessage
from parley.requests.models import SatisfactionSurvey
from tests.requests.conftest import without_workflows  # noqa: F401 (a fixture)
from tests.requests.helpers import TICKETS, patch, raise_request
from tests.web.conftest import csrf_in, main_text
from tests.web.helpers import make_customer

REQUESTS = "/api/v1/requests"
pytestmark = pytest.mark.usefixtures("without_workflows")
LINK = re.compile(r"/portal/survey/([A-Za-z0-9_-]+)")


def _closed(client, customer: dict) -> dict:
    ticket = raise_request(client, customer, ticketType="fault.repair")
    patch(client, ticket, {"status": "inProgress"})
    closed = client.post(
        f"{REQUESTS}/{ticket['id']}/close",
        json={"outcome": "completed", "resolutionCode": "fixed.remotely"},
    )
    assert closed.status_code == 200, closed.text
    return ticket


def _asked(session, customer: dict) -> tuple[CommunicationMessage, str]:
    session.expire_all()
    messages = session.scalars(
        select(CommunicationMessage).where(CommunicationMessage.customer_id == customer["id"])
    ).all()
    (asking,) = [m for m in messages if LINK.search(m.document.get("content") or "")]
    return asking, LINK.search(asking.document["content"]).group(1)


def _answer(browser, token: str, **form):
    page = browser.get(f"/portal/survey/{token}")
    return browser.post(f"/portal/survey/{token}", data={"csrf_token": csrf_in(page.text), **form})


def test_closing_asks_once_and_the_answer_is_kept_and_logged(client, browser, session):
    customer = make_customer(client)
    ticket = _closed(client, customer)
    asking, token = _asked(session, customer)
    assert asking.channel == "email" and asking.document["subject"] == "How did we do?"
    survey = session.scalars(select(SatisfactionSurvey)).one()
    assert token not in survey.token_hash

    answered = _answer(browser, token, rating="4", comment="Quick, thanks")

    assert answered.status_code == 200 and "Thank you!" in main_text(answered.text)
    session.expire_all()
    survey = session.scalars(select(SatisfactionSurvey)).one()
    assert (survey.request_id, survey.rating, survey.comment) == (ticket["id"], 4, "Quick, thanks")
    logged = session.scalars(
        select(Interaction.description).where(
            Interaction.customer_id == customer["id"], Interaction.channel == "web"
        )
    ).all()
    assert any(text.endswith("4 of 5 (Quick, thanks)") for text in logged)


def test_a_survey_is_answered_once(client, new_browser, session):
    customer = make_customer(client)
    _closed(client, customer)
    _asked_message, token = _asked(session, customer)
    assert _answer(new_browser(), token, rating="5").status_code == 200

    again = _answer(new_browser(), token, rating="1")

    assert again.status_code == 404 and "This survey is closed" in main_text(again.text)
    session.expire_all()
    assert session.scalars(select(SatisfactionSurvey.rating)).one() == 5


def test_a_survey_expires(client, browser, session, clock):
    customer = make_customer(client)
    _closed(client, customer)
    _message, token = _asked(session, customer)

    clock.advance(days=15)

    assert browser.get(f"/portal/survey/{token}").status_code == 404


def test_a_rating_is_needed_and_an_unknown_link_is_closed(client, browser, session):
    customer = make_customer(client)
    _closed(client, customer)
    _message, token = _asked(session, customer)

    refused = _answer(browser, token, rating="9")

    assert refused.status_code == 422 and 'id="rating-error"' in refused.text
    assert browser.get(f"/portal/survey/{'x' * 43}").status_code == 404


def test_reopened_and_closed_again_asks_no_second_time(client, session):
    customer = make_customer(client)
    ticket = _closed(client, customer)
    reopened = client.post(f"{REQUESTS}/{ticket['id']}/reopen", json={"reason": "again"})
    assert reopened.status_code == 200, reopened.text
    client.post(
        f"{REQUESTS}/{ticket['id']}/close",
        json={"outcome": "completed", "resolutionCode": "fixed.remotely"},
    )

    session.expire_all()
    assert len(session.scalars(select(SatisfactionSurvey)).all()) == 1
    assert client.get(f"{TICKETS}/{ticket['id']}").status_code == 200
