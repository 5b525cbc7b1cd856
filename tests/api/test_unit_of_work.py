"""One unit of work per request: committed once before the answer, rolled back on any error."""

from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from parley.parties.models import Party, PartyKey
from tests.conftest import PARTY_API
from tests.factories import individual_payload


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_failed_commit_is_answered_as_an_error_and_stores_nothing(app, client, session):
    def fail(_session):
        raise IntegrityError("COMMIT", {}, Exception("simulated constraint failure"))

    event.listen(app.state.sessionmaker, "before_commit", fail)
    try:
        response = client.post(f"{PARTY_API}/individual", json=individual_payload())
    finally:
        event.remove(app.state.sessionmaker, "before_commit", fail)

    assert response.status_code == 409
    assert response.json()["@type"] == "Error"
    assert _count(session, Party) == 0
    assert _count(session, PartyKey) == 0


def test_an_error_after_writes_rolls_back_the_whole_request(client, session):
    # The party row is written before the phone number is found invalid in a later medium.
    payload = individual_payload(
        contactMedium=[
            {"@type": "EmailContactMedium", "emailAddress": "ok@example.org"},
            {"@type": "PhoneContactMedium", "phoneNumber": "12"},
        ]
    )
    response = client.post(f"{PARTY_API}/individual", json=payload)
    assert response.status_code == 400
    assert _count(session, Party) == 0
    assert _count(session, PartyKey) == 0


def test_a_successful_write_is_visible_to_the_next_request(client):
    created = client.post(f"{PARTY_API}/individual", json=individual_payload()).json()
    assert client.get(f"{PARTY_API}/individual/{created['id']}").status_code == 200
