"""TMF621 lists filter tickets by the channel they were raised on (``channel.id``), from a
column kept with the document (migration 0043): a PATCH that changes the channel moves the
ticket to the other channel's list, and the total is counted, not guessed."""

from parley.requests.models import CustomerRequest
from tests.factories import create_customer
from tests.requests.helpers import TICKETS, patch, raise_request


def _on(channel: dict) -> dict:
    return {"channel": {"@type": "ChannelRef", **channel}}


def _listed(client, **params) -> tuple[set[str], str]:
    answer = client.get(TICKETS, params=params)
    assert answer.status_code == 200, answer.text
    return {t["id"] for t in answer.json()}, answer.headers["X-Total-Count"]


def test_tickets_are_listed_by_the_channel_they_came_on(client, session):
    customer = create_customer(client)
    web = [raise_request(client, customer, **_on({"id": "web"})) for _ in range(2)]
    phone = raise_request(client, customer, **_on({"id": "phone", "name": "Phone"}))
    named_web = raise_request(client, customer, **_on({"id": "web-chat", "name": "web"}))
    raise_request(client, customer)  # no channel named

    assert _listed(client, **{"channel.id": "web"}) == ({t["id"] for t in web}, "2")
    assert _listed(client, **{"channel.id": "phone,web"})[1] == "3"
    # The id is matched, not the name (that one is read from the document).
    assert named_web["id"] not in _listed(client, **{"channel.id": "web"})[0]
    assert _listed(client, **{"channel.name": "web"})[0] == {named_web["id"]}

    moved = patch(client, phone, _on({"id": "web"}))
    assert moved.status_code == 200, moved.text
    assert _listed(client, **{"channel.id": "phone"}) == (set(), "0")
    assert phone["id"] in _listed(client, **{"channel.id": "web"})[0]


def test_a_channel_id_too_long_for_a_code_is_kept_in_the_document_only(client, session):
    customer = create_customer(client)
    odd = "x" * 101
    ticket = raise_request(client, customer, **_on({"id": odd}))

    assert ticket["channel"]["id"] == odd
    assert session.get(CustomerRequest, ticket["id"]).channel is None
