"""The next best offer on the customer 360: the agent sees the offering, why (the customer's
recent enquiries) and its score, records the customer's answer (accepted raises the add-on
request), and is told what holds an offer back; a role without the permissions sees no
panel, or no buttons, and is refused the answer. English and German."""

from sqlalchemy import select

from parley.actor import Actor
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.requests.models import CustomerRequest
from tests.analytics.upsell.helpers import RULES, contact, create_rule, data_offering
from tests.factories import create_customer
from tests.web.conftest import csrf_in, main_text, post_form, sign_in
from tests.web.helpers import page_of, post_on


def _interested(client) -> tuple[dict, dict]:
    """A customer who asked about their data allowance twice this week, and the offering."""
    offering = data_offering(client)
    create_rule(client, offering)
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 2)
    return customer, offering


def _answer(browser, customer: dict, offer_id: str, said: str, note: str = ""):
    path = f"/customers/{customer['id']}/offers/{offer_id}/answer"
    return post_on(browser, customer, path, {"answer": said, "note": note})


def _offer_id(page: str) -> str:
    start = page.index("/offers/") + len("/offers/")
    return page[start : page.index("/answer", start)]


def test_the_agent_sees_the_offer_and_why_and_an_acceptance_raises_the_request(
    signed_in, client, session
):
    customer, offering = _interested(client)
    page = page_of(signed_in, customer)
    words = main_text(page)
    assert "Next best offer Extra 10 GB 10 GB more data this month €9.99 once" in words
    assert "Why: 2 contacts about Data allowance or usage, the latest on" in words
    assert "(offered from 1.5); rule: Data add-on after data-limit enquiries" in words

    done = _answer(signed_in, customer, _offer_id(page), "accepted", "Wants it today")
    assert done.status_code == 303
    assert done.headers["location"].endswith("?offer=accepted#offer")
    after = page_of(signed_in, customer, "?offer=accepted")
    words = main_text(after)
    assert "Accepted: the add-on request was raised. Open the request" in words
    assert "An offer was made on" in words and "Extra 10 GB (accepted)" in words
    raised = session.scalars(
        select(CustomerRequest).where(CustomerRequest.customer_id == customer["id"])
    ).one()
    assert raised.document["troubleTicketCharacteristic"][0]["value"] == offering["id"]
    assert f'/requests/{raised.id}"' in after
    assert "Accepted</button>" not in after  # answered: no buttons any more


def test_later_shows_it_again_and_an_over_long_note_is_said_beside_the_field(signed_in, client):
    customer, _ = _interested(client)
    offer_id = _offer_id(page_of(signed_in, customer))

    long = _answer(signed_in, customer, offer_id, "refused", "x" * 501)
    assert long.status_code == 422
    assert "At most 500 characters" in main_text(long.text)

    assert _answer(signed_in, customer, offer_id, "later").status_code == 303
    words = main_text(page_of(signed_in, customer, "?offer=later"))
    assert "The customer will think about it: the offer is shown again next time." in words
    assert "the customer wanted to think about it" in words and "Extra 10 GB" in words


def test_what_holds_the_offer_back_is_said(signed_in, client):
    customer, _ = _interested(client)
    put = client.put(
        f"/api/v1/customers/{customer['id']}/preferences", json={"marketingOptOut": True}
    )
    assert put.status_code == 200
    words = main_text(page_of(signed_in, customer))
    assert "Next best offer No offer: the customer has opted out of marketing." in words


def test_the_panel_in_german(signed_in, client):
    customer, _ = _interested(client)
    post_form(signed_in, "/language", {"language": "de", "next": "/"})
    page = page_of(signed_in, customer)
    words = main_text(page)
    assert "Nächstes Angebot" in words
    assert "Warum: 2 Kontakte zu Datenvolumen oder Datennutzung, zuletzt am" in words
    assert "Angenommen</button>" in page and "Abgelehnt</button>" in page


