"""A NATS server with JetStream (Debian's nats-server) of the test run's own, on a free port of
127.0.0.1 with its store in a temporary directory: the event bus tests need no server of the
machine's (issue 18: the SQLite run passed only where one was listening on 4222)."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
INSTALL = "apt-get install -y nats-server"


def available() -> bool:
    return os.access(NATS_SERVER, os.X_OK)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NatsServer:
    def __init__(self, directory: Path, startup_timeout: float = 20.0):
        self.directory, self.port = directory, _free_port()
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def __enter__(self) -> "NatsServer":
        log = self.directory / "nats-server.log"
        self.process = subprocess.Popen(
            [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port),
             "-sd", str(self.directory / "jetstream"), "-l", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + self.startup_timeout
        while not self._accepts():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                said = log.read_text() if log.exists() else ""
                raise RuntimeError(f"nats-server did not start on {self.url}:\n{said[-2000:]}")
            time.sleep(0.05)
        return self

    def _accepts(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def __exit__(self, *_exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
