"""Up-selling's HTTP API: rules managed by administrators and checked (each mistake a 400
naming where, nothing stored), who may do what, customers never seeing a score or a rule,
and the KPI up-sell acceptance with its figures worked out here."""

import json

import pytest
from sqlalchemy.orm import Session

from parley.analytics.upsell.defaults import DEFAULT_RULES
from parley.analytics.upsell.rules import UpsellRules
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from tests.analytics.upsell.helpers import (
    ACCEPTANCE,
    RULES,
    answer,
    answer_url,
    contact,
    create_rule,
    data_offering,
    next_offer,
    next_offer_url,
    rule_payload,
)
from tests.factories import assert_tmf_error, create_customer
from tests.offers.helpers import customer_headers

TICKETS = "/tmf-api/troubleTicket/v5/troubleTicket"
INTERACTIONS = "/tmf-api/partyInteractionManagement/v5/partyInteraction"


def test_the_migration_seeds_the_shipped_rules(scratch_database_url, settings):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            rules = UpsellRules(UnitOfWork(session, settings)).find()
            seeded = {row.code: row.document for row in rules}
    finally:
        engine.dispose()
    assert seeded == {rule["code"]: rule for rule in DEFAULT_RULES}


def test_administrators_manage_rules_and_others_read_them(client, as_user):
    offering = data_offering(client)
    made = create_rule(client, offering, description="Two enquiries a fortnight")
    assert made["code"] == "data-test" and made["updatedBy"] and made["active"] is True
    assert made["productOffering"] == {"id": offering["id"]}

    agent = as_user("agent.uma")
    codes = {r["code"] for r in client.get(RULES, headers=agent).json()}
    assert codes == {"data-addon", "roaming-pack", "data-test"}
    assert client.get(f"{RULES}/{made['id']}", headers=agent).json()["threshold"] == 1.5
    assert_tmf_error(client.post(RULES, json=rule_payload(offering, code="x"), headers=agent), 403)

    changed = client.put(
        f"{RULES}/{made['id']}", json=rule_payload(offering, threshold=2.5, active=False)
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["threshold"], changed.json()["active"]) == (2.5, False)
    assert_tmf_error(client.post(RULES, json=rule_payload(offering)), 409, "data-test")
    renamed = client.put(f"{RULES}/{made['id']}", json=rule_payload(offering, code="other"))
    assert_tmf_error(renamed, 400, "code")

    assert client.delete(f"{RULES}/{made['id']}").status_code == 204
    assert_tmf_error(client.get(f"{RULES}/{made['id']}"), 404)


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"code": "Has Spaces"}, ("code",)),
        ({"name": ""}, ("name",)),
        ({"productOffering": {"id": "no-such-offering"}}, ("productOffering",)),
        ({"productOffering": {"externalId": "NOT-IN-BSS"}}, ("NOT-IN-BSS",)),
        ({"productOffering": {"sku": "1"}}, ("productOffering",)),
        ({"signals": []}, ("signals",)),
        ({"signals": [{"kind": "mood", "code": "x"}]}, ("kind",)),
        ({"signals": [{"kind": "interaction", "code": "no.such.reason"}]}, ("no.such.reason",)),
        ({"signals": [{"kind": "request", "code": "no.such.type"}]}, ("no.such.type",)),
        ({"signals": [{"kind": "interaction", "code": "roaming", "weight": 0}]}, ("weight",)),
        (
            {"signals": [{"kind": "interaction", "code": "roaming"}] * 2},
            ("counted once",),
        ),
        ({"windowDays": 0}, ("windowDays",)),
        ({"windowDays": 7.5}, ("windowDays",)),
        ({"halfLifeDays": "14"}, ("halfLifeDays",)),
        ({"threshold": True}, ("threshold",)),
        ({"suppressionDays": 10_000}, ("suppressionDays",)),
        ({"colour": "blue"}, ("colour",)),
    ],
)
def test_a_wrong_rule_is_refused_naming_where(client, change, names):
    offering = data_offering(client)
    refused = client.post(RULES, json={**rule_payload(offering), **change})
    assert_tmf_error(refused, 400, *names)
    assert "data-test" not in {r["code"] for r in client.get(RULES).json()}


def test_who_may_see_and_answer_offers(client, as_user, session, settings):
    offering = data_offering(client)
    create_rule(client, offering)
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 1)
    agent, supervisor = as_user("agent.ida"), as_user("sup.sol", "supervisor")
    integration = as_user("crm.system", "integration")
    mine = customer_headers(client, session, settings, customer)

    shown = client.get(next_offer_url(customer), headers=agent)
    assert shown.status_code == 200 and shown.json()["offer"]["score"] > 1.5
    offer = shown.json()["offer"]
    for headers in (mine, integration):
        assert_tmf_error(client.get(next_offer_url(customer), headers=headers), 403)
        assert_tmf_error(
            client.get(f"/api/v1/customers/{customer['id']}/offers", headers=headers), 403
        )
        refused = client.post(
            answer_url(customer, offer), json={"answer": "accepted"}, headers=headers
        )
        assert_tmf_error(refused, 403)
        assert_tmf_error(client.get(RULES, headers=headers), 403)
    assert_tmf_error(client.get(ACCEPTANCE, headers=agent), 403)
    assert client.get(ACCEPTANCE, headers=supervisor).status_code == 200

    done = client.post(answer_url(customer, offer), json={"answer": "accepted"}, headers=agent)
    assert done.status_code == 200, done.text
    assert done.json()["answeredBy"] == "agent.ida"


