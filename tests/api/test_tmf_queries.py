"""TMF list queries (db/listing.py, api/tmf/kit/query.py): filters on nested paths, the
comparison operators, "in" lists, sort, cursors, and 400 for what can't be asked."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from parley.db.repository import Repository, estimated_rows
from parley.parties.models import Customer
from tests.conftest import CUSTOMER_API
from tests.factories import assert_tmf_error, create_customer, create_individual
from tests.interactions.helpers import API, V4_API, customer_ref, log_interaction

CUSTOMERS = f"{CUSTOMER_API}/customer"
INTERACTIONS = f"{API}/partyInteraction"


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


@pytest.fixture
def three_interactions(client, clock):
    """Three interactions an hour apart, the first two of one customer."""
    first, second = create_customer(client), create_customer(client)
    made = []
    for customer in (first, first, second):
        made.append(log_interaction(client, customer))
        clock.advance(seconds=30)
    return first, second, made


def test_filter_by_related_party_id_in_either_shape(client, three_interactions):
    first, second, made = three_interactions
    newest_first = [made[1]["id"], made[0]["id"]]
    for name in ("relatedParty.id", "relatedParty.partyOrPartyRole.id"):
        assert _ids(client.get(INTERACTIONS, params={name: first["id"]})) == newest_first
        assert _ids(client.get(INTERACTIONS, params={name: second["id"]})) == [made[2]["id"]]
    both = f"{first['id']},{second['id']}"  # a comma list is "any of"
    assert len(_ids(client.get(INTERACTIONS, params={"relatedParty.id": both}))) == 3


def test_related_party_finds_a_persons_and_a_customers_interactions_with_exact_totals(client):
    """The filter reads the customer column or the person column, whichever holds the id
    (Repository.narrowed): the same rows as either, counted."""
    person = create_individual(client)
    as_prospect = {
        "role": "prospect",
        "partyOrPartyRole": {
            "@type": "PartyRef",
            "id": person["id"],
            "@referredType": "Individual",
        },
    }
    prospect = [log_interaction(client, relatedParty=[as_prospect]) for _ in range(2)]
    customer = create_customer(client)
    of_customer = log_interaction(client, customer)

    for wanted, expected in (
        (person["id"], {m["id"] for m in prospect}),
        (customer["id"], {of_customer["id"]}),
        (f"{person['id']},{customer['id']}", {m["id"] for m in (*prospect, of_customer)}),
        ("an-id-nobody-has", set()),
    ):
        answer = client.get(INTERACTIONS, params={"relatedParty.id": wanted})
        assert set(_ids(answer)) == expected
        assert answer.headers["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("gt", [2]), ("gte", [2, 1]), ("lt", [0]), ("lte", [1, 0]), ("eq", [1])],
)
def test_date_comparisons(client, three_interactions, operator, expected):
    first, _, made = three_interactions
    middle = made[1]["creationDate"]
    own = [m["id"] for m in made]
    params = {f"creationDate.{operator}": middle}
    assert [own.index(i) for i in _ids(client.get(INTERACTIONS, params=params)) if i in own] == (
        expected
    )


def test_date_range_and_plain_equality(client, three_interactions):
    _, _, made = three_interactions
    params = {
        "creationDate.gt": made[0]["creationDate"],
        "creationDate.lt": made[2]["creationDate"],
    }
    assert _ids(client.get(INTERACTIONS, params=params)) == [made[1]["id"]]
    exact = {"creationDate": made[2]["creationDate"]}
    assert _ids(client.get(INTERACTIONS, params=exact)) == [made[2]["id"]]


def test_a_date_in_another_zone_is_the_same_moment(client, three_interactions):
    _, _, made = three_interactions
    moment = datetime.fromisoformat(made[1]["creationDate"].replace("Z", "+00:00"))
    elsewhere = moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    params = {"creationDate.gte": elsewhere, "creationDate.lte": elsewhere}
    assert _ids(client.get(INTERACTIONS, params=params)) == [made[1]["id"]]


def test_sort_ascending_and_descending(client, three_interactions):
    first, _, made = three_interactions
    own = {m["id"] for m in made}
    ascending = [
        i for i in _ids(client.get(INTERACTIONS, params={"sort": "creationDate"})) if i in own
    ]
    assert ascending == [m["id"] for m in made]
    descending = _ids(client.get(INTERACTIONS, params={"sort": "-creationDate"}))
    assert [i for i in descending if i in own] == [m["id"] for m in reversed(made)]


def test_status_in_a_list(client, clock):
    customer = create_customer(client)
    opened = log_interaction(client, customer)
    done = log_interaction(client, customer, status="completed")
    mine = {"relatedParty.id": customer["id"]}
    assert _ids(client.get(INTERACTIONS, params={**mine, "status": "opened"})) == [opened["id"]]
    both = _ids(client.get(INTERACTIONS, params={**mine, "status": "opened,completed"}))
    assert set(both) == {opened["id"], done["id"]}


def test_nested_document_paths_through_lists(client):
    customer = create_customer(client)
    other_role = log_interaction(client, relatedParty=[customer_ref(customer, role="requester")])
    plain = log_interaction(client, customer)
    mine = {"relatedParty.id": customer["id"]}
    requester = _ids(client.get(INTERACTIONS, params={**mine, "relatedParty.role": "requester"}))
    assert requester == [other_role["id"]]
    either = {**mine, "relatedParty.role": "requester,customer"}
    assert set(_ids(client.get(INTERACTIONS, params=either))) == {other_role["id"], plain["id"]}
    by_channel = {**mine, "relatedChannel.role": "contact", "relatedChannel.channel.id": "phone"}
    assert set(_ids(client.get(INTERACTIONS, params=by_channel))) == {
        other_role["id"],
        plain["id"],
    }
    assert (
        _ids(client.get(INTERACTIONS, params={**mine, "relatedChannel.channel.id": "email"})) == []
    )


def test_v4_filters_by_customer_and_channel(client):
    customer = create_customer(client)
    made = log_interaction(client, customer)
    v4 = f"{V4_API}/partyInteraction"
    assert _ids(client.get(v4, params={"relatedParty.id": customer["id"]})) == [made["id"]]
    params = {"relatedParty.id": customer["id"], "channel.id": "phone"}
    assert _ids(client.get(v4, params=params)) == [made["id"]]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"creationDate": "foo"}, "creationDate"),
        ({"creationDate.gt": "yesterday"}, "creationDate.gt"),
        ({"creationDate.lt": "2026-01-01T10:00:00"}, "time zone"),
        ({"status.gt": "opened"}, "status.gt"),
        ({"description.lte": "x"}, "description.lte"),
        ({"relatedParty.shoeSize": "x"}, "relatedParty.shoeSize"),
        ({"nothing.gt": "1"}, "nothing.gt"),
        ({"sort": "description"}, "description"),
        ({"sort": "creationDate,-creationDate"}, "creationDate"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzFd", "offset": "0"}, "cursor"),
    ],
)
def test_what_cannot_be_asked_is_a_400(client, params, named):
    assert_tmf_error(client.get(INTERACTIONS, params=params), 400, named)


def test_customers_by_contact_name_and_sorted_by_name(client):
    contact = create_individual(client)
    ref = {
        "role": "billingContact",
        "partyOrPartyRole": {
            "id": contact["id"],
            "@referredType": "Individual",
            "@type": "PartyRef",
        },
        "@type": "RelatedPartyOrPartyRole",
    }
    with_contact = create_customer(client, name="Zeta Query", relatedParty=[ref])
    create_customer(client, name="Alpha Query")
    found = _ids(client.get(CUSTOMERS, params={"relatedParty.id": contact["id"]}))
    assert found == [with_contact["id"]]
    by_role = {"relatedParty.role": "billingContact", "name": "Zeta Query,Alpha Query"}
    assert _ids(client.get(CUSTOMERS, params=by_role)) == [with_contact["id"]]
    names = {"name": "Zeta Query,Alpha Query"}
    ascending = client.get(CUSTOMERS, params={**names, "sort": "name"}).json()
    assert [c["name"] for c in ascending] == ["Alpha Query", "Zeta Query"]
    descending = client.get(CUSTOMERS, params={**names, "sort": "-name"}).json()
    assert [c["name"] for c in descending] == ["Zeta Query", "Alpha Query"]


def test_cursor_pages_through_a_list_without_repeats(client):
    made = [create_customer(client, name=f"Cursor Query {n}")["id"] for n in range(5)]
    names = ",".join(f"Cursor Query {n}" for n in range(5))
    seen, params = [], {"name": names, "limit": "2"}
    for _ in range(4):
        response = client.get(CUSTOMERS, params=params)
        seen += _ids(response)
        assert response.headers["X-Total-Count"] == "5"
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert "cursor=" in response.headers["Link"] and 'rel="next"' in response.headers["Link"]
        params = {"name": names, "limit": "2", "cursor": cursor}
    assert seen == list(reversed(made))  # newest first, each once


def test_cursor_follows_the_sort_it_was_made_for(client):
    for n in range(3):
        create_customer(client, name=f"Sorted Cursor {n}")
    names = ",".join(f"Sorted Cursor {n}" for n in range(3))
    first = client.get(CUSTOMERS, params={"name": names, "limit": "2", "sort": "name"})
    rest = client.get(
        CUSTOMERS,
        params={
            "name": names,
            "limit": "2",
            "sort": "name",
            "cursor": first.headers["X-Next-Cursor"],
        },
    )
    assert [c["name"] for c in first.json() + rest.json()] == [
        "Sorted Cursor 0",
        "Sorted Cursor 1",
        "Sorted Cursor 2",
    ]
    assert "X-Next-Cursor" not in rest.headers


def test_a_total_the_planner_expects_to_be_large_is_its_estimate(client, engine, monkeypatch):
    """Where PostgreSQL's planner expects more rows than ESTIMATE_ABOVE, its estimate is the
    total, said to be one; SQLite counts."""
    monkeypatch.setattr("parley.db.repository.ESTIMATE_ABOVE", -1)
    names = ",".join(f"Counted {n}" for n in range(4))
    for n in range(4):
        create_customer(client, name=f"Counted {n}")
    response = client.get(CUSTOMERS, params={"name": names, "limit": "1"})
    assert response.status_code == 200, response.text
    if engine.dialect.name == "postgresql":
        assert response.headers["X-Total-Count-Exact"] == "false"
        assert int(response.headers["X-Total-Count"]) >= 1
    else:
        assert "X-Total-Count-Exact" not in response.headers
        assert response.headers["X-Total-Count"] == "4"


def test_each_list_query_gets_its_own_estimate(client, session):
    """The EXPLAIN behind an estimated total is compiled once per query shape and cached: the
    estimate must still be the one of the query asked, filter values included."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite counts: estimates are PostgreSQL's planner's")
    for n in range(3):
        create_customer(client, name=f"Estimated {n}")
    session.execute(text("ANALYZE customer"))  # statistics: the two dates are told apart

    def by_hand(query) -> int:
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar()
        return int(plan[0]["Plan"]["Plan Rows"])

    everyone = select(Customer.id)
    queries = [
        everyone,
        everyone.where(Customer.created_at > datetime(1970, 1, 1, tzinfo=UTC)),
        everyone.where(Customer.created_at > datetime(9000, 1, 1, tzinfo=UTC)),
        everyone,
    ]
    estimates = [estimated_rows(session, query) for query in queries]
    assert estimates == [by_hand(query) for query in queries]
    assert estimates[1] != estimates[2]  # told apart by their values, not by a stale plan


