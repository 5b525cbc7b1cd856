"""An HTTP client that connects only where the outbound policy lets it.

The client's connections are opened by ``PolicyBackend``: it resolves the host once, checks
every address (``OutboundPolicy.resolve``) and connects to one of those very addresses, so a
name cannot resolve to a public address for the check and to an internal one for the
connection (DNS rebinding). The request keeps the host name: the ``Host`` header and TLS's
server name (SNI) and certificate check are the URL's. Redirects are never followed, and
proxies from the environment (HTTP_PROXY, ...) are not used: a proxy would connect on
Parley's behalf to addresses the policy never sees.
"""

import socket
import ssl
import time
from http import HTTPStatus

import httpcore2 as httpcore
import httpx2 as httpx

# The stream httpcore's own synchronous backend wraps a connected socket in.
from httpcore2._backends.sync import SyncStream

from parley.outbound.policy import OutboundPolicy, Refused

# What a delivery that got no HTTP answer is reported as, whatever went wrong (refused,
# unreachable, reset, timed out, not resolved): the reason must not tell open from closed
# ports of a host. The worker's log has the details.
COULD_NOT_CONNECT = "could not connect"
REFUSED = "refused by the outbound destination policy (PARLEY_OUTBOUND_ALLOW)"


class PolicyBackend(httpcore.NetworkBackend):
    def __init__(self, policy: OutboundPolicy):
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options=None,
    ) -> httpcore.NetworkStream:
        try:
            answers = self.policy.resolve(host, port)  # Refused goes up as it is
        except OSError as error:
            raise httpcore.ConnectError(f"{host} does not resolve") from error
        failure: Exception = httpcore.ConnectError(f"no address of {host} answered")
        # All the addresses together get the connect timeout, not each of them.
        deadline = None if timeout is None else time.monotonic() + timeout
        for family, kind, proto, _name, address in answers:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                failure = httpcore.ConnectTimeout(f"connecting to {host} timed out")
                break
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(left)
                for option in socket_options or ():
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if local_address is not None:
                    sock.bind((local_address, 0))
                sock.connect(address)  # the checked address itself: no second look-up
            except TimeoutError as error:
                sock.close()
                failure = httpcore.ConnectTimeout(str(error))
            except OSError as error:
                sock.close()
                failure = httpcore.ConnectError(str(error))
            else:
                return SyncStream(sock)
        raise failure

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise Refused("Parley calls no Unix sockets")


class PolicyTransport(httpx.HTTPTransport):
    """httpx's transport with its connections opened by a PolicyBackend."""

    def __init__(self, policy: OutboundPolicy, verify: ssl.SSLContext | bool = True):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            # Certificates checked as before (SSL_CERT_FILE/SSL_CERT_DIR are honoured).
            ssl_context=httpx.create_ssl_context(verify=verify),
            network_backend=PolicyBackend(policy),
        )


def client(
    policy: OutboundPolicy, timeout: float, verify: ssl.SSLContext | bool = True
) -> httpx.Client:
    """One per worker and channel: connections to a receiver are kept alive between messages.
    ``verify``: the CAs to check servers' certificates against (default: the system's)."""
    return httpx.Client(
        transport=PolicyTransport(policy, verify),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )


def status_reason(status: int) -> str:
    """``HTTP 404 Not Found``: the status and its standard phrase, never the receiver's own
    words (which can be anything, such as an internal service's answer)."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
