"""SLA clocks in tests: reading a request's clock, and running the watch."""

from datetime import datetime

from parley.changes import UnitOfWork
from parley.requests.sla.clocks import SYSTEM
from parley.requests.sla.watch import SlaAlerts, WatchResult
from tests.requests.helpers import REQUESTS


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sla_of(client, ticket: dict) -> dict:
    """The request's clock as the status view shows it."""
    response = client.get(f"{REQUESTS}/{ticket['id']}/status")
    assert response.status_code == 200, response.text
    return response.json()["sla"]


def watch(session, settings, limit: int = 100) -> WatchResult:
    """One batch of the watch in a transaction of its own, committed as the worker does."""
    result = SlaAlerts(UnitOfWork(session, settings, SYSTEM)).raise_due(limit)
    session.commit()
    return result