def test_totals_are_exact_where_cheap(client):
    names = ",".join(f"Exact {n}" for n in range(3))
    for n in range(3):
        create_customer(client, name=f"Exact {n}")
    for params in ({"limit": "2"}, {"limit": "5"}, {"limit": "2", "offset": "2"}):
        response = client.get(CUSTOMERS, params={"name": names, **params})
        assert response.headers["X-Total-Count"] == "3", params
        assert "X-Total-Count-Exact" not in response.headers
    past_the_end = client.get(CUSTOMERS, params={"name": names, "offset": "7"})
    assert past_the_end.json() == [] and past_the_end.headers["X-Total-Count"] == "3"


def test_a_count_past_its_time_budget_gives_the_estimate(client, engine, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite counts: the budget is PostgreSQL's statement_timeout")
    budgeted = Repository._count_within
    slow = select(func.count()).select_from(select(func.pg_sleep(0.2)).subquery())
    monkeypatch.setattr(
        Repository, "_count_within", lambda self, _counting, _ms: budgeted(self, slow, 20)
    )
    for n in range(3):
        create_customer(client, name=f"Budget {n}")
    names = ",".join(f"Budget {n}" for n in range(3))
    response = client.get(CUSTOMERS, params={"name": names, "limit": "1"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count-Exact"] == "false"
    monkeypatch.setattr(Repository, "_count_within", budgeted)
    # The request's transaction went on, and the timeout did not outlive the count.
    counted = client.get(CUSTOMERS, params={"name": names, "limit": "1"})
    assert counted.headers["X-Total-Count"] == "3"
    assert "X-Total-Count-Exact" not in counted.headers
