"""List answers are paged by a byte budget as well as a count (issue 18: one customer's
interaction list grew to 39 MB): a page stops before the item that would take its JSON past
PARLEY_MAX_PAGE_BYTES, X-Result-Count says how many it holds and X-Total-Count how many there
are, so a client that pages by offset + X-Result-Count sees every item once."""

import json

from tests.conftest import PARLEY_API
from tests.factories import create_person_customer
from tests.interactions.helpers import API, log_interaction

INTERACTIONS = f"{API}/partyInteraction"
BUDGET = 8 * 1024


def _walk(client, url: str, limit: int) -> tuple[list[dict], list[int], set[int]]:
    """Every item, paging by offset + X-Result-Count: the items, each page's size in bytes
    and the totals the pages gave."""
    items, sizes, totals, offset = [], [], set(), 0
    while True:
        response = client.get(url, params={"offset": offset, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        assert int(response.headers["X-Result-Count"]) == len(page)
        totals.add(int(response.headers["X-Total-Count"]))
        if not page:
            return items, sizes, totals
        items += page
        sizes.append(len(response.content))
        offset += len(page)


def test_a_page_stops_at_the_byte_budget_and_the_headers_say_so(client, settings):
    settings.max_page_bytes = BUDGET
    made = [log_interaction(client, description=f"{n} " + "x" * 3000)["id"] for n in range(10)]

    first = client.get(INTERACTIONS, params={"limit": 10})
    items, sizes, totals = _walk(client, INTERACTIONS, limit=10)

    assert len(first.json()) == 2  # about 3.5 KB each
    assert first.headers["X-Result-Count"] == "2"
    assert first.headers["X-Total-Count"] == "10"
    assert json.loads(first.content) == first.json()
    assert sorted(item["id"] for item in items) == sorted(made)
    assert max(sizes) <= BUDGET
    assert totals == {10}


def test_an_item_larger_than_the_budget_is_a_page_of_its_own(client, settings):
    settings.max_page_bytes = 1024
    made = [log_interaction(client, description="x" * 3000)["id"] for _ in range(3)]

    items, sizes, _ = _walk(client, INTERACTIONS, limit=100)

    assert len(sizes) == 3 and all(size > 1024 for size in sizes)
    assert sorted(item["id"] for item in items) == sorted(made)


def test_the_default_budget_leaves_ordinary_pages_whole(client):
    for n in range(30):
        log_interaction(client, description=f"call {n}")

    response = client.get(INTERACTIONS, params={"limit": 100, "fields": "description"})

    assert response.headers["X-Result-Count"] == "30"
    assert len(response.json()) == 30


def test_notes_and_the_audit_trail_are_paged_by_the_budget_too(client, settings):
    customer = create_person_customer(client, "Karl", "Ott")
    notes_url = f"{PARLEY_API}/customers/{customer['id']}/notes"
    for n in range(6):
        response = client.post(notes_url, json={"text": f"{n} " + "n" * 3000})
        assert response.status_code == 201, response.text
    settings.max_page_bytes = BUDGET

    notes, note_pages, _ = _walk(client, notes_url, limit=500)
    audit, audit_pages, _ = _walk(client, f"{PARLEY_API}/audit", limit=1000)

    assert len(notes) == 6 and len(note_pages) == 3
    assert set(notes[0]) == {"id", "author", "text", "createdAt"}
    assert len({note["id"] for note in notes}) == 6
    assert len(audit_pages) > 1 and max(audit_pages) <= BUDGET
    assert len({entry["id"] for entry in audit}) == len(audit)
