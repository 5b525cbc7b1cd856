"""Free-form notes on a customer: append-only history, newest first, written by an agent."""

import pytest
from sqlalchemy import func, select

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.parties.models import CustomerNote
from parley.parties.service import PartyService
from tests.conftest import CUSTOMER_API, PARLEY_API
from tests.factories import assert_tmf_error, create_person_customer

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def notes_url(customer_id: str) -> str:
    return f"{PARLEY_API}/customers/{customer_id}/notes"


def add_note(client, customer: dict, text: str, headers: dict | None = None) -> dict:
    response = client.post(notes_url(customer["id"]), json={"text": text}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def list_notes(client, customer: dict, **params):
    response = client.get(notes_url(customer["id"]), params=params)
    assert response.status_code == 200, response.text
    return response


def test_a_note_is_added_with_its_author(client, as_user):
    customer = create_person_customer(client, "Karl", "Ott")

    note = add_note(
        client,
        customer,
        "  Called about a double charge on the May invoice.  ",
        headers=as_user("agent.kim"),
    )

    assert set(note) == {"id", "author", "text", "createdAt"}
    assert note["author"] == "agent.kim"
    assert note["text"] == "Called about a double charge on the May invoice."
    assert note["createdAt"]


def test_a_note_needs_a_logged_in_author(client, anonymous_client):
    customer = create_person_customer(client, "Karl", "Ott")

    response = anonymous_client.post(notes_url(customer["id"]), json={"text": "Walk-in."})

    assert response.status_code == 401
    assert list_notes(client, customer).json() == []


def test_notes_are_listed_newest_first_with_counts(client, as_user):
    customer = create_person_customer(client, "Karl", "Ott")
    other = create_person_customer(client, "Eva", "Ott")
    written = [
        add_note(client, customer, f"Note {i}", headers=as_user(f"agent.{i}")) for i in range(4)
    ]
    add_note(client, other, "Someone else's note")

    response = list_notes(client, customer)

    assert [n["text"] for n in response.json()] == ["Note 3", "Note 2", "Note 1", "Note 0"]
    assert [n["author"] for n in response.json()] == ["agent.3", "agent.2", "agent.1", "agent.0"]
    assert response.json()[0] == written[-1]
    assert response.headers["X-Total-Count"] == "4"
    assert response.headers["X-Result-Count"] == "4"


def test_notes_are_paged(client):
    customer = create_person_customer(client, "Karl", "Ott")
    for i in range(5):
        add_note(client, customer, f"Note {i}")

    page = list_notes(client, customer, offset=1, limit=2)

    assert [n["text"] for n in page.json()] == ["Note 3", "Note 2"]
    assert page.headers["X-Total-Count"] == "5"
    assert page.headers["X-Result-Count"] == "2"
    assert list_notes(client, customer, offset=5).json() == []


def test_a_customer_without_notes_has_an_empty_list(client):
    customer = create_person_customer(client, "Karl", "Ott")

    response = list_notes(client, customer)

    assert response.json() == []
    assert response.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "\n\t "},
        {},
        {"text": None},
        {"text": 42},
        {"text": "x" * 10_001},
        {"text": "ok", "author": "someone.else"},
    ],
)
def test_a_bad_note_is_refused_and_nothing_is_written(client, body):
    customer = create_person_customer(client, "Karl", "Ott")

    response = client.post(notes_url(customer["id"]), json=body)

    assert_tmf_error(response, 400)
    assert list_notes(client, customer).headers["X-Total-Count"] == "0"


def test_a_note_that_is_not_json_is_refused(client):
    customer = create_person_customer(client, "Karl", "Ott")

    response = client.post(
        notes_url(customer["id"]), content=b"not json", headers={"Content-Type": "application/json"}
    )

    assert_tmf_error(response, 400)
    assert list_notes(client, customer).json() == []


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 2**31}, {"offset": 2**63}]
)
def test_bad_paging_of_notes_is_refused(client, params):
    customer = create_person_customer(client, "Karl", "Ott")

    assert_tmf_error(client.get(notes_url(customer["id"]), params=params), 400)


def test_notes_of_an_unknown_customer_are_404(client):
    assert_tmf_error(client.get(notes_url(UNKNOWN_ID)), 404)
    assert_tmf_error(client.post(notes_url(UNKNOWN_ID), json={"text": "Hello"}), 404)


def test_a_customer_with_notes_cannot_be_deleted(client):
    customer = create_person_customer(client, "Karl", "Ott")
    add_note(client, customer, "Asked for a paper invoice.")

    response = client.delete(f"{CUSTOMER_API}/customer/{customer['id']}")

    assert_tmf_error(response, 409)
    assert "history" in response.json()["message"]
    assert client.get(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 200
    assert list_notes(client, customer).headers["X-Total-Count"] == "1"


def test_a_customer_without_history_can_be_deleted(client):
    customer = create_person_customer(client, "Karl", "Ott")

    assert client.delete(f"{CUSTOMER_API}/customer/{customer['id']}").status_code == 204
    assert_tmf_error(client.get(notes_url(customer["id"])), 404)


def test_the_service_adds_and_lists_notes(client, session, settings):
    customer = create_person_customer(client, "Karl", "Ott")
    kim = PartyService(UnitOfWork(session, settings, Actor("agent.kim", "phone")))
    ole = PartyService(UnitOfWork(session, settings, Actor("agent.ole", "phone")))

    first = kim.add_note(customer["id"], "First")
    second = ole.add_note(customer["id"], " Second ")
    session.commit()

    notes, total = kim.list_notes(customer["id"], 0, 10)
    assert total == 2
    assert [n.id for n in notes] == [second.id, first.id]
    assert second.text == "Second"
    assert session.scalar(select(func.count()).select_from(CustomerNote)) == 2
