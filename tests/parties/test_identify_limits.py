"""Issue 18: "300 identify guesses per second by phone number went unthrottled". Identification
is limited per user (PARLEY_IDENTIFY_LIMIT, 120 a minute; integration clients, which identify
every call an IVR takes, PARLEY_IDENTIFY_CLIENT_LIMIT); past it a 429 in the TMF error shape
with Retry-After, the first one in a window recorded in the audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from parley.auth.audit import AuditFilter, AuditTrail
from parley.ratelimit.models import RateCounter
from tests.auth.helpers import make_user
from tests.conftest import PARLEY_API, staff_headers, token_headers
from tests.factories import assert_tmf_error

IDENTIFY = f"{PARLEY_API}/identify"


@pytest.fixture
def calm_minute(clock):
    clock.set(clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=1))
    return clock


def guess(client, n: int, headers: dict):
    return client.get(IDENTIFY, params={"q": f"+49 171 {1000000 + n}"}, headers=headers)


def test_300_identify_guesses_in_a_second_stop_at_the_users_limit(
    anonymous_client, session, settings, calm_minute
):
    agent = staff_headers(session, settings, "agent", username="agent.kim")
    colleague = staff_headers(session, settings, "agent")

    answers = [guess(anonymous_client, n, agent) for n in range(300)]

    assert [a.status_code for a in answers] == [200] * 120 + [429] * 180
    body = assert_tmf_error(answers[120], 429, "too many identifications", "120/minute")
    assert body["code"] == "TOO_MANY_REQUESTS"
    assert 0 < int(answers[120].headers["retry-after"]) <= 60
    assert guess(anonymous_client, 0, colleague).status_code == 200  # per user
    session.expire_all()
    (throttled,) = AuditTrail(session).query(AuditFilter(action="throttled"))[0]
    assert throttled.actor_name == "agent.kim"
    assert throttled.after["limit"] == "identification 120/minute"
    # Past the first refusal the process knows the window is closed: no more counting.
    assert sorted(session.scalars(select(RateCounter.hits))) == [1, 121]
    calm_minute.advance(minutes=1)
    assert guess(anonymous_client, 0, agent).status_code == 200


def test_integration_clients_have_their_own_limit(anonymous_client, session, settings, calm_minute):
    settings.identify_limit, settings.identify_client_limit = "1/minute", "3/minute"
    ivr = token_headers(
        session, settings, make_user(session, settings, "integration", kind="client")
    )
    agent = staff_headers(session, settings, "agent")

    assert [guess(anonymous_client, n, agent).status_code for n in range(2)] == [200, 429]
    assert [guess(anonymous_client, n, ivr).status_code for n in range(4)] == [200] * 3 + [429]


def test_a_caller_without_the_permission_is_refused_before_it_is_counted(
    anonymous_client, session, settings, calm_minute
):
    settings.identify_limit = "1/minute"
    without = staff_headers(session, settings, "customer")  # no identify:use

    for _ in range(3):
        assert guess(anonymous_client, 0, without).status_code == 403
    assert session.scalars(select(RateCounter.hits)).all() == []
