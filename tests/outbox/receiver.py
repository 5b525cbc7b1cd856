"""A real local webhook receiver for the outbox tests (and the benchmark): a threading HTTP
server that records what it gets, answers as told, and notices overlapping deliveries of the
same idempotency key."""

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str:
        return self.headers.get("idempotency-key", "")

    def json(self):
        return json.loads(self.body)


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Receiver:
    """``answer(received) -> status`` decides each answer (default 200), sent with
    ``answer_headers`` and ``answer_body`` (default a short JSON); ``delay`` seconds are spent
    on each request before answering, with the delivery counted as in flight. ``host``: the
    address it listens on (IPv6 too); ``tls``: a server SSL context (HTTPS)."""

    def __init__(
        self,
        port: int = 0,
        answer: Callable[[Received], int] | None = None,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
    ):
        self.answer = answer or (lambda _received: 200)
        self.answer_headers: dict[str, str] = {}
        self.answer_body: bytes | None = None
        self.delay = 0.0
        self.received: list[Received] = []
        self.overlaps: list[str] = []  # keys delivered again while a delivery was in flight
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        self.server = server_class((host, port), self._handler())
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        shown = f"[{host}]" if ":" in host else host
        self.url = f"{'https' if tls else 'http'}://{shown}:{self.port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def keys(self) -> list[str]:
        with self._lock:
            return [r.key for r in self.received]

    def in_flight(self) -> int:
        with self._lock:
            return sum(self._in_flight.values())

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would
            # Headers and body go out in two writes: without this, the body waits for the
            # client's delayed ACK (40 ms a request).
            disable_nagle_algorithm = True

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request: nothing was delivered
                    self.close_connection = True
                    return
                received = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with receiver._lock:
                    if receiver._in_flight.get(received.key, 0):
                        receiver.overlaps.append(received.key)
                    receiver._in_flight[received.key] = receiver._in_flight.get(received.key, 0) + 1
                try:
                    if receiver.delay:
                        time.sleep(receiver.delay)
                    status = receiver.answer(received)
                    with receiver._lock:
                        receiver.received.append(received)
                finally:
                    with receiver._lock:
                        receiver._in_flight[received.key] -= 1
                answer = b'{"ok": true}' if status < 300 else b'{"error": "told to fail"}'
                if receiver.answer_body is not None:
                    answer = receiver.answer_body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in receiver.answer_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args):  # quiet
                pass

        return Handler
