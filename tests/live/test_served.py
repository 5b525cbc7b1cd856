"""`parley serve` as a process of its own: a change committed by another process (this one)
reaches a console's live stream held by the server (on PostgreSQL through LISTEN/NOTIFY; on
SQLite the change is made through the server itself, its single process), and SIGTERM with
the stream open ends it and stops the server at once."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest
from pydantic import SecretStr
from sqlalchemy.orm import sessionmaker

import parley as parley_package
from parley.actor import Actor
from parley.auth.users import UserService
from parley.calls.service import CallEvent, CallService
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.settings import Settings
from tests.auth.helpers import PASSWORD
from tests.conftest import TEST_SIGNING_KEY
from tests.web.conftest import csrf_in

PBX = Actor("pbx", "api")


@pytest.fixture
def served(scratch_database_url, tmp_path):
    """A migrated database with an agent ringing at 101 and an integration client, served
    by `parley serve` in a process of its own: (base URL, settings, the process)."""
    settings = Settings(
        database_url=scratch_database_url, jwt_secret=SecretStr(TEST_SIGNING_KEY), _env_file=None
    )
    engine = build_engine(scratch_database_url)
    upgrade(engine)
    with sessionmaker(bind=engine)() as session:
        users = UserService(UnitOfWork(session, settings, Actor("test-setup", "test")))
        made = users.create_user("kim", ["agent"], "staff", PASSWORD)
        users.update_user(made.user.id, extension="101")
        session.commit()
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PARLEY_DATABASE_URL": scratch_database_url,
        "PARLEY_JWT_SECRET": TEST_SIGNING_KEY,
        "PARLEY_EMBEDDED_WORKER": "false",
        "PARLEY_LOG_LEVEL": "WARNING",
        # This checkout's Parley, whatever the environment installed.
        "PYTHONPATH": str(Path(parley_package.__file__).resolve().parents[1]),
    }
    parley = Path(sys.executable).with_name("parley")
    server = subprocess.Popen(
        [str(parley), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx2.HTTPError:
            pass
        assert time.monotonic() < deadline and server.poll() is None, "parley serve did not start"
        time.sleep(0.2)
    yield base, settings, server
    if server.poll() is None:
        server.kill()
        server.wait(10)


def _stream(base: str) -> tuple[list[str], threading.Event, threading.Event]:
    """Kim's /console/live, read by a thread: (its lines, opened, ended)."""
    browser = httpx2.Client(base_url=base, timeout=30)
    page = browser.get("/console/sign-in").text
    form = {"csrf_token": csrf_in(page), "username": "kim", "password": PASSWORD}
    assert browser.post("/console/sign-in", data=form).status_code == 303
    lines: list[str] = []
    opened, ended = threading.Event(), threading.Event()

    def read():
        try:
            with browser.stream("GET", "/console/live") as response:
                assert response.status_code == 200
                opened.set()
                for line in response.iter_lines():
                    lines.append(line)
        except httpx2.HTTPError:
            pass
        finally:
            browser.close()
            opened.set()
            ended.set()

    threading.Thread(target=read, daemon=True).start()
    assert opened.wait(10)
    return lines, opened, ended


def _arrived(lines: list[str], text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return True
        time.sleep(0.02)
    return False


def test_a_change_in_another_process_reaches_the_stream_and_sigterm_ends_it(served):
    base, settings, server = served
    lines, _opened, ended = _stream(base)
    time.sleep(0.3)  # the listener is in place
    if settings.database_url.startswith("postgresql"):
        engine = build_engine(settings.database_url)
        with sessionmaker(bind=engine)() as session:  # this process, not the server's
            CallService(UnitOfWork(session, settings, PBX)).report(
                CallEvent("newCall", "x-1", "+4930111222", "101")
            )
            session.commit()
        engine.dispose()
    else:  # SQLite is served by one process: the change goes through it
        with sessionmaker(bind=build_engine(settings.database_url))() as session:
            client = UserService(UnitOfWork(session, settings, Actor("test-setup", "test")))
            secret = client.create_user("pbx", ["integration"], "client").client_secret
            session.commit()
        token = httpx2.post(
            f"{base}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "pbx", "client_secret": secret},
        ).json()["access_token"]
        report = {"event": "newCall", "callId": "x-1", "from": "+4930111222", "to": "101"}
        answer = httpx2.post(
            f"{base}/api/v1/calls", json=report, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
    assert _arrived(lines, "event: call", 2.0), lines

    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    server.wait(10)
    assert ended.wait(5)
    assert time.monotonic() - started < 5, "the server waited for the open stream"
