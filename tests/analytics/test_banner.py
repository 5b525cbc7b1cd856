"""The customer 360 tells the agent of an open problem in the customer's area."""

from tests.analytics.test_problems import customer_in
from tests.web.conftest import main_text
from tests.web.helpers import page_of

PROBLEMS = "/api/v1/problems"


def test_a_customer_in_a_problem_area_shows_the_banner_others_do_not(client, signed_in):
    opened = client.post(
        PROBLEMS,
        json={"reasonCode": "fault.report", "area": "10115", "note": "Mast 17 is down."},
    )
    assert opened.status_code == 201, opened.text
    inside, elsewhere = customer_in(client, "10115"), customer_in(client, "80331")

    words = main_text(page_of(signed_in, inside))
    assert "Known problem in this area (10115): Fault report, since" in words
    assert "Mast 17 is down." in words
    assert "Known problem" not in main_text(page_of(signed_in, elsewhere))

    closed = client.post(f"{PROBLEMS}/{opened.json()['id']}/close", json={"resolution": "Fixed"})
    assert closed.status_code == 200, closed.text
    assert "Known problem" not in main_text(page_of(signed_in, inside))
