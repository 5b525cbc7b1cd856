"""Concurrency: every answer carries the request's ETag; a change based on a stale read gets
412 in the TMF error shape and changes nothing, so no update is lost."""

import pytest
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.requests.service import RequestService
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import REQUESTS, TICKETS, patch, raise_request

pytestmark = pytest.mark.usefixtures("without_workflows")


def test_answers_carry_the_etag_and_it_moves_with_every_change(client):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    first = client.get(f"{TICKETS}/{ticket['id']}").headers["ETag"]

    changed = patch(client, ticket, {"description": "Still no signal"}, **{"If-Match": first})

    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] != first
    assert (
        client.get(f"{REQUESTS}/{ticket['id']}/status").headers["ETag"] == (changed.headers["ETag"])
    )


def test_a_stale_if_match_is_refused_with_412_and_nothing_changes(client):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    read_by_both = client.get(f"{TICKETS}/{ticket['id']}").headers["ETag"]
    assert patch(client, ticket, {"severity": "minor"}, **{"If-Match": read_by_both}).is_success

    late = patch(client, ticket, {"severity": "critical"}, **{"If-Match": read_by_both})
    late_cancel = client.post(
        f"{REQUESTS}/{ticket['id']}/cancel",
        json={"reason": "stale"},
        headers={"If-Match": read_by_both},
    )

    for refused in (late, late_cancel):
        body = assert_tmf_error(refused, 412)
        assert body["code"] == "PRECONDITION_FAILED"
    current = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert (current["severity"], current["status"]) == ("minor", "acknowledged")
    assert_tmf_error(patch(client, ticket, {}, **{"If-Match": "not-an-etag"}), 412)


def test_a_writer_that_read_before_another_committed_gets_412_not_a_lost_update(
    client, engine, settings
):
    ticket = raise_request(client, create_customer(client), ticketType="fault.repair")
    actor = Actor("agent.two", "test")
    with Session(engine, expire_on_commit=False) as early:
        row = RequestService(UnitOfWork(early, settings, actor)).get(ticket["id"])
        version_read = row.version
        early.rollback()
    assert patch(client, ticket, {"status": "inProgress"}).is_success

    with Session(engine) as late:
        service = RequestService(UnitOfWork(late, settings, actor))
        try:
            service.cancel(ticket["id"], "too late", expected_version=version_read)
        except Exception as error:  # the service's PreconditionFailed
            assert getattr(error, "status", None) == 412
        else:
            raise AssertionError("a stale change was applied")
        late.rollback()
    assert client.get(f"{TICKETS}/{ticket['id']}").json()["status"] == "inProgress"