def test_customers_never_see_a_score_or_a_rule(client, session, settings):
    offering = data_offering(client)
    create_rule(client, offering, code="secret-rule-code")
    customer = create_customer(client)
    contact(client, customer, 0)
    contact(client, customer, 1)
    done = answer(client, customer, next_offer(client, customer)["offer"], "accepted")
    mine = customer_headers(client, session, settings, customer)

    seen = [
        client.get(INTERACTIONS, headers=mine),
        client.get(f"{INTERACTIONS}/{done['interaction']['id']}", headers=mine),
        client.get(TICKETS, headers=mine),
        client.get(f"{TICKETS}/{done['request']['id']}", headers=mine),
        client.get(f"/api/v1/customers/{customer['id']}/interactions", headers=mine),
    ]
    for response in seen:
        assert response.status_code == 200, response.text
        text = json.dumps(response.json())
        assert "score" not in text.lower() and "secret-rule-code" not in text
        assert 'usage.data", "count' not in text  # nor the evidence behind it
    assert "Extra 10 GB" in json.dumps(seen[1].json())  # what was offered is theirs to know


def test_acceptance_by_rule_and_offering(client):
    """Five customers asked twice about data, two twice about roaming: offers shown to all
    seven; data accepted twice, refused once, later once, one unanswered; roaming accepted
    once and refused once."""
    data, roaming = data_offering(client), data_offering(client, "Roaming EU 5 GB")
    create_rule(client, data)
    create_rule(
        client,
        roaming,
        code="roaming-test",
        signals=[{"kind": "interaction", "code": "roaming", "weight": 1}],
    )
    said = {"data-test": ["accepted", "accepted", "refused", "later", None]}
    said["roaming-test"] = ["accepted", "refused"]
    for rule, answers in said.items():
        for given in answers:
            customer = create_customer(client)
            reason = "usage.data" if rule == "data-test" else "roaming"
            contact(client, customer, 0, reason)
            contact(client, customer, 1, reason)
            offer = next_offer(client, customer)["offer"]
            assert offer["rule"]["code"] == rule
            if given:
                answer(client, customer, offer, given)

    figures = client.get(ACCEPTANCE).json()
    assert figures["total"] == {
        "shown": 7,
        "accepted": 3,
        "refused": 2,
        "later": 1,
        "unanswered": 1,
        "acceptanceRate": round(3 / 7, 4),
        "acceptanceOfAnswered": 0.6,  # 3 of the 5 that were accepted or refused
    }
    groups = {g["rule"]: g for g in figures["groups"]}
    assert groups["data-test"]["productOffering"] == {"id": data["id"], "name": "Extra 10 GB"}
    assert {k: groups["data-test"][k] for k in ("shown", "accepted", "refused", "later")} == {
        "shown": 5,
        "accepted": 2,
        "refused": 1,
        "later": 1,
    }
    assert groups["data-test"]["acceptanceRate"] == 0.4
    assert (groups["roaming-test"]["shown"], groups["roaming-test"]["acceptanceRate"]) == (2, 0.5)

    by_offering = client.get(ACCEPTANCE, params={"groupBy": "offering"}).json()["groups"]
    assert [(g["productOffering"]["name"], g["shown"]) for g in by_offering] == [
        ("Extra 10 GB", 5),
        ("Roaming EU 5 GB", 2),
    ]
    assert "rule" not in by_offering[0]
    assert client.get(ACCEPTANCE, params={"groupBy": ""}).json()["groups"] == []
    earlier = client.get(ACCEPTANCE, params={"from": "2020-01-01", "to": "2020-02-01"}).json()
    assert earlier["total"]["shown"] == 0 and earlier["total"]["acceptanceRate"] is None
    assert_tmf_error(client.get(ACCEPTANCE, params={"groupBy": "colour"}), 400, "colour")
    assert_tmf_error(client.get(ACCEPTANCE, params={"from": "2027-02-01", "to": "2027-01-01"}), 400)
    first = client.get(ACCEPTANCE, params={"to": "0001-01-02"})  # not 30 days before it
    assert first.json()["period"] == {"from": "0001-01-01", "to": "0001-01-02"}
    assert_tmf_error(client.get(ACCEPTANCE, params={"to": "0001-01-01"}), 400)
