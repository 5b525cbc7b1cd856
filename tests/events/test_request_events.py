"""TMF621 hub: a subscriber hears a request raised and its status changes, in the ticket's
TMF621 shape with its status history."""

from tests.events.conftest import deliver_all, subscribe
from tests.factories import create_customer
from tests.requests.helpers import patch, raise_request

HUB = "/tmf-api/troubleTicket/v5/hub"


def test_a_request_subscriber_hears_it_raised_and_moving_on(client, listener, make_worker):
    subscribe(client, HUB, listener.url, query="eventType=TroubleTicketCreateEvent,"
              "TroubleTicketStatusChangeEvent")  # fmt: skip
    ticket = raise_request(client, create_customer(client))
    moved = patch(client, ticket, {"status": "inProgress"})
    assert moved.status_code == 200, moved.text

    deliver_all(make_worker())

    heard = [(r.path.rsplit("/", 1)[-1], r.json()) for r in listener.received]
    assert [name for name, _ in heard] == [
        "troubleTicketCreateEvent",
        "troubleTicketStatusChangeEvent",
    ]
    changed = heard[1][1]["event"]["troubleTicket"]
    assert changed["id"] == ticket["id"] and changed["status"] == "inProgress"
    assert [c["status"] for c in changed["statusChangeHistory"]][-1] == "inProgress"
