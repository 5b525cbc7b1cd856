"""``parley channel ussd`` and ``ivr``: a menu played in the terminal as a handset would."""

import pytest
from typer.testing import CliRunner

from parley import cli
from parley.db import engine as engine_module
from parley.settings import get_settings
from tests.channels.helpers import PIN, caller

CACHES = (get_settings, engine_module.get_engine, engine_module.get_sessionmaker)


@pytest.fixture
def parley(engine, database_url, monkeypatch):
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLEY_DEFAULT_PHONE_REGION", "DE")
    for cached in CACHES:
        cached.cache_clear()
    runner = CliRunner()
    yield lambda *args, typed="": runner.invoke(cli.app, list(args), input=typed)
    engine_module.get_engine().dispose()
    for cached in CACHES:
        cached.cache_clear()


def test_a_ussd_session_played_in_the_terminal(client, parley):
    _customer, number = caller(client)
    played = parley("channel", "ussd", "--msisdn", number, typed=f"3\n1\n{PIN}\n")
    assert played.exit_code == 0, played.output
    assert "| Welcome to customer care" in played.output
    assert "| 1. Morning (8-12)" in played.output
    assert "We will call you back on" in played.output
    assert played.output.rstrip().endswith("(session ended)")


def test_an_ivr_call_played_in_the_terminal_and_hung_up(client, parley):
    _customer, number = caller(client)
    played = parley("channel", "ivr", "--msisdn", number, typed="my requests\n")
    assert played.exit_code == 0, played.output
    assert "(the call says) Welcome to customer care For My requests, press 1." in played.output
    assert "You have no requests." in played.output
