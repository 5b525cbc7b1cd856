"""A load generator's HTTP/1.1 client on plain asyncio streams: form POSTs over keep-alive
connections, at most N open. It does what benchmarks/ussd.py needs and nothing else (no
redirects, no chunked answers, no TLS), at a fraction of an asyncio httpx client's CPU per
request: on a 2-core machine the client shares with the server it measures, every
millisecond it spends is one the server does not get.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode, urlsplit


class PlainHTTPError(Exception):
    pass


class PlainClient:
    def __init__(self, base_url: str, connections: int, timeout: float = 60.0):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post_form(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        """(status, body) of a POST of ``form``, url-encoded."""
        body = urlencode(form).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        request = head.encode("ascii") + body
        async with self._slots:
            try:
                return await asyncio.wait_for(self._exchange(request), self.timeout)
            except (OSError, asyncio.IncompleteReadError) as error:  # TimeoutError among them
                raise PlainHTTPError(repr(error)) from None

    async def _exchange(self, request: bytes) -> tuple[int, str]:
        while self._idle:  # a kept connection the server may have closed meanwhile
            connection = self._idle.pop()
            try:
                return await self._send(connection, request)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                connection[1].close()
                if getattr(error, "partial", b""):  # it had begun to answer: not a stale one
                    raise
        connection = await asyncio.open_connection(self.host, self.port)
        return await self._send(connection, request)

    async def _send(self, connection, request: bytes) -> tuple[int, str]:
        reader, writer = connection
        writer.write(request)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise PlainHTTPError(f"no Content-Length in the answer: {head[:3]}")
        body = await reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append(connection)
        return status, body.decode("utf-8")

    async def aclose(self) -> None:
        while self._idle:
            _reader, writer = self._idle.pop()
            writer.close()
