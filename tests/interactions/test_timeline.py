"""A customer's timeline: newest first, keyset pages, filters, history, and who sees what."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.auth.helpers import bearer, login, make_user
from tests.factories import (
    assert_tmf_error,
    create_customer,
    create_individual,
    create_person_customer,
    set_customer_status,
)
from tests.interactions.helpers import API, log_interaction

NOW = datetime.now(UTC).replace(microsecond=0)


def at(minutes_ago: int) -> dict:
    moment = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {"startDateTime": moment}


def timeline(client, customer: dict, **params) -> dict:
    response = client.get(f"/api/v1/customers/{customer['id']}/interactions", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def walk(client, customer: dict, limit: int, between_pages=None, **filters) -> list[str]:
    seen, cursor = [], None
    while True:
        params = {"limit": limit, **filters, **({"cursor": cursor} if cursor else {})}
        page = timeline(client, customer, **params)
        seen += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            return seen
        if between_pages:
            between_pages()


def test_pages_run_newest_first_without_gaps_or_repeats_while_new_interactions_arrive(client):
    customer = create_person_customer(client, "Nina", "Falk")
    # Two at the same minute: the id breaks the tie, so neither is skipped nor repeated.
    logged = [log_interaction(client, customer, interactionDate=at(m)) for m in (50, 40, 40, 30)]
    logged += [log_interaction(client, customer, interactionDate=at(m)) for m in range(29, 10, -1)]
    expected = [
        item["id"]
        for item in sorted(
            logged, key=lambda i: (i["interactionDate"]["startDateTime"], i["id"]), reverse=True
        )
    ]
    arriving = []

    seen = walk(
        client,
        customer,
        limit=4,
        between_pages=lambda: arriving.append(log_interaction(client, customer)["id"]),
    )

    assert seen == expected
    assert len(arriving) == 5
    assert timeline(client, customer, limit=5)["items"][0]["id"] == arriving[-1]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"channel": "email"}, ["mail"]),
        ({"direction": "outbound"}, ["bill"]),
        ({"reason": "complaint"}, ["complaint"]),
        ({"since": (NOW - timedelta(minutes=25)).isoformat()}, ["mail", "complaint"]),
        ({"until": (NOW - timedelta(minutes=25)).isoformat()}, ["bill", "call"]),
    ],
)
def test_filters_by_channel_direction_reason_and_time(client, filters, expected):
    customer = create_person_customer(client, "Paul", "Seidel")
    email = [
        {"role": "contact", "channel": {"@type": "ChannelRef", "id": "email", "name": "email"}}
    ]
    made = {
        "call": log_interaction(client, customer, interactionDate=at(40)),
        "bill": log_interaction(
            client, customer, direction="outbound", reason="billing.issued", interactionDate=at(30)
        ),
        "mail": log_interaction(client, customer, relatedChannel=email, interactionDate=at(20)),
        "complaint": log_interaction(client, customer, reason="complaint", interactionDate=at(10)),
    }
    names = {item["id"]: name for name, item in made.items()}

    found = walk(client, customer, limit=2, **filters)

    assert {names[i] for i in found} == set(expected)


def test_the_timeline_includes_the_persons_former_accounts_and_prospect_days(client):
    person = create_individual(client, givenName="Rosa", familyName="Adler")
    as_prospect = {
        "@type": "RelatedPartyOrPartyRole",
        "role": "prospect",
        "partyOrPartyRole": {
            "@type": "PartyRef",
            "id": person["id"],
            "@referredType": "Individual",
        },
    }
    first_contact = log_interaction(client, relatedParty=[as_prospect], interactionDate=at(300))
    former = create_customer(client, person)
    on_former = log_interaction(client, former, interactionDate=at(200))
    set_customer_status(client, former, "disconnected")
    # A new account for a former customer is a suspected duplicate (of the disconnected one).
    current = create_customer(client, person, force=True)
    on_current = log_interaction(client, current, interactionDate=at(100))
    someone_else = log_interaction(client, create_person_customer(client, "Rosa", "Adlar"))

    seen = [item["id"] for item in timeline(client, current)["items"]]

    assert seen == [on_current["id"], on_former["id"], first_contact["id"]]
    assert someone_else["id"] not in seen


def test_a_customer_sees_only_their_own_interactions(client, session, settings):
    mine = create_person_customer(client, "Kai", "Brandt")
    other = create_person_customer(client, "Lou", "Brandt")
    own = log_interaction(client, mine)
    foreign = log_interaction(client, other)
    user = make_user(session, settings, "customer", kind="customer", customer_id=mine["id"])
    headers = bearer(login(client, user.user.username)["access_token"])

    listed = client.get(f"{API}/partyInteraction", headers=headers).json()
    assert [item["id"] for item in listed] == [own["id"]]
    assert client.get(f"{API}/partyInteraction/{own['id']}", headers=headers).status_code == 200
    assert_tmf_error(client.get(f"{API}/partyInteraction/{foreign['id']}", headers=headers), 404)
    by_id = client.get(f"{API}/partyInteraction", params={"id": foreign["id"]}, headers=headers)
    assert by_id.json() == []
    own_timeline = client.get(f"/api/v1/customers/{mine['id']}/interactions", headers=headers)
    assert [item["id"] for item in own_timeline.json()["items"]] == [own["id"]]
    other_timeline = client.get(f"/api/v1/customers/{other['id']}/interactions", headers=headers)
    assert_tmf_error(other_timeline, 404)
    assert_tmf_error(client.post(f"{API}/partyInteraction", json={}, headers=headers), 403)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "MjAyNi0wMS0wMVQwMDowMDowMHw"}, "cursor"),  # "2026-01-01T00:00:00|"
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"direction": "sideways"}, "direction"),
        ({"since": "2026-01-01T00:00:00"}, "time zone"),
        ({"until": "tomorrow"}, "until"),
    ],
)
def test_bad_timeline_queries_are_400_in_the_tmf_error_shape(client, params, named):
    customer = create_person_customer(client, "Uwe", "Kranz")

    response = client.get(f"/api/v1/customers/{customer['id']}/interactions", params=params)

    assert_tmf_error(response, 400, named)


def test_the_timeline_of_an_unknown_customer_is_404(client):
    assert_tmf_error(client.get("/api/v1/customers/nobody/interactions"), 404)
