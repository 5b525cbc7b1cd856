"""Every TMF resource's writes emit their domain events, in the transaction of the change:
sales leads to conversion, billing accounts, roles and grants (TMF672)."""

from sqlalchemy import select

from parley.changes.recorder import EVENT_KIND
from parley.outbox.models import OutboxMessage
from tests.events.conftest import deliver_all, subscribe
from tests.leads.test_conversion import _convert, qualified  # noqa: F401  (a fixture)

TMF672 = "/tmf-api/userRolesAndPermissions/v4"


def _events(session, resource_type: str) -> list[dict]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == EVENT_KIND)
        .order_by(OutboxMessage.created_at)
    ).all()
    session.rollback()
    return [row.payload for row in rows if row.payload["resourceType"] == resource_type]


def _kinds(events: list[dict]) -> list[tuple[str, bool]]:
    return [(event["kind"], event["stateChanged"]) for event in events]


def test_a_lead_tells_each_step_to_its_conversion_and_the_account_it_made(
    client,
    session,
    qualified,  # noqa: F811
):
    _person, lead = qualified
    converted = _convert(client, lead)
    assert converted.status_code in (200, 201), converted.text

    lead_events = _events(session, "salesLead")
    # created, reached (acknowledged -> inProgress), qualified, converted
    assert _kinds(lead_events) == [
        ("create", False),
        ("update", True),
        ("update", True),
        ("update", True),
    ]
    assert lead_events[-1]["document"]["status"] == "converted"
    (account,) = _events(session, "billingAccount")
    assert account["kind"] == "create" and account["document"]["state"] == "active"
    assert [e["kind"] for e in _events(session, "customer")] == ["create"]


def test_roles_and_grants_are_told_as_tmf672_user_roles_and_permissions(
    client, session, listener, make_worker
):
    subscribe(client, f"{TMF672}/hub", f"{listener.url}/iam")
    made = client.post(
        f"{TMF672}/userRole",
        json={
            "involvementRole": "auditor",
            "entitlement": [{"function": "audit", "action": "read"}],
        },
    )
    assert made.status_code == 201, made.text
    role = made.json()
    changed = client.patch(
        f"{TMF672}/userRole/{role['id']}",
        json={"entitlement": [{"function": "outbox", "action": "read"}]},
    )
    assert changed.status_code == 200, changed.text
    assert client.delete(f"{TMF672}/userRole/{role['id']}").status_code == 204

    deliver_all(make_worker())

    got = {received.path: received.json() for received in listener.received}
    assert set(got) >= {
        "/iam/listener/userRoleCreateEvent",
        "/iam/listener/userRoleAttributeValueChangeEvent",
        "/iam/listener/userRoleDeleteEvent",
    }
    shown = got["/iam/listener/userRoleAttributeValueChangeEvent"]["event"]["userRole"]
    assert shown["id"] == role["id"] and shown["involvementRole"] == "auditor"
    assert shown["entitlement"] == [
        {"@type": "Entitlement", "function": "outbox", "action": "read"}
    ]
    # The administrator of this test was granted its role when made: a permission.
    grants = _events(session, "permission")
    assert grants and grants[0]["kind"] == "create"
    assert grants[0]["document"]["roleName"] == "administrator"
