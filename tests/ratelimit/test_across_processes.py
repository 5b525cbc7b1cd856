"""Rate limits hold across API processes: two real uvicorn processes on the run's database
(the SQLite file, or the PostgreSQL test database), a client alternating between them. The
client's address is told by X-Forwarded-For, which uvicorn believes from 127.0.0.1 here (as
`parley serve` does with PARLEY_FORWARDED_ALLOW_IPS=127.0.0.1, a reverse proxy on the host),
so one test plays several addresses."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest

import parley
from tests.auth.helpers import PASSWORD, make_user
from tests.conftest import PARLEY_API, TEST_SIGNING_KEY, token_headers
from tests.outbox.conftest import free_port

STARTUP_SECONDS = 60.0  # two apps starting at once on a loaded two-core machine
CACHE_SECONDS = 1.0
ATTACKER, OTHER_ATTACKER, USER = "203.0.113.7", "203.0.113.8", "198.51.100.1"


def _environment(database_url: str) -> dict:
    source = str(Path(parley.__file__).resolve().parents[1])
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_JWT_SECRET": TEST_SIGNING_KEY,
        "PARLEY_EMBEDDED_WORKER": "false",
        "PARLEY_DB_POOL_SIZE": "4",
        "PARLEY_DB_ASYNC_POOL_SIZE": "0",
        "PARLEY_PRINCIPAL_CACHE_SECONDS": str(CACHE_SECONDS),
        "PARLEY_LOGIN_ADDRESS_LIMIT": "6/hour",
        "PARLEY_LOGIN_MAX_FAILURES": "3",
        "PARLEY_IDENTIFY_LIMIT": "10/hour",
        "PARLEY_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def two_processes(database_url, engine, tmp_path) -> Iterator[tuple[str, str]]:
    """Two API processes on the run's database: their base URLs."""
    _away_from_the_hour()
    environment = _environment(database_url)
    log = (tmp_path / "servers.log").open("w")
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "parley.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--proxy-headers",
                "--forwarded-allow-ips",
                "127.0.0.1",
                "--log-level",
                "warning",
            ],
            env=environment,
            stdout=log,
            stderr=log,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for server, url in zip(servers, urls, strict=True):
            _wait_until_up(server, url, tmp_path / "servers.log")
        yield urls[0], urls[1]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def _away_from_the_hour() -> None:
    """The limits here count per hour: don't let an hour end in the middle of the test."""
    now = datetime.now(UTC)
    left = 3600 - (now.minute * 60 + now.second)
    if left < 90:
        time.sleep(left + 1)


def _wait_until_up(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the API process ended at start:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the API process did not start in {STARTUP_SECONDS} s:\n{log.read_text()}")


def log_in(url: str, address: str, username: str, password: str = PASSWORD) -> httpx.Response:
    form = {"grant_type": "password", "username": username, "password": password}
    return httpx.post(f"{url}/oauth/token", data=form, headers={"X-Forwarded-For": address})


def test_log_in_limits_hold_across_two_api_processes(two_processes, session, settings):
    a, b = two_processes
    make_user(session, settings, "agent", username="kim")

    # One address running through usernames, turn about on the two processes: six failures
    # an hour in all, not six on each.
    sprayed = [log_in((a, b)[n % 2], ATTACKER, f"guess{n}", "wrong").status_code for n in range(9)]
    assert sprayed == [400] * 6 + [429] * 3
    held = log_in(b, ATTACKER, "kim")
    assert held.status_code == 429 and held.json()["error"] == "slow_down"
    assert 0 < int(held.headers["retry-after"]) <= 3600

    # Another address guessing kim's password, turn about: after three failures it waits on
    # both processes, even with the right password ...
    guessed = [log_in((a, b)[n % 2], OTHER_ATTACKER, "kim", "wrong").status_code for n in range(3)]
    assert guessed == [400] * 3
    assert log_in(a, OTHER_ATTACKER, "kim").status_code == 429
    assert log_in(b, OTHER_ATTACKER, "kim").status_code == 429
    # ... while kim, from where they work, signs in on either.
    assert log_in(a, USER, "kim").status_code == 200
    assert log_in(b, USER, "kim").status_code == 200


def test_identification_and_ended_sessions_hold_across_two_api_processes(
    two_processes, session, settings
):
    a, b = two_processes
    agent = token_headers(session, settings, make_user(session, settings, "agent"))

    answers = [
        httpx.get(
            f"{(a, b)[n % 2]}{PARLEY_API}/identify", params={"q": "+49 171 1234567"}, headers=agent
        ).status_code
        for n in range(12)
    ]
    assert answers == [200] * 10 + [429] * 2

    # A refresh token replayed on one process ends the access tokens on the other, within the
    # principal cache's seconds.
    make_user(session, settings, "agent", username="lee")
    tokens = log_in(a, USER, "lee").json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert httpx.get(f"{b}{PARLEY_API}/me", headers=bearer).status_code == 200  # cached on b
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    assert httpx.post(f"{a}/oauth/token", data=refresh).status_code == 200
    replayed = time.monotonic()
    assert httpx.post(f"{a}/oauth/token", data=refresh).status_code == 400  # the replay

    while httpx.get(f"{b}{PARLEY_API}/me", headers=bearer).status_code == 200:
        assert time.monotonic() - replayed < CACHE_SECONDS + 1.0, "b still honours the token"
        time.sleep(0.05)
    assert httpx.get(f"{a}{PARLEY_API}/me", headers=bearer).status_code == 401