def test_without_the_permissions_no_panel_or_no_buttons_and_the_answer_is_refused(
    browser, new_browser, users, session, settings, client
):
    customer, _ = _interested(client)
    roles = RoleService(UnitOfWork(session, settings, Actor("test-admin", "test")))
    roles.create_role("reader", ["customer:read"])
    roles.create_role("looker", ["customer:read", "upsell:read"])
    users.commit()

    sign_in(browser, users.make("reader").user.username)
    assert 'id="offer"' not in page_of(browser, customer)

    looker = new_browser()
    sign_in(looker, users.make("looker").user.username)
    page = page_of(looker, customer)
    assert "Extra 10 GB" in main_text(page) and "Accepted</button>" not in page
    refused = _answer(looker, customer, _offer_id_from_api(client, customer), "accepted")
    assert refused.status_code == 403


def _offer_id_from_api(client, customer: dict) -> str:
    return client.get(f"/api/v1/customers/{customer['id']}/next-offer").json()["offer"]["id"]


# -- the rules' administration --------------------------------------------------------------


def test_an_administrator_lists_adds_and_changes_rules_and_refusals_are_said_beside_the_field(
    browser, users, client
):
    offering = data_offering(client, "Roaming World 2 GB")
    sign_in(browser, users.make("administrator").user.username)
    listed = browser.get("/console/admin/upsell-rules")
    assert listed.status_code == 200
    words = main_text(listed.text)
    shipped = "Data add-on after repeated data-limit enquiries data-addon Not in the catalogue"
    assert shipped in words
    assert "interaction usage.data × 1" in words

    form = {
        "code": "roaming-world",
        "name": "Roaming world pack",
        "offering": offering["id"],
        "kind_0": "interaction",
        "code_0": "roaming",
        "weight_0": "1",
        "kind_1": "interaction",
        "code_1": "no.such.reason",
        "weight_1": "0,5",
        "window": "30",
        "half_life": "10",
        "threshold": "abc",
        "suppression": "60",
        "active": "yes",
    }
    bad = post_form(browser, "/admin/upsell-rules/new", form, "/admin/upsell-rules/new")
    assert bad.status_code == 422
    assert 'id="rule-threshold-error" class="field-error">A number, e.g. 30 or 1.5.' in bad.text

    unknown = post_form(
        browser, "/admin/upsell-rules/new", {**form, "threshold": "1,5"}, "/admin/upsell-rules/new"
    )
    assert unknown.status_code == 422
    assert "no interaction reason no.such.reason" in main_text(unknown.text)

    made = post_form(
        browser,
        "/admin/upsell-rules/new",
        {**form, "threshold": "1,5", "code_1": "usage.data"},
        "/admin/upsell-rules/new",
    )
    assert made.status_code == 303
    rule = next(r for r in client.get(RULES).json() if r["code"] == "roaming-world")
    assert rule["threshold"] == 1.5 and rule["signals"][1] == {
        "kind": "interaction",
        "code": "usage.data",
        "weight": 0.5,
    }

    page = browser.get(f"/console/admin/upsell-rules/{rule['id']}").text
    stale = csrf_in(page)
    changed = {**form, "threshold": "2", "code_1": "", "updated": _stamp(page)}
    saved = browser.post(
        f"/console/admin/upsell-rules/{rule['id']}", data={"csrf_token": stale, **changed}
    )
    assert saved.status_code == 303
    assert client.get(f"{RULES}/{rule['id']}").json()["threshold"] == 2
    again = browser.post(
        f"/console/admin/upsell-rules/{rule['id']}", data={"csrf_token": stale, **changed}
    )
    assert again.status_code == 422  # made from the rule before the last change


def test_agents_neither_see_nor_reach_the_rules(signed_in):
    assert "Up-sell rules" not in signed_in.get("/console/").text
    assert signed_in.get("/console/admin/upsell-rules").status_code == 403


def test_the_dashboard_shows_up_sell_acceptance(browser, users, client):
    customer, _ = _interested(client)
    offer_id = _offer_id_from_api(client, customer)
    answered = client.post(
        f"/api/v1/customers/{customer['id']}/offers/{offer_id}/answer", json={"answer": "accepted"}
    )
    assert answered.status_code == 200
    sign_in(browser, users.make("supervisor").user.username)
    page = browser.get("/console/dashboard").text
    words = main_text(page)
    assert "Up-sell offers by rule Rule Shown Accepted Refused data-test 1 1 0" in words
    assert "Up-sell acceptance by offering Offering Accepted Extra 10 GB 100.0%" in words


def _stamp(page: str) -> str:
    start = page.index('name="updated" value="') + len('name="updated" value="')
    return page[start : page.index('"', start)]
