"""Long-lived interactions grow and complete; completed ones are history, only appended to."""

from datetime import UTC, datetime, timedelta

from tests.factories import assert_tmf_error, create_person_customer
from tests.interactions.helpers import API, log_interaction

COLLECTION = f"{API}/partyInteraction"


def patch(client, made: dict, **changes):
    return client.patch(f"{COLLECTION}/{made['id']}", json=changes)


def audit_actions(client, interaction_id: str) -> list[str]:
    entries = client.get(
        "/api/v1/audit", params={"resourceType": "partyInteraction", "resourceId": interaction_id}
    ).json()
    return [entry["action"] for entry in reversed(entries)]


def test_a_long_interaction_gains_items_and_notes_on_later_contacts_then_completes(client):
    customer = create_person_customer(client, "Lea", "Vogt")
    started = datetime.now(UTC) - timedelta(days=3)
    made = log_interaction(
        client,
        customer,
        reason="fault.report",
        interactionDate={"startDateTime": started.isoformat()},
        note=[{"text": "No signal at home since Monday"}],
    )
    ticket = {
        "@type": "InteractionItem",
        "reason": "fault.report",
        "item": {
            "@type": "RelatedEntityRefOrValue",
            "role": "request",
            "entity": {"@type": "EntityRef", "id": "TT-1001", "@referredType": "TroubleTicket"},
        },
    }

    second = patch(
        client,
        made,
        status="inProgress",
        interactionItem=[ticket],
        note=[*made["note"], {"text": "Called again: technician booked"}],
    )
    assert second.status_code == 200, second.text
    done = patch(client, second.json(), status="completed")
    assert done.status_code == 200, done.text

    final = done.json()
    assert final["status"] == "completed"
    assert [n["text"] for n in final["note"]] == [
        "No signal at home since Monday",
        "Called again: technician booked",
    ]
    assert final["interactionItem"][0]["id"]
    assert final["interactionDate"]["startDateTime"] == made["interactionDate"]["startDateTime"]
    entry = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()["items"][0]
    assert entry["status"] == "completed"
    assert entry["durationSeconds"] >= timedelta(days=3).total_seconds() - 1
    by_ticket = client.get(
        f"/api/v1/customers/{customer['id']}/interactions", params={"relatedEntity": "TT-1001"}
    ).json()
    assert [item["id"] for item in by_ticket["items"]] == [made["id"]]
    assert audit_actions(client, made["id"]) == ["create", "update", "update"]


def test_a_completed_interaction_is_not_rewritten(client):
    made = log_interaction(client, status="completed", note=[{"text": "Explained the bill"}])
    rewritten_note = [{**made["note"][0], "text": "Refund promised"}]

    for change in (
        {"description": "Something else"},
        {"reason": "complaint"},
        {"note": rewritten_note},
        {"note": []},
        {"relatedChannel": [{"role": "contact", "channel": {"id": "email"}}]},
    ):
        assert_tmf_error(patch(client, made, **change), 409, "history")

    assert client.get(f"{COLLECTION}/{made['id']}").json() == made
    assert audit_actions(client, made["id"]) == ["create"]


def test_corrections_are_appended_notes_and_a_related_corrective_interaction(client):
    made = log_interaction(client, status="completed", reason="billing.enquiry")
    corrective = log_interaction(
        client,
        status="completed",
        reason="billing.dispute",
        description="Correction: the caller disputed the bill",
        interactionRelationship=[{"id": made["id"], "relationshipType": "corrects"}],
    )

    noted = patch(
        client,
        made,
        note=[{"text": "Classified wrongly; see the corrective interaction"}],
        interactionRelationship=[{"id": corrective["id"], "relationshipType": "correctedBy"}],
    )

    assert noted.status_code == 200, noted.text
    assert noted.json()["interactionRelationship"][0]["id"] == corrective["id"]
    assert noted.json()["reason"] == "billing.enquiry"
    assert audit_actions(client, made["id"]) == ["create", "update"]


def test_status_moves_forward_only_and_start_and_direction_stay(client):
    made = log_interaction(client, status="inProgress")

    assert_tmf_error(patch(client, made, status="opened"), 409, "forward")
    assert_tmf_error(patch(client, made, direction="outbound"), 400, "direction")
    moved = {"startDateTime": "2026-01-01T00:00:00Z"}
    assert_tmf_error(patch(client, made, interactionDate=moved), 400, "startDateTime")
    done = patch(client, made, status="completed").json()
    assert_tmf_error(patch(client, done, status="inProgress"), 409)


def test_an_open_interaction_may_be_tied_to_the_customer_once_identified(client):
    made = log_interaction(client)
    customer = create_person_customer(client, "Ida", "Kern")
    reference = {
        "@type": "RelatedPartyOrPartyRole",
        "role": "customer",
        "partyOrPartyRole": {
            "@type": "PartyRoleRef",
            "id": customer["id"],
            "@referredType": "Customer",
        },
    }

    response = patch(client, made, relatedParty=[reference])

    assert response.status_code == 200, response.text
    timeline = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()
    assert [item["id"] for item in timeline["items"]] == [made["id"]]


def test_the_reason_is_classified_by_code_label_or_code_prefix_and_free_text_is_kept(client):
    customer = create_person_customer(client, "Tom", "Hahn")
    given = ["complaint", "Bill dispute", "billing.dispute: charged twice", "Wants a paper bill"]
    for reason in given:
        log_interaction(client, customer, reason=reason)

    items = client.get(f"/api/v1/customers/{customer['id']}/interactions").json()["items"]

    classified = {item["reason"]["text"]: item["reason"]["code"] for item in items}
    assert classified == {
        "complaint": "complaint",
        "Bill dispute": "billing.dispute",
        "billing.dispute: charged twice": "billing.dispute",
        "Wants a paper bill": None,
    }
    assert {item["reason"]["label"] for item in items if item["reason"]["code"] == "complaint"} == {
        "Complaint"
    }
