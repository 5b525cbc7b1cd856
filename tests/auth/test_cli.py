"""`parley users ...`: create the first administrator, manage users, list roles, from the shell.

Each test runs the CLI against its own SQLite file migrated with `parley db upgrade`.
"""

import pytest
from typer.testing import CliRunner

from parley import cli
from parley.auth.audit import AuditFilter, AuditTrail
from parley.db import engine as engine_module
from parley.settings import get_settings
from tests.auth.helpers import PASSWORD, make_customer

runner = CliRunner()
CACHES = (get_settings, engine_module.get_engine, engine_module.get_sessionmaker)


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for cached in CACHES:
        cached.cache_clear()
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    yield
    engine_module.get_engine().dispose()
    for cached in CACHES:
        cached.cache_clear()


def parley(*args: str, input: str | None = None):
    return runner.invoke(cli.app, ["users", *args], input=input)


def cli_session():
    return engine_module.get_sessionmaker()()


@pytest.mark.usefixtures("cli_database")
class TestUsersCommand:
    def test_create_admin_asks_for_the_password_twice(self):
        result = parley("create-admin", "--username", "root", input=f"{PASSWORD}\n{PASSWORD}\n")

        assert result.exit_code == 0, result.output
        assert "administrator root created" in result.output
        listed = parley("list")
        assert "root" in listed.output and "administrator" in listed.output

    def test_create_admin_refuses_a_weak_password_with_exit_code_1(self):
        result = parley("create-admin", "--username", "root", "--password", "secret")

        assert result.exit_code == 1
        assert "at least 10 characters" in result.output
        assert "0 user(s)" in parley("list").output

    def test_create_a_client_prints_its_secret_once(self):
        result = parley("create", "--username", "crm", "--role", "integration", "--client")

        assert result.exit_code == 0, result.output
        assert "client secret (shown only now" in result.output
        assert result.output.split(": ")[-1].strip() not in parley("list").output

    def test_create_a_customer_log_in_by_customer_number(self):
        with cli_session() as session:
            customer = make_customer(session, get_settings())
            number = customer.customer_number

        result = parley(
            "create",
            "--username",
            "anna",
            "--role",
            "customer",
            "--customer-number",
            number,
            "--password",
            PASSWORD,
        )

        assert result.exit_code == 0, result.output
        assert f"customer {customer.id}" in parley("list", "--kind", "customer").output

    def test_bad_input_is_refused_with_a_clear_message(self):
        unknown_customer = parley(
            "create",
            "--username",
            "anna",
            "--role",
            "customer",
            "--customer-number",
            "999999",
            "--password",
            PASSWORD,
        )
        both = parley(
            "create", "--username", "x1", "--role", "agent", "--client", "--customer-number", "1"
        )
        bad_role = parley("create", "--username", "kim", "--role", "wizard", "--password", PASSWORD)
        nobody = parley("disable", "ghost")

        assert (
            unknown_customer.exit_code == 1 and "no customer with number" in unknown_customer.output
        )
        assert both.exit_code == 1 and "not both" in both.output
        assert bad_role.exit_code == 1 and "no role wizard" in bad_role.output
        assert nobody.exit_code == 1 and "No user named ghost" in nobody.output

    def test_disable_enable_set_password_and_delete(self):
        parley("create-admin", "--username", "root", "--password", PASSWORD)
        parley("create", "--username", "kim", "--role", "agent", "--password", PASSWORD)

        assert parley("disable", "kim").exit_code == 0
        assert "disabled" in next(
            line for line in parley("list").output.splitlines() if line.startswith("kim")
        )
        assert parley("enable", "kim").exit_code == 0
        changed = parley("set-password", "kim", input="a-new-password\na-new-password\n")
        assert changed.exit_code == 0 and "password of kim changed" in changed.output
        assert parley("delete", "kim", input="n\n").exit_code == 1
        assert parley("delete", "kim", "--yes").exit_code == 0
        assert "1 user(s)" in parley("list").output
        last_admin = parley("delete", "root", "--yes")
        assert last_admin.exit_code == 1 and "manage users" in last_admin.output

        with cli_session() as session:
            found, _ = AuditTrail(session).query(AuditFilter(resource_type="user"))
        actions = [e.action for e in reversed(found)]
        assert actions == ["create", "create", "update", "update", "password_change", "delete"]
        assert {e.channel for e in found} == {"cli"}
        assert all(e.actor_name.startswith("cli:") for e in found)

    def test_set_password_of_a_client_makes_a_new_secret(self):
        parley("create", "--username", "crm", "--role", "integration", "--client")

        result = parley("set-password", "crm")

        assert result.exit_code == 0 and "new client secret" in result.output

    def test_roles_lists_permissions_and_limits(self):
        result = parley("roles")

        assert result.exit_code == 0
        assert "agent (built-in)" in result.output
        assert "adjustmentLimit=100.0, currency=EUR" in result.output
        assert "user:admin" in result.output


def test_users_commands_refuse_an_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    for cached in CACHES:
        cached.cache_clear()
    try:
        result = parley("list")
    finally:
        engine_module.get_engine().dispose()
        for cached in CACHES:
            cached.cache_clear()

    assert result.exit_code == 1 and "parley db upgrade" in result.output
