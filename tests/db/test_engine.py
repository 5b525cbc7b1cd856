"""The embedded SQLite default is set up for safe concurrent use."""

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from parley import cli
from parley.db import engine as engine_module
from parley.db.engine import build_engine
from parley.settings import Settings, get_settings


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=4321)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 4321
    engine.dispose()


def test_default_database_is_a_sqlite_file_in_the_working_directory(monkeypatch):
    monkeypatch.delenv("PARLEY_DATABASE_URL", raising=False)
    assert Settings(_env_file=None).database_url == "sqlite:///parley.db"


@pytest.fixture
def fresh_settings_cache():
    for cached in (get_settings, engine_module.get_engine, engine_module.get_sessionmaker):
        cached.cache_clear()
    yield
    for cached in (get_settings, engine_module.get_engine, engine_module.get_sessionmaker):
        cached.cache_clear()


def test_serve_refuses_an_unmigrated_database_with_a_clear_message(
    tmp_path, monkeypatch, fresh_settings_cache
):
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = CliRunner().invoke(cli.app, ["serve"])
    assert result.exit_code == 1
    assert "parley db upgrade" in result.output


def test_db_upgrade_then_current_reports_the_head(tmp_path, monkeypatch, fresh_settings_cache):
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    runner = CliRunner()
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    current = runner.invoke(cli.app, ["db", "current"])
    assert current.exit_code == 0
    revision = current.output.split("current: ")[1].split()[0]
    assert current.output.strip().endswith(f"needed: {revision}")
