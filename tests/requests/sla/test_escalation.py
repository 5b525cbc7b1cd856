"""SLA alerts reach the request's workflow, which acts per its data."""

from tests.factories import create_customer
from tests.requests.helpers import TICKETS, raise_request
from tests.requests.sla.helpers import sla_of, watch
from tests.requests.sla.test_watch import _template_kinds


def test_a_breach_escalates_per_the_workflow_and_the_customer_hears_of_the_delay_once(
    client, session, settings, clock
):
    """The watch tells the request's workflow (requests/sla/escalation.py): the default
    fault.repair workflow raises the priority and moves the open task to escalations."""
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="high"
    )
    clock.advance(hours=6, minutes=1)  # high: 8 h, the warning at 6 h
    assert watch(session, settings).warnings == 1
    unchanged = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert unchanged["priority"] == "high"

    clock.advance(hours=2)
    assert watch(session, settings).breaches == 1

    escalated = client.get(f"{TICKETS}/{ticket['id']}").json()
    assert escalated["priority"] == "critical"
    tasks = client.get("/api/v1/tasks", params={"requestId": ticket["id"]}).json()
    assert [(t["queue"]["code"], t["status"]) for t in tasks] == [("escalations", "open")]
    assert sla_of(client, ticket)["priority"] == "critical"
    assert _template_kinds(session, ticket).count("request.delayed") == 1
