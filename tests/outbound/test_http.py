"""The outbound client against real listeners on this machine: with the default policy no
spelling of a local address reaches them; the connection goes to the address that was
checked (no DNS rebinding), keeps the host name for Host and TLS, and follows no redirect."""

import socket
import ssl
import subprocess

import httpx2 as httpx
import pytest

from parley.outbound.http import client, status_reason
from parley.outbound.policy import OutboundPolicy, Refused
from tests.outbox.receiver import Receiver

DEFAULT = OutboundPolicy()


@pytest.fixture
def listener():
    with Receiver() as running:
        yield running


@pytest.fixture
def listener_v6(listener):
    """A listener on ::1 on the same port as ``listener`` (when that port is free there)."""
    try:
        with Receiver(port=listener.port, host="::1") as running:
            yield running
    except OSError as error:
        pytest.skip(f"no IPv6 loopback listener on port {listener.port}: {error}")


def _spellings(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/",
        f"http://localhost:{port}/oauth/token",
        f"http://localhost.:{port}/",
        f"http://2130706433:{port}/",
        f"http://0177.0.0.1:{port}/",
        f"http://0x7f.1:{port}/",
        f"http://0x7f000001:{port}/",
        f"http://127.1:{port}/",
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://0.0.0.0:{port}/",
        f"http://0:{port}/",
        f"http://[::]:{port}/",
    ]


def test_no_spelling_of_a_local_address_reaches_a_local_listener(listener, listener_v6):
    with client(DEFAULT, timeout=2) as outbound:
        for url in _spellings(listener.port):
            # httpx itself refuses some spellings (0177.0.0.1); the policy all the others.
            with pytest.raises((Refused, httpx.InvalidURL)):
                outbound.post(url, json={"probe": url})

    assert listener.received == [] and listener_v6.received == []


def test_an_allowed_address_is_reached_and_only_on_its_port(listener):
    allowed = OutboundPolicy.of(f"127.0.0.1:{listener.port}")
    with client(allowed, timeout=2) as outbound:
        assert outbound.post(f"{listener.url}/hook", json={}).status_code == 200
        with pytest.raises(Refused):
            outbound.post(f"http://localhost:{listener.port}/hook", json={})

    with client(OutboundPolicy.of("127.0.0.1:1"), timeout=2) as outbound, pytest.raises(Refused):
        outbound.post(f"{listener.url}/hook", json={})
    with client(OutboundPolicy.of("127.0.0.0/8"), timeout=2) as outbound:
        assert outbound.post(f"http://2130706433:{listener.port}/cidr", json={}).status_code == 200

    assert [got.path for got in listener.received] == ["/hook", "/cidr"]


def test_a_redirect_is_not_followed(listener):
    with Receiver() as internal:
        listener.answer = lambda _got: 307
        listener.answer_headers = {"Location": f"{internal.url}/internal/admin/reset"}
        allowed = OutboundPolicy.of(f"127.0.0.1:{listener.port}")
        with client(allowed, timeout=2) as outbound:
            answer = outbound.post(f"{listener.url}/hook", json={})

        assert answer.status_code == 307
        assert internal.received == []


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    """A name that answers an allowed address when checked and another when asked again
    (DNS rebinding) is connected to at the checked one; Host still names it."""
    with Receiver(host="127.0.0.2") as elsewhere:
        try:
            checked = Receiver(port=elsewhere.port)
        except OSError:
            pytest.skip(f"port {elsewhere.port} is taken on 127.0.0.1")
        with checked:
            answers = iter(["127.0.0.1"])
            real = socket.getaddrinfo

            def rebinding(host, port, *args, **kwargs):
                if host != "partner.test":
                    return real(host, port, *args, **kwargs)
                address = next(answers, "127.0.0.2")  # first the allowed one, then not
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

            monkeypatch.setattr(socket, "getaddrinfo", rebinding)
            with client(OutboundPolicy.of("127.0.0.1"), timeout=2) as outbound:
                answer = outbound.post(f"http://partner.test:{elsewhere.port}/hook", json={})

            assert answer.status_code == 200
            (got,) = checked.received
            assert got.headers["host"] == f"partner.test:{elsewhere.port}"
            assert elsewhere.received == []
            # Asked again, the name now answers 127.0.0.2, which is refused before connecting.
            again = client(OutboundPolicy.of("127.0.0.1"), timeout=2)
            with again as outbound, pytest.raises(Refused):
                outbound.post(f"http://partner.test:{elsewhere.port}/hook", json={})
            assert elsewhere.received == []


def test_tls_names_the_host_and_checks_its_certificate_not_the_address(tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=partner.test", "-keyout", str(key),
         "-out", str(cert), "-addext", "subjectAltName=DNS:partner.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    server_names = []
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    server.sni_callback = lambda _sock, name, _context: server_names.append(name)
    real = socket.getaddrinfo

    def partner(host, port, *args, **kwargs):
        if host == "partner.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", partner)
    trusted = ssl.create_default_context(cafile=str(cert))
    outbound_client = client(OutboundPolicy.of("127.0.0.1"), timeout=5, verify=trusted)
    with Receiver(tls=server) as listener, outbound_client as outbound:
        answer = outbound.post(f"https://partner.test:{listener.port}/hook", json={})
        # The same server by its address: the certificate does not name it.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            outbound.post(f"https://127.0.0.1:{listener.port}/hook", json={})

    assert answer.status_code == 200
    assert server_names[0] == "partner.test"
    assert listener.received[0].headers["host"] == f"partner.test:{listener.port}"


def test_proxies_from_the_environment_are_not_used(listener, monkeypatch):
    """A proxy would connect on Parley's behalf where the policy never looks."""
    for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    with client(OutboundPolicy.of("127.0.0.1"), timeout=2) as outbound:
        assert outbound.post(f"{listener.url}/direct", json={}).status_code == 200


def test_a_failed_answer_is_described_by_its_status_alone():
    assert status_reason(404) == "HTTP 404 Not Found"
    assert status_reason(502) == "HTTP 502 Bad Gateway"
    assert status_reason(599) == "HTTP 599"
