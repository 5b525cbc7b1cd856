"""Hub callbacks under the outbound destination policy as a deployment has it (issue 18): a
subscription to any spelling of an internal address is a 400 naming ``callback`` and stores
nothing, and a name that resolves to a public address when subscribing and to 127.0.0.1 when
the callback is sent (DNS rebinding) does not reach the listener there."""

import socket

import pytest
from sqlalchemy import func, select

from parley.events.models import EventSubscription
from parley.outbound.http import REFUSED
from parley.outbox.models import DEAD, OutboxMessage
from tests.conftest import PUBLIC_ADDRESS
from tests.events.conftest import CUSTOMER_HUB, deliver_all
from tests.factories import assert_tmf_error, create_customer, create_individual

DEFAULT_POLICY = {"outbound_allow": ""}


@pytest.fixture
def settings(settings):
    """The policy as a deployment has it: nothing internal allowed (the other event tests
    allow their listener on 127.0.0.1)."""
    return settings.model_copy(update=DEFAULT_POLICY)


@pytest.fixture
def dns(monkeypatch):
    """Names the test decides: ``dns["name"]`` is a list of addresses, or a function giving
    the addresses of each look-up in turn. Other names: the system's answer."""
    table = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in table:
            return real(host, port, family, type, proto, flags)
        addresses = table[host]() if callable(table[host]) else table[host]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port))) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def _stored(session) -> int:
    return session.scalar(select(func.count()).select_from(EventSubscription))


def test_no_callback_to_an_internal_address_is_stored_or_called(
    client, session, listener, make_worker, dns
):
    port = listener.port
    dns["intranet.example.net"] = ["10.20.30.40"]
    dns["mixed.example.net"] = [PUBLIC_ADDRESS, "127.0.0.1"]
    internal = [
        f"http://127.0.0.1:{port}/",
        f"http://localhost:{port}/oauth/token",
        f"http://localhost.:{port}/",
        f"http://2130706433:{port}/",
        f"http://0177.0.0.1:{port}/",
        f"http://0x7f.1:{port}/",
        f"http://127.1:{port}/",
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://0.0.0.0:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://intranet.example.net/tmf",
        f"http://mixed.example.net:{port}/tmf",
        "http://no-such-host.invalid/tmf",
        f"http://user:pw@127.0.0.1:{port}/",
        f"http://crm.example.net:{port}/\r\nX-Injected: 1",
        f"http://127.0.0.1:{port}/internal/admin/reset#",
    ]

    for callback in internal:
        answer = client.post(CUSTOMER_HUB, json={"callback": callback})
        assert_tmf_error(answer, 400, "callback")
        assert "127.0.0.1" not in answer.json()["message"]  # nor what a name resolves to
    create_customer(client, create_individual(client))
    deliver_all(make_worker(**DEFAULT_POLICY))

    assert _stored(session) == 0
    assert listener.received == []


def test_a_name_rebound_to_a_local_address_after_subscribing_gets_nothing(
    client, session, listener, make_worker, dns
):
    answers = iter([[PUBLIC_ADDRESS]])  # when subscribing; from then on 127.0.0.1
    dns["crm.example.net"] = lambda: next(answers, ["127.0.0.1"])
    made = client.post(
        CUSTOMER_HUB, json={"callback": f"http://crm.example.net:{listener.port}/tmf"}
    )
    assert made.status_code == 201, made.text

    create_customer(client, create_individual(client))
    deliver_all(make_worker(**DEFAULT_POLICY))

    assert listener.received == []
    callbacks = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook")).all()
    assert [(c.status, c.last_error) for c in callbacks] == [(DEAD, REFUSED)]
