"""The reason catalogue: seeded, managed by administrators, never losing a code in use."""

import pytest
from sqlalchemy.orm import Session

from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.interactions.reasons import DEFAULT_REASONS, ReasonCatalogue
from tests.factories import assert_tmf_error
from tests.interactions.helpers import log_interaction

REASONS = "/api/v1/interaction-reasons"


def test_the_migration_seeds_the_default_catalogue(scratch_database_url, settings):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            reasons = ReasonCatalogue(UnitOfWork(session, settings)).list_reasons()
            seeded = {(r.code, r.label, r.category) for r in reasons}
    finally:
        engine.dispose()

    assert seeded == set(DEFAULT_REASONS)


def test_staff_read_the_catalogue_and_administrators_extend_it(client, as_user):
    agent = as_user("agent.ria")
    new = {"code": "roaming.bill", "label": "Roaming charges", "category": "billing"}

    assert {r["code"] for r in client.get(REASONS, headers=agent).json()} >= {"complaint"}
    assert_tmf_error(client.post(REASONS, json=new, headers=agent), 403)
    created = client.post(REASONS, json=new)

    assert created.status_code == 201, created.text
    assert created.json() == {**new, "active": True, "summaryPolicy": "never"}
    made = log_interaction(client, reason="Roaming charges")
    assert made["reason"] == "Roaming charges"
    actions = client.get("/api/v1/audit", params={"resourceType": "interactionReason"}).json()
    assert [entry["action"] for entry in actions] == ["create"]


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"code": "complaint", "label": "Again", "category": "account"}, 409, "complaint"),
        ({"code": "Has Spaces", "label": "x", "category": "y"}, 400, "code"),
        ({"code": "ok.code", "label": " ", "category": "y"}, 400, "label"),
        ({"code": "ok.code", "label": "x"}, 400, "category"),
        ({"code": "ok.code", "label": "x", "category": "y", "extra": 1}, 400, "extra"),
        ({"code": "ok.code", "label": "x", "category": "y", "summaryPolicy": "often"}, 400, ""),
    ],
)
def test_bad_reasons_are_refused(client, body, status, named):
    before = client.get(REASONS).json()

    assert_tmf_error(client.post(REASONS, json=body), status, named)
    assert client.get(REASONS).json() == before


def test_a_reason_is_deactivated_not_deleted_and_history_keeps_its_code(client):
    log_interaction(client, reason="complaint")

    changed = client.patch(
        f"{REASONS}/complaint", json={"active": False, "label": "Complaint (old)"}
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["active"] is False
    active = {r["code"] for r in client.get(REASONS, params={"activeOnly": "true"}).json()}
    assert "complaint" not in active
    assert_tmf_error(client.patch(f"{REASONS}/complaint", json={"code": "x"}), 400)
    assert_tmf_error(client.patch(f"{REASONS}/complaint", json={"active": None}), 400)
    assert_tmf_error(client.patch(f"{REASONS}/no-such-code", json={"active": True}), 404)


def test_a_reasons_summary_policy_is_never_until_changed(client):
    seeded = {r["code"]: r["summaryPolicy"] for r in client.get(REASONS).json()}
    assert set(seeded.values()) == {"never"}

    changed = client.patch(f"{REASONS}/complaint", json={"summaryPolicy": "agentDecides"})
    made = client.post(
        REASONS,
        json={"code": "fault.fixed", "label": "Fixed", "category": "x", "summaryPolicy": "always"},
    )

    assert changed.status_code == 200 and changed.json()["summaryPolicy"] == "agentDecides"
    assert made.status_code == 201 and made.json()["summaryPolicy"] == "always"
    assert_tmf_error(client.patch(f"{REASONS}/complaint", json={"summaryPolicy": "x"}), 400)
    assert_tmf_error(client.patch(f"{REASONS}/complaint", json={"summaryPolicy": None}), 400)
    entries = client.get("/api/v1/audit", params={"resourceType": "interactionReason"}).json()
    update = next(e for e in entries if e["action"] == "update")
    assert update["before"]["summaryPolicy"] == "never"
    assert update["after"]["summaryPolicy"] == "agentDecides"
