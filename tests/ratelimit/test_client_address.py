"""The address the limits count: the peer's (or a trusted proxy's X-Forwarded-For, which
uvicorn puts in its place); an IPv6 address as its /64, an IPv4-mapped one as IPv4."""

import pytest
from starlette.requests import Request

from parley.api.throttling import client_address


def request_from(host: str | None) -> Request:
    scope = {"type": "http", "headers": [], "client": (host, 5000) if host is not None else None}
    return Request(scope)


@pytest.mark.parametrize(
    ("peer", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),  # one subscriber's /64: one address
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("testclient", "testclient"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_the_address_counted(peer, counted_as):
    assert client_address(request_from(peer)) == counted_as
