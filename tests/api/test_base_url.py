"""Hrefs follow the host and port served unless PARLEY_BASE_URL says otherwise (issue 18:
`parley serve --port 8101` wrote http://127.0.0.1:8000 into every href)."""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import parley as parley_package
from parley import cli
from parley.db import engine as engine_module
from parley.settings import Settings, base_url_for_serving, get_settings
from tests.factories import create_individual
from tests.outbox.conftest import free_port

runner = CliRunner()
PARTY = "/tmf-api/partyManagement/v5/individual"
CACHES = (get_settings, engine_module.get_engine, engine_module.get_sessionmaker)


@pytest.fixture
def served(monkeypatch, tmp_path):
    """`parley serve` with uvicorn replaced: the settings an API process it starts reads."""
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("PARLEY_BASE_URL", "PARLEY_BASE_URL_FROM_REQUEST"):
        # Unset, and unset again after the test: `parley serve` sets them in os.environ.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    for cached in CACHES:
        cached.cache_clear()
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    seen: list[Settings] = []
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_k: seen.append(Settings()))

    def serve(*args: str) -> Settings:
        result = runner.invoke(cli.app, ["serve", *args])
        assert result.exit_code == 0, result.output
        return seen[-1]

    yield serve
    engine_module.get_engine().dispose()
    for cached in CACHES:
        cached.cache_clear()


def test_serve_on_another_port_makes_hrefs_with_that_port(served):
    settings = served("--port", "8101")
    assert settings.base_url == "http://127.0.0.1:8101"
    assert not settings.base_url_from_request
    assert os.environ["PARLEY_BASE_URL"] == "http://127.0.0.1:8101"  # for uvicorn's processes


def test_serve_on_a_named_host_and_an_ipv6_address(served):
    assert served("--host", "cim.example.com", "--port", "80").base_url == (
        "http://cim.example.com:80"
    )
    os.environ.pop("PARLEY_BASE_URL")
    get_settings.cache_clear()
    assert served("--host", "::1", "--port", "8101").base_url == "http://[::1]:8101"


def test_a_configured_base_url_wins(served, monkeypatch):
    monkeypatch.setenv("PARLEY_BASE_URL", "https://cim.example.com")
    get_settings.cache_clear()
    settings = served("--port", "8101")
    assert settings.base_url == "https://cim.example.com"
    assert not settings.base_url_from_request


def test_serving_on_every_address_follows_the_request_with_a_named_fallback(served):
    settings = served("--host", "0.0.0.0", "--port", "9000")
    assert settings.base_url_from_request
    assert settings.base_url == base_url_for_serving("0.0.0.0", 9000)[0]
    assert settings.base_url.startswith("http://") and settings.base_url.endswith(":9000")
    assert "0.0.0.0" not in settings.base_url
    assert any("listens on every address" in w for w in settings.startup_warnings())


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"base_url_from_request": True})


def test_answers_follow_the_host_the_request_used(app, client):
    made = create_individual(client)
    assert made["href"] == f"http://testserver{PARTY}/{made['id']}"
    with TestClient(app, base_url="http://10.1.2.3:9000") as other:
        other.headers.update(client.headers)
        got = other.get(f"{PARTY}/{made['id']}").json()
        assert got["href"] == f"http://10.1.2.3:9000{PARTY}/{made['id']}"
        # An href the client got from this address is Parley's own when sent back.
        listed = other.get(PARTY, params={"href": got["href"]})
        assert [i["id"] for i in listed.json()] == [made["id"]]
        # A Host that is no host name falls back to the base URL.
        odd = other.get(f"{PARTY}/{made['id']}", headers={"Host": "a b/c"})
        assert odd.json()["href"] == f"http://testserver{PARTY}/{made['id']}"


def test_parley_serve_on_a_port_of_its_own_answers_hrefs_with_it(tmp_path):
    """The finding as a user met it: a real `parley serve --port P`, no PARLEY_BASE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env["PARLEY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'parley.db'}"
    env["PARLEY_EMBEDDED_WORKER"] = "0"
    # This checkout's Parley, whatever the virtual environment has installed.
    env["PYTHONPATH"] = os.pathsep.join([str(Path(parley_package.__file__).parents[1]),
                                         env.get("PYTHONPATH", "")])  # fmt: skip
    parley = [sys.executable, "-c", "from parley.cli import main; main()"]

    def run(*args: str) -> None:
        subprocess.run([*parley, *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    run("db", "upgrade")
    run("users", "create-admin", "--username", "root", "--password", "Correct-Horse-Battery-9")
    port = free_port()
    server = subprocess.Popen(
        [*parley, "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.2)
        form = {"grant_type": "password", "username": "root", "password": "Correct-Horse-Battery-9"}
        with urllib.request.urlopen(
            f"{base}/oauth/token", urllib.parse.urlencode(form).encode()
        ) as answer:
            token = json.load(answer)["access_token"]
        body = {"givenName": "Ada", "familyName": "Brandt"}
        request = urllib.request.Request(
            f"{base}{PARTY}", json.dumps(body).encode(),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request) as answer:
            made = json.load(answer)
        assert made["href"] == f"{base}{PARTY}/{made['id']}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
