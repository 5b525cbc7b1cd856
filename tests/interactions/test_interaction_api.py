"""TMF683 v5 partyInteraction: create, read, list, filter, patch, delete, and bad input."""

from datetime import UTC, datetime, timedelta

import pytest

from parley.interactions.direct_log import writer_of
from tests.factories import assert_tmf_error, create_individual, create_person_customer
from tests.interactions.helpers import API, customer_ref, interaction_payload, log_interaction

COLLECTION = f"{API}/partyInteraction"


def count(client) -> int:
    return int(client.get(COLLECTION).headers["X-Total-Count"])


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_an_inbound_call_is_logged_for_the_customer_and_read_back(client):
    customer = create_person_customer(client, "Mira", "Lang")
    started = datetime.now(UTC) - timedelta(minutes=6)

    made = log_interaction(
        client,
        customer,
        status="completed",
        interactionDate={
            "startDateTime": iso(started),
            "endDateTime": iso(started + timedelta(minutes=4)),
        },
    )

    assert made["href"] == f"http://testserver{COLLECTION}/{made['id']}"
    assert made["@type"] == "PartyInteraction"
    assert (made["direction"], made["status"], made["reason"]) == (
        "inbound",
        "completed",
        "billing.enquiry",
    )
    reference = made["relatedParty"][0]["partyOrPartyRole"]
    assert reference["href"].endswith(f"/customer/{customer['id']}")
    assert {"creationDate", "lastUpdate", "statusChangeDate"} <= set(made)
    assert client.get(f"{COLLECTION}/{made['id']}").json() == made


def test_status_defaults_to_opened_and_an_end_date_means_completed(client):
    opened = log_interaction(client)
    ended = log_interaction(client, interactionDate={"endDateTime": iso(datetime.now(UTC))})

    assert opened["status"] == "opened" and "endDateTime" not in opened["interactionDate"]
    assert ended["status"] == "completed"


def test_list_filters_and_pages_with_tmf_headers(client):
    customer = create_person_customer(client, "Ole", "Berg")
    for _ in range(3):
        log_interaction(client, customer, direction="outbound", reason="notification")
    log_interaction(client, customer)

    response = client.get(COLLECTION, params={"direction": "outbound", "limit": 2})

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "3"
    assert response.headers["X-Result-Count"] == "2"
    assert all(item["direction"] == "outbound" for item in response.json())
    brief = client.get(COLLECTION, params={"fields": "reason", "status": "opened"}).json()
    assert {frozenset(item) for item in brief} == {frozenset({"id", "href", "@type", "reason"})}


def test_an_interaction_with_a_prospect_names_the_party(client):
    person = create_individual(client)
    reference = {
        "@type": "RelatedPartyOrPartyRole",
        "role": "prospect",
        "partyOrPartyRole": {
            "@type": "PartyRef",
            "id": person["id"],
            "@referredType": "Individual",
        },
    }

    made = log_interaction(client, relatedParty=[reference])

    assert made["relatedParty"][0]["partyOrPartyRole"]["id"] == person["id"]


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"direction": "sideways"}, ["direction"]),
        ({"direction": None}, ["direction"]),
        ({"relatedChannel": None}, ["relatedChannel"]),
        ({"status": "finished"}, ["status"]),
        ({"mood": "angry"}, ["mood"]),
        ({"description": 42}, ["description"]),
        ({"@type": "Individual"}, ["@type"]),
        ({"interactionDate": {"startDateTime": "yesterday"}}, ["startDateTime"]),
        ({"interactionDate": {"startDateTime": "2026-01-01T10:00:00"}}, ["time zone"]),
        ({"interactionDate": {"startDateTime": "2999-01-01T10:00:00Z"}}, ["future"]),
        (
            {
                "status": "completed",
                "interactionDate": {
                    "startDateTime": "2026-01-02T10:00:00Z",
                    "endDateTime": "2026-01-01T10:00:00Z",
                },
            },
            ["ends before it starts"],
        ),
        (
            {"status": "opened", "interactionDate": {"endDateTime": "2026-01-01T10:00:00Z"}},
            ["only a completed interaction has an end"],
        ),
        (
            {
                "interactionRelationship": [
                    {"id": "no-such-interaction", "relationshipType": "follows"}
                ]
            },
            ["no-such-interaction"],
        ),
    ],
)
def test_bad_input_is_refused_in_the_tmf_error_shape_and_nothing_is_written(client, change, names):
    payload = {k: v for k, v in {**interaction_payload(), **change}.items() if v is not None}

    response = client.post(COLLECTION, json=payload)

    assert_tmf_error(response, 400, *names)
    assert count(client) == 0


