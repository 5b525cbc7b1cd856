"""/api/v1/analytics: read by supervisors and administrators only; bad input is a 4xx in the
TMF error shape."""

import pytest

from tests.factories import assert_tmf_error

ANALYTICS = "/api/v1/analytics"


@pytest.mark.parametrize("path", ["/kpis", "/closed-requests", "/closed-requests/requests"])
def test_agents_may_not_read_the_analysis_supervisors_may(client, as_user, path):
    refused = client.get(f"{ANALYTICS}{path}", headers=as_user("agent.ana"))
    assert_tmf_error(refused, 403)
    allowed = client.get(f"{ANALYTICS}{path}", headers=as_user("sup.sam", "supervisor"))
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize(
    "params",
    [
        {"groupBy": "colour"},
        {"period": "fortnight"},
        {"from": "2026-11-09", "to": "2026-11-02"},
        {"from": "2000-01-01", "to": "2026-11-02"},
        {"from": "yesterday"},
        {"type": ""},
    ],
)
def test_bad_questions_get_a_400(client, params):
    assert_tmf_error(client.get(f"{ANALYTICS}/closed-requests", params=params), 400)


def test_kpis_of_an_empty_period_are_empty_not_errors(client):
    response = client.get(f"{ANALYTICS}/kpis", params={"from": "2020-01-01", "to": "2020-02-01"})
    assert response.status_code == 200, response.text
    kpis = response.json()
    assert kpis["closedRequests"]["closed"] == 0
    assert kpis["closedRequests"]["completionRate"] is None
    assert kpis["firstContactResolution"] == {"requests": 0, "resolved": 0, "rate": None}
