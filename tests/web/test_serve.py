"""`parley serve` believes X-Forwarded-Proto (which decides Secure cookies) only from the
reverse proxies PARLEY_FORWARDED_ALLOW_IPS names; uvicorn alone would believe 127.0.0.1."""

import uvicorn

from parley import cli
from parley.settings import get_settings
from tests.auth.test_cli import cli_database, runner  # noqa: F401 (a fixture)


def _served_with(monkeypatch) -> dict:
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **options: calls.append(options))
    get_settings.cache_clear()
    result = runner.invoke(cli.app, ["serve"])
    assert result.exit_code == 0, result.output
    return calls[0]


def test_no_proxy_is_believed_unless_named(cli_database, monkeypatch):  # noqa: F811
    options = _served_with(monkeypatch)

    assert options["proxy_headers"] is False and options["forwarded_allow_ips"] is None


def test_the_named_proxies_are_believed(cli_database, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PARLEY_FORWARDED_ALLOW_IPS", "10.0.0.5,10.0.0.6")

    options = _served_with(monkeypatch)

    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
