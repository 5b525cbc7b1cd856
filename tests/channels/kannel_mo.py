"""A real Kannel whose fake SMS centre sends mobile-originated messages: smsbox hands each to
Parley's ``sms-service`` callback (get-url), and Parley's answers come back through sendsms.

    fakesmsc --MO--> bearerbox --> smsbox --get-url--> Parley --outbox--> sendsms --> fakesmsc
"""

import socket
import string
import threading
import time

import uvicorn

from tests.outbox import kannel_gateway
from tests.outbox.kannel_gateway import KannelGateway

MO_SERVICE = """\
group = sms-service
keyword = default
catch-all = true
get-url = "$parley/api/v1/channels/sms/kannel?from=%p&to=%P&text=%a&id=%I"
max-messages = 0
"""


class KannelWithMessages(KannelGateway):
    """The tests' Kannel, its sms-service calling Parley at ``parley_url``, its fake SMSC
    sending ``messages`` ("sender receiver text words..."), one every second."""

    def __init__(self, directory, parley_url: str, messages: list[str]):
        super().__init__(directory)
        self.parley_url, self.messages = parley_url, messages

    def __enter__(self):
        original, original_start = kannel_gateway.CONFIG, self._start
        head = original.split("# Answer incoming (MO)")[0]
        kannel_gateway.CONFIG = head + string.Template(MO_SERVICE).substitute(
            parley=self.parley_url
        )

        def start(name, argv, log=None):
            if name == "fakesmsc":
                argv = [argv[0], *argv[1:-5], "-i", "1", "-m", str(len(self.messages)),
                        *self.messages]  # fmt: skip
            return original_start(name, argv, log)

        self._start = start
        try:
            return super().__enter__()
        finally:
            kannel_gateway.CONFIG, self._start = original, original_start


class LiveServer:
    """uvicorn serving the app in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
