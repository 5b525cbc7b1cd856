"""A type's own warning share is checked (1-99 %, whole); `parley sla check` runs one pass of
the watch."""

import copy

import pytest
from typer.testing import CliRunner

from parley import cli
from parley.db import engine as engine_module
from parley.requests.defaults import DEFAULT_REQUEST_TYPES
from parley.settings import get_settings
from tests.factories import assert_tmf_error, create_customer
from tests.requests.helpers import TYPES, raise_request, type_id
from tests.requests.sla.helpers import sla_of

CACHES = (get_settings, engine_module.get_engine, engine_module.get_sessionmaker)

# Moved by hand here: the workflows would move these requests themselves.
pytestmark = pytest.mark.usefixtures("without_workflows")


def _new_type(**overrides) -> dict:
    document = copy.deepcopy(DEFAULT_REQUEST_TYPES[3])  # fault.repair
    document.update(code="sim.swap", name="SIM swap", category="account", **overrides)
    document["classification"] = {"reasonCode": [], "channel": [], "keyword": ["sim swap"]}
    return document


@pytest.mark.parametrize("percent", [0, 100, -5, 50.5, "50", True])
def test_a_warning_share_out_of_range_or_not_whole_is_refused(client, percent):
    created = client.post(TYPES, json=_new_type(slaWarningPercent=percent))
    changed = client.patch(
        f"{TYPES}/{type_id(client, 'fault.repair')}", json={"slaWarningPercent": percent}
    )

    for response in (created, changed):
        assert_tmf_error(response, 400)
        assert "slaWarningPercent" in response.json()["message"]
    assert client.get(TYPES, params={"code": "sim.swap"}).json() == []


def test_a_type_with_a_warning_share_is_served_with_it(client):
    created = client.post(TYPES, json=_new_type(slaWarningPercent=90))

    assert created.status_code == 201, created.text
    assert client.get(f"{TYPES}/{created.json()['id']}").json()["slaWarningPercent"] == 90


@pytest.fixture
def parley(engine, database_url, monkeypatch):
    """``parley("sla", "check")`` against the test database (committed: the CLI opens an
    engine of its own)."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    for cached in CACHES:
        cached.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli.app, list(args))
    engine_module.get_engine().dispose()
    for cached in CACHES:
        cached.cache_clear()


def test_parley_sla_check_raises_what_is_due_once(client, parley, clock):
    ticket = raise_request(
        client, create_customer(client), ticketType="fault.repair", priority="critical"
    )

    nothing = parley("sla", "check")
    clock.advance(hours=5)
    raised = parley("sla", "check")
    again = parley("sla", "check")

    assert nothing.exit_code == 0 and "0 clock(s) due" in nothing.output
    assert raised.exit_code == 0, raised.output
    assert "1 warning(s), 1 breach(es) raised" in raised.output
    assert again.exit_code == 0 and "0 clock(s) due" in again.output
    sla = sla_of(client, ticket)
    assert sla["warned"] and sla["breached"]
