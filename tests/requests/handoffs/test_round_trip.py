"""The whole round trip, committed, with a real HTTP receiver as the ordering system: the add-on
selection raised through TMF621, its ProductOrder delivered by the outbox worker (signed with
the secret Parley shares with the ordering system, keyed by the request), the delivery noted
on the hand-off, and the ordering system's signed TMF622 event posted back to Parley's
listener, naming the order by the correlation id it was given; a wrong signature changes
nothing, a repeat is taken once, also two deliveries of one event at the same moment. No
answer in time: the worker's hand-off watch makes a task; a delivery the outbox gives up on is
a task at once."""

import json
import random
import threading

import pytest
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.jobs import worker_jobs
from parley.outbox.webhook import signature
from parley.outbox.worker import Worker
from parley.requests.handoffs.orders import read_order_event
from parley.requests.handoffs.receiving import Acknowledgements
from tests.contract.official_schemas import problems
from tests.factories import assert_tmf_error, create_customer
from tests.offers.helpers import create_offering
from tests.outbox.conftest import FAST, drain
from tests.outbox.receiver import Receiver
from tests.requests.handoffs.helpers import (
    ORDERING_SECRET,
    STATE_CHANGE,
    body_and_signature,
    correlation_of,
    post_signed,
    select_add_on,
    state_change,
    status_of,
)

ORDERING_SPEC = "TMF622-ProductOrdering-v5.0.0.oas.yaml"


@pytest.fixture
def worker(engine, settings):
    """``worker(ordering_url)``: an outbox worker delivering orders there (with its jobs)."""
    made: list[Worker] = []

    def build(url: str) -> Worker:
        configured = settings.model_copy(update={**FAST, "ordering_url": url})
        jobs = worker_jobs(engine, configured)
        made.append(Worker(engine, configured, rng=random.Random(5), jobs=jobs))
        return made[-1]

    yield build
    for each in made:
        each.close()


@pytest.fixture
def ordering():
    with Receiver() as running:
        yield running


def _selected(client) -> dict:
    customer = create_customer(client)
    return select_add_on(client, customer, create_offering(client, "Roaming EU 5 GB"))


def _received_order(ordering, raised) -> dict:
    (received,) = [r for r in ordering.received if r.key == f"addon-order:{raised['id']}"]
    assert received.path == "/productOrder"
    assert received.headers["x-parley-signature"] == signature(ORDERING_SECRET, received.body)
    return received.json()


def test_the_order_goes_out_and_its_completion_closes_the_request(
    client, anonymous_client, worker, ordering
):
    raised = _selected(client)

    drain(worker(f"{ordering.url}/productOrder"))

    order = _received_order(ordering, raised)
    assert problems(ORDERING_SPEC, "ProductOrder_FVO", order) == []
    correlation = next(
        e["id"] for e in order["externalId"] if e["externalIdentifierType"] == "correlationId"
    )
    assert correlation == correlation_of(raised)
    assert status_of(client, raised)["handoffs"][0]["deliveredAt"] is not None
    # The ordering system answers about the order it received, as it knows it.
    event = state_change(correlation, "completed", order_id="PO-1", event_id="po-1-done")

    forged = {**event, "event": {"productOrder": {**event["event"]["productOrder"]}}}
    _body, headers = body_and_signature(event, "not-the-secret-0123456789abcdef-0123")
    assert_tmf_error(anonymous_client.post(STATE_CHANGE, json=forged, headers=headers), 401)
    assert status_of(client, raised)["status"] == "inProgress"

    taken = post_signed(anonymous_client, STATE_CHANGE, event)
    repeat = post_signed(anonymous_client, STATE_CHANGE, event)

    assert (taken.status_code, repeat.status_code) == (204, 204)
    status = status_of(client, raised)
    assert (status["status"], status["outcome"], status["resolutionCode"]) == (
        "closed",
        "completed",
        "ordered",
    )
    assert [c["status"] for c in status["statusChangeHistory"]].count("closed") == 1
    customer = raised["relatedParty"][0]["partyOrPartyRole"]["id"]
    products = client.get(f"/api/v1/customers/{customer}/products").json()
    assert [(p["name"], p["productOrder"]["id"]) for p in products] == [("Roaming EU 5 GB", "PO-1")]


def test_a_rejected_order_closes_the_request_unfulfilled(
    client, anonymous_client, worker, ordering
):
    raised = _selected(client)
    drain(worker(f"{ordering.url}/productOrder"))
    correlation = _received_order(ordering, raised)["externalId"][0]["id"]

    event = state_change(correlation, "rejected", reason="The customer's plan has no roaming")
    assert post_signed(anonymous_client, STATE_CHANGE, event).status_code == 204

    status = status_of(client, raised)
    assert (status["status"], status["outcome"]) == ("closed", "unfulfilled")
    assert "has no roaming" in status["statusChangeHistory"][-1]["statusChangeReason"]


def test_no_answer_in_time_is_a_task_made_by_the_workers_watch(
    client, worker, ordering, clock, settings
):
    raised = _selected(client)
    running = worker(ordering.url)
    drain(running)

    clock.advance(minutes=settings.handoff_time_limit_minutes + 1)
    (watch,) = [job for job in running.jobs if job.name == "handoff-watch"]
    made = watch.run()

    assert made.tasks == 1
    (task,) = status_of(client, raised)["tasks"]
    assert task["status"] == "open" and "no answer from the ordering system" in task["name"]


def test_an_order_the_outbox_gives_up_on_is_chased_at_once(client, worker, ordering):
    ordering.answer = lambda _received: 422  # refused: a dead letter, not retried
    raised = _selected(client)

    drain(worker(ordering.url))

    (task,) = status_of(client, raised)["tasks"]
    assert "could not be delivered: HTTP 422" in task["name"]
    assert status_of(client, raised)["status"] == "inProgress"


def test_the_same_event_delivered_twice_at_once_is_taken_once(client, engine, settings):
    raised = _selected(client)
    event = state_change(correlation_of(raised), "completed", event_id="at-once")
    body = json.dumps(event).encode()
    report = read_order_event(event, "productOrderStateChangeEvent", body, "application/json")
    start, taken = threading.Barrier(2), []

    def deliver() -> None:
        with Session(engine) as session:
            uow = UnitOfWork(session, settings, Actor("ordering", "ordering"))
            start.wait()
            taken.append(Acknowledgements(uow).receive(report, "ordering").duplicate)
            session.commit()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(taken) == [False, True]
    status = status_of(client, raised)
    assert [c["status"] for c in status["statusChangeHistory"]].count("closed") == 1
    customer = raised["relatedParty"][0]["partyOrPartyRole"]["id"]
    assert len(client.get(f"/api/v1/customers/{customer}/products").json()) == 1
