"""Limits every request meets before a route sees it (issue 18): the body size, answered 413 in
the TMF error shape before the body is read whole (chunked bodies too), and NUL characters in
paths, queries, bodies and log-ins, answered 4xx without changing anything."""

import base64
import contextlib
import json
import socket
import threading
import time

import pytest
import uvicorn

from tests.conftest import CUSTOMER_API, PARLEY_API, PARTY_API
from tests.factories import assert_tmf_error, create_person_customer, total_count
from tests.interactions.helpers import API as INTERACTION_API
from tests.interactions.helpers import interaction_payload
from tests.outbox.conftest import free_port

MiB = 1024 * 1024
INTERACTIONS = f"{INTERACTION_API}/partyInteraction"
INDIVIDUALS = f"{PARTY_API}/individual"


def test_a_10_mib_description_is_413_and_nothing_is_logged(client):
    before = total_count(client, INTERACTIONS)

    response = client.post(INTERACTIONS, json=interaction_payload(description="x" * 10 * MiB))

    assert_tmf_error(response, 413, "1048576 bytes", "PARLEY_MAX_BODY_BYTES")
    assert total_count(client, INTERACTIONS) == before


def test_a_body_without_content_length_is_counted_as_it_arrives(client):
    def chunks():
        for _ in range(20):
            yield b" " * (MiB // 10)  # JSON allows the white space; 2 MiB in all
        yield b"{}"

    created = client.post(
        INDIVIDUALS, content=chunks(), headers={"content-type": "application/json"}
    )
    previewed = client.post(
        f"{PARLEY_API}/message-templates/preview",
        content=chunks(),
        headers={"content-type": "application/json"},
    )

    assert_tmf_error(created, 413, "PARLEY_MAX_BODY_BYTES")
    assert_tmf_error(previewed, 413, "PARLEY_MAX_BODY_BYTES")


def test_a_body_just_under_the_limit_is_read(client):
    body = json.dumps(interaction_payload(description="fits")).encode()
    padded = b" " * (MiB - len(body)) + body  # exactly the limit

    response = client.post(
        INTERACTIONS, content=padded, headers={"content-type": "application/json"}
    )

    assert response.status_code == 201, response.text


def test_the_limit_is_a_setting(client, settings):
    settings.max_body_bytes = 4096
    small = interaction_payload(description="x" * 2000)
    large = interaction_payload(description="x" * 5000)

    assert client.post(INTERACTIONS, json=small).status_code == 201
    assert_tmf_error(client.post(INTERACTIONS, json=large), 413, "4096 bytes")


@pytest.fixture
def served(app):
    """The app on a real HTTP server (uvicorn, in a thread), for what the test client cannot
    send: a chunked body that does not end."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)


def test_an_endless_chunked_body_is_refused_before_it_is_read_whole(served, client):
    token = client.headers["Authorization"]
    chunk = b" " * 65536
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", served), timeout=10) as connection:
        connection.sendall(
            f"POST {INDIVIDUALS} HTTP/1.1\r\nHost: test\r\nAuthorization: {token}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        connection.setblocking(False)
        while sent < 64 * MiB and not answer:
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                time.sleep(0.01)
            with contextlib.suppress(BlockingIOError):
                answer = connection.recv(65536)
        connection.setblocking(True)
        while b"\r\n\r\n" not in answer:
            more = connection.recv(65536)
            if not more:
                break
            answer += more

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"REQUEST_TOO_LARGE" in answer or b"content-length" in answer.lower()
    assert sent < 64 * MiB  # answered long before the client ran out


# -- NUL characters -------------------------------------------------------------------------


def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client):
    assert_tmf_error(client.get(f"{PARLEY_API}/identify", params={"q": "a\x00"}), 400, "'q'")
    assert_tmf_error(client.get(INDIVIDUALS, params={"givenName": "\x00"}), 400, "givenName")


def test_a_nul_in_a_path_finds_nothing(client):
    assert_tmf_error(client.get(f"{PARLEY_API}/message-templates/%00"), 404)
    assert_tmf_error(client.patch(f"{CUSTOMER_API}/customer/a%00b", json={"name": "x"}), 404)


def test_a_nul_in_a_note_is_a_400_and_nothing_is_stored(client):
    customer = create_person_customer(client, "Karl", "Ott")
    notes = f"{PARLEY_API}/customers/{customer['id']}/notes"

    assert_tmf_error(client.post(notes, json={"text": "a\x00b"}), 400, "text", "NUL")

    assert client.get(notes).json() == []


@pytest.mark.parametrize(
    ("form", "headers"),
    [
        ({"grant_type": "password", "username": "a\x00", "password": "x"}, {}),
        ({"grant_type": "password", "username": "agent", "password": "\x00"}, {}),
        ({"grant_type": "client_credentials", "client_id": "a\x00", "client_secret": "x"}, {}),
        ({"grant_type": "refresh_token", "refresh_token": "\x00"}, {}),
        (
            {"grant_type": "client_credentials"},
            {"Authorization": "Basic " + base64.b64encode(b"a\x00:b").decode()},
        ),
        (
            {"grant_type": "client_credentials"},
            {"Authorization": "Basic " + base64.b64encode(b"a%00:b").decode()},
        ),
    ],
    ids=["username", "password", "client id", "refresh token", "Basic", "Basic, escaped"],
)
def test_a_nul_in_a_log_in_is_refused_in_the_oauth_shape(anonymous_client, form, headers):
    response = anonymous_client.post("/oauth/token", data=form, headers=headers)

    assert response.status_code in (400, 401), response.text
    assert response.json()["error"] in ("invalid_request", "invalid_client")


def test_offset_past_64_bits_on_notes_is_a_400(client):
    customer = create_person_customer(client, "Karl", "Ott")
    notes = f"{PARLEY_API}/customers/{customer['id']}/notes"

    for offset in (2**63, 10**30):
        assert_tmf_error(client.get(notes, params={"offset": offset}), 400, "offset")


# -- JSON nested deeper than anything reads -------------------------------------------------


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.mark.parametrize("levels", [1_000, 10_000])
@pytest.mark.parametrize(
    "collection",
    [
        INDIVIDUALS,
        f"{CUSTOMER_API}/customer",
        INTERACTIONS,
        "/tmf-api/partyInteraction/v4/partyInteraction",
    ],
)
def test_a_create_nested_thousands_deep_is_a_400(client, collection, levels):
    before = total_count(client, collection)
    body = b'{"description": "x", "x": ' + _deep(levels) + b"}"

    response = client.post(collection, content=body, headers={"content-type": "application/json"})

    assert_tmf_error(response, 400, "nested")
    assert total_count(client, collection) == before


@pytest.mark.parametrize("levels", [40, 1_000, 10_000])
def test_parley_api_bodies_nested_too_deep_are_a_400(client, levels):
    draft = b'{"channel": "sms", "body": "hi", "variables": {"x": ' + _deep(levels) + b"}}"

    response = client.post(
        f"{PARLEY_API}/message-templates/preview",
        content=draft,
        headers={"content-type": "application/json"},
    )

    assert_tmf_error(response, 400, "nested")
