"""Every write through the API leaves an audit entry: who, when, what (before and after),
through which channel. Secrets never appear in it."""

import re

from parley.auth.audit import AuditFilter, AuditTrail
from tests.auth.helpers import bearer, headers_for, login, make_user
from tests.conftest import CUSTOMER_API, PARLEY_API, PARTY_API
from tests.factories import customer_payload, individual_payload

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _entries(session, **filters):
    session.expire_all()
    entries, _ = AuditTrail(session).query(AuditFilter(**filters), 0, 100)
    return entries


def _agent(client, session, settings):
    user = make_user(session, settings, "agent", username="agent.kim")
    return {
        **bearer(login(client, user.user.username)["access_token"]),
        "X-Parley-Channel": "phone",
    }


def test_party_and_customer_writes_are_audited_with_before_and_after(client, session, settings):
    headers = _agent(client, session, settings)
    party = client.post(f"{PARTY_API}/individual", json=individual_payload(), headers=headers)
    party_id = party.json()["id"]
    client.patch(f"{PARTY_API}/individual/{party_id}", json={"title": "Dr"}, headers=headers)
    customer = client.post(
        f"{CUSTOMER_API}/customer", json=customer_payload(party.json()), headers=headers
    ).json()
    client.patch(
        f"{CUSTOMER_API}/customer/{customer['id']}", json={"status": "suspended"}, headers=headers
    )
    assert (
        client.delete(f"{CUSTOMER_API}/customer/{customer['id']}", headers=headers).status_code
        == 204
    )
    assert client.delete(f"{PARTY_API}/individual/{party_id}", headers=headers).status_code == 204

    party_log = _entries(session, resource_type="individual", resource_id=party_id)
    assert [e.action for e in party_log] == ["delete", "update", "create"]
    created, updated = party_log[2], party_log[1]
    assert created.before is None and created.after["familyName"]
    assert "title" not in updated.before and updated.after["title"] == "Dr"
    assert {(e.actor_name, e.channel) for e in party_log} == {("agent.kim", "phone")}
    assert all(e.actor_id for e in party_log)

    customer_log = _entries(session, resource_type="customer", resource_id=customer["id"])
    assert [e.action for e in customer_log] == ["delete", "update", "create"]
    assert customer_log[1].before["status"] == "active"
    assert customer_log[1].after["status"] == "suspended"
    assert customer_log[0].after is None and customer_log[0].before["status"] == "suspended"


def test_refused_writes_leave_no_audit_entry(client, session, settings):
    headers = _agent(client, session, settings)
    response = client.post(f"{PARTY_API}/individual", json={"givenName": "x"}, headers=headers)
    assert response.status_code == 400
    assert _entries(session, resource_type="individual") == []


def test_notes_security_and_verification_are_audited_without_secrets(client, session, settings):
    headers = _agent(client, session, settings)
    party = client.post(f"{PARTY_API}/individual", json=individual_payload(), headers=headers)
    customer = client.post(
        f"{CUSTOMER_API}/customer", json=customer_payload(party.json()), headers=headers
    ).json()
    base = f"{PARLEY_API}/customers/{customer['id']}"
    note = client.post(f"{base}/notes", json={"text": "Called about roaming."}, headers=headers)
    security = {"pin": "80417293", "questions": [{"question": "First pet?", "answer": "Bello"}]}
    assert client.put(f"{base}/security", json=security, headers=headers).status_code == 200
    client.post(
        f"{base}/verification", json={"method": "pin", "answer": "61502948"}, headers=headers
    )

    (note_entry,) = _entries(session, resource_type="customerNote")
    assert note_entry.resource_id == note.json()["id"]
    assert note_entry.after["text"] == "Called about roaming."
    (security_entry,) = _entries(session, resource_type="customerSecurity")
    assert security_entry.after == {"pin": "changed", "questions": ["First pet?"]}
    (verify_entry,) = _entries(session, action="verify")
    assert verify_entry.after == {"method": "pin", "outcome": "failed"}
    # Ids are random hex: drop them so a digit run inside one is not taken for a leaked secret.
    everything = UUID.sub("", repr([(e.before, e.after) for e in _entries(session)]))
    assert all(secret not in everything for secret in ("80417293", "Bello", "61502948"))


def test_administrators_query_the_trail_by_actor_resource_and_time(client, session, settings):
    headers = _agent(client, session, settings)
    party = client.post(f"{PARTY_API}/individual", json=individual_payload(), headers=headers)
    admin = headers_for(client, session, settings, "administrator")

    by_resource = client.get(
        "/api/v1/audit",
        params={"resourceType": "individual", "resourceId": party.json()["id"]},
        headers=admin,
    )
    assert by_resource.status_code == 200
    assert [(e["action"], e["actorName"]) for e in by_resource.json()] == [("create", "agent.kim")]
    by_actor = client.get("/api/v1/audit", params={"actorName": "agent.kim"}, headers=admin)
    assert {e["action"] for e in by_actor.json()} == {"create", "login"}
    later = client.get("/api/v1/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=admin)
    assert later.json() == [] and later.headers["X-Total-Count"] == "0"
    naive = client.get("/api/v1/audit", params={"since": "2026-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 400
    assert client.get("/api/v1/audit", headers=headers).status_code == 403