# An id of Parley's form must name a customer it holds; another id is another system's (an
# external reference: tests/interactions/test_external_references.py), but never a NUL.
@pytest.mark.parametrize("ghost", ["4b0d1a8e-0000-4000-8000-000000000000", "a\x00b"])
def test_an_unknown_customer_is_refused_and_nothing_is_written(client, ghost):
    response = client.post(COLLECTION, json=interaction_payload({"id": ghost}))

    assert_tmf_error(response, 400, "relatedParty[0]")
    assert count(client) == 0


def test_an_unknown_customer_is_refused_on_patch_too(client):
    made = log_interaction(client)
    reference = customer_ref({"id": "4b0d1a8e-0000-4000-8000-000000000000"})

    response = client.patch(f"{COLLECTION}/{made['id']}", json={"relatedParty": [reference]})

    assert_tmf_error(response, 400, "no customer with id")
    assert client.get(f"{COLLECTION}/{made['id']}").json() == made


def test_two_customers_in_one_interaction_are_refused(client):
    first = create_person_customer(client, "Ada", "Roth")
    second = create_person_customer(client, "Ben", "Roth")
    payload = interaction_payload(first)
    payload["relatedParty"].append(customer_ref(second))

    assert_tmf_error(client.post(COLLECTION, json=payload), 400, "one customer")
    assert count(client) == 0


def test_delete_is_for_administrators_and_is_audited(client, as_user):
    made = log_interaction(client)
    agent = as_user("agent.una")

    assert_tmf_error(client.delete(f"{COLLECTION}/{made['id']}", headers=agent), 403)
    assert client.delete(f"{COLLECTION}/{made['id']}").status_code == 204

    assert_tmf_error(client.get(f"{COLLECTION}/{made['id']}"), 404)
    entries = client.get(
        "/api/v1/audit", params={"resourceType": "partyInteraction", "resourceId": made["id"]}
    ).json()
    assert [e["action"] for e in entries] == ["delete", "create"]
    assert entries[0]["before"]["reason"] == "billing.enquiry"


def test_an_agent_logs_an_interaction_in_their_own_name(client, as_user):
    agent = as_user("agent.noor")

    response = client.post(
        COLLECTION, json=interaction_payload(note=[{"text": "Called back"}]), headers=agent
    )

    assert response.status_code == 201, response.text
    note = response.json()["note"][0]
    assert note["author"] == "agent.noor" and note["date"] and note["id"]


def test_long_values_are_stored_whole_in_the_document(client):
    long = "x" * 300
    item = {
        "@type": "InteractionItem",
        "item": {
            "@type": "RelatedEntityRefOrValue",
            "role": long,
            "entity": {"@type": "EntityRef", "id": long, "@referredType": long},
        },
    }
    channel = [{"role": long, "channel": {"@type": "ChannelRef", "id": long, "name": long}}]

    made = log_interaction(
        client, interactionItem=[item], relatedChannel=channel, reason=long, description=long
    )

    assert made["interactionItem"][0]["item"]["role"] == long
    assert client.get(f"{COLLECTION}/{made['id']}").json()["reason"] == long


@pytest.mark.own_app  # the direct writes commit through a pool of their own
def test_on_postgresql_logging_is_one_statement_on_the_event_loop(client, settings):
    """The busiest write skips the thread pool and the session there (interactions/direct_log.py);
    SQLite logs through the unit of work. Either way the same rows are stored."""
    writer = writer_of(client.app.state.engine)
    assert (writer is not None) == settings.database_url.startswith("postgresql")
    customer = create_person_customer(client, "Ada", "Brandt")

    made = log_interaction(client, customer)

    assert client.get(f"{COLLECTION}/{made['id']}").json() == made
    audit = client.get(
        "/api/v1/audit", params={"resourceType": "partyInteraction", "resourceId": made["id"]}
    ).json()
    assert [entry["action"] for entry in audit] == ["create"]


def test_an_unknown_customer_leaves_no_audit_line_and_no_event(client):
    outbox_before = client.get("/api/v1/outbox").headers.get("X-Total-Count")
    ghost = {"id": "4b0d1a8e-0000-4000-8000-000000000000"}

    response = client.post(COLLECTION, json=interaction_payload(ghost))

    assert_tmf_error(response, 400, "relatedParty[0]")
    audit = client.get("/api/v1/audit", params={"resourceType": "partyInteraction"}).json()
    assert audit == []
    assert client.get("/api/v1/outbox").headers.get("X-Total-Count") == outbox_before
