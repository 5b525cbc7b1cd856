"""What agents read of satisfaction surveys: on the request's page the survey asked (waiting,
then answered with its rating and comment, or expired), on the customer 360 the latest
answers, and through the API the same; a customer's log-in reads only its own."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from parley.db.base import utcnow
from parley.requests.models import SatisfactionSurvey
from tests.auth.helpers import bearer, login, make_user
from tests.requests.conftest import without_workflows  # noqa: F401 (a fixture)
from tests.requests.helpers import raise_request
from tests.web.conftest import CONSOLE, main_text
from tests.web.helpers import make_customer
from tests.web.portal.test_survey import _answer, _asked, _closed

pytestmark = pytest.mark.usefixtures("without_workflows")


def test_an_agent_sees_the_survey_asked_then_answered(client, signed_in, browser, session):
    customer = make_customer(client)
    ticket = _closed(client, customer)
    page = f"{CONSOLE}/requests/{ticket['id']}"
    asked = main_text(signed_in.get(page).text)
    assert "Customer satisfaction Asked" in asked and "no answer yet" in asked
    _message, token = _asked(session, customer)

    assert _answer(browser, token, rating="2", comment="Took three visits").status_code == 200

    answered = main_text(signed_in.get(page).text)
    assert "Customer satisfaction 2 of 5 answered" in answered
    assert "Took three visits" in answered
    profile = main_text(signed_in.get(f"{CONSOLE}/customers/{customer['id']}").text)
    assert "Satisfaction 1 answer 2 of 5" in profile and "Took three visits" in profile


def test_an_unanswered_survey_is_said_to_have_expired(client, signed_in, session):
    customer = make_customer(client)
    ticket = _closed(client, customer)

    # Its link ran out (the clock is not moved: the agent's session would end too).
    session.execute(update(SatisfactionSurvey).values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()

    page = main_text(signed_in.get(f"{CONSOLE}/requests/{ticket['id']}").text)
    assert "not answered before the link expired" in page
    assert "Satisfaction" not in main_text(
        signed_in.get(f"{CONSOLE}/customers/{customer['id']}").text
    )


def test_the_api_shows_the_survey_of_a_request_and_a_customers_answers(
    client, browser, session, settings
):
    customer = make_customer(client)
    ticket = _closed(client, customer)
    survey = client.get(f"/api/v1/requests/{ticket['id']}/survey")
    assert survey.status_code == 200 and survey.json()["state"] == "waiting"
    assert "rating" not in survey.json()
    _message, token = _asked(session, customer)
    _answer(browser, token, rating="5", comment="Fixed in an hour")

    shown = client.get(f"/api/v1/requests/{ticket['id']}/survey").json()
    listed = client.get(f"/api/v1/customers/{customer['id']}/surveys", params={"answered": True})

    assert (shown["state"], shown["rating"], shown["comment"]) == (
        "answered",
        5,
        "Fixed in an hour",
    )
    assert shown["request"]["href"].endswith(f"/troubleTicket/{ticket['id']}")
    assert listed.json() == [shown] and listed.headers["X-Total-Count"] == "1"
    other = make_customer(
        client, "Otto", "Brandt", phone="+49 171 5556667", email="otto@example.org"
    )
    not_asked = _open(client, other)
    assert client.get(f"/api/v1/requests/{not_asked}/survey").status_code == 404
    # The other customer's log-in finds neither Nora's survey nor her list.
    user = make_user(session, settings, "customer", kind="customer", customer_id=other["id"])
    headers = bearer(login(client, user.user.username)["access_token"])
    for path in (
        f"/api/v1/requests/{ticket['id']}/survey",
        f"/api/v1/customers/{customer['id']}/surveys",
    ):
        assert client.get(path, headers=headers).status_code == 404, path


def _open(client, customer: dict) -> str:
    return raise_request(client, customer, ticketType="fault.repair")["id"]
