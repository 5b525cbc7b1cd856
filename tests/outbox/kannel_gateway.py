"""A real Kannel SMS gateway (Debian's kannel 1.4.5 and kannel-extras) for the SMS tests.

    Parley --HTTP sendsms--> smsbox --> bearerbox --> smsc "fake" <-- fakesmsc

fakesmsc (a test program of kannel-extras) plays the operator's SMS centre: it connects to
bearerbox and logs every message it gets, which ``received()`` parses (long messages are
joined from their parts). Linux only: readiness is read from /proc, not probed.
"""

import contextlib
import dataclasses
import os
import re
import shutil
import signal
import string
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.outbox.conftest import free_port

BEARERBOX = shutil.which("bearerbox") or "/usr/sbin/bearerbox"
SMSBOX = shutil.which("smsbox") or "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
INSTALL = "apt-get install -y kannel kannel-extras"
MAX_MESSAGES = 10  # the sendsms user's limit of parts; Kannel cuts a longer text off silently

CONFIG = """\
group = core
admin-port = $admin_port
admin-interface = 127.0.0.1
admin-password = $admin_password
admin-allow-ip = "127.0.0.1"
smsbox-port = $smsbox_port
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$dir/bearerbox.log"
access-log = "$dir/bearerbox-access.log"

# bearerbox listens here and fakesmsc connects, as a real SMSC link would be set up.
group = smsc
smsc = fake
smsc-id = fake
our-host = 127.0.0.1
port = $fake_port
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $smsbox_port
sendsms-port = $sendsms_port
sendsms-interface = 127.0.0.1
log-file = "$dir/smsbox.log"
access-log = "$dir/smsbox-access.log"

group = sendsms-user
username = $username
password = $password
concatenation = true
max-messages = $max_messages
user-allow-ip = "127.0.0.1"

# Answer incoming (MO) messages statically rather than log errors about a missing service.
group = sms-service
keyword = default
catch-all = true
text = "no service"
"""


def available() -> bool:
    return all(os.access(path, os.X_OK) for path in (BEARERBOX, SMSBOX, FAKESMSC))


@dataclasses.dataclass
class Sms:
    """One message as the SMSC got it, a concatenated one joined from its parts."""

    sender: str
    receiver: str
    text: str
    kind: str  # fakesmsc's word for the coding: text, data, ucs-2, udh
    parts: int = 1


def _listening(port: int) -> bool:
    # Read from /proc: a probing connection to the fake SMSC port would count as its client.
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def _group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == pgid and state not in "ZX":
            return True
    return False


def _unquote(text: str) -> bytes:
    return urllib.parse.unquote_to_bytes(text.replace("+", " "))  # Kannel writes " " as "+"


def _decode(data: bytes) -> str:
    # fakesmsc does not say how the parts of a long message are coded. Read as UTF-8, UCS-2
    # shows NUL or other control bytes (the high byte of Latin or Cyrillic letters, say).
    text = data.decode("utf-8", "replace")
    if len(data) % 2 == 0 and any(c < " " and c not in "\n\r" for c in text):
        return data.decode("utf-16-be", "replace")
    return text


_GOT = re.compile(r"Got message \d+: <(.*)>$")
_FIELDS = re.compile(r"(\S*) (\S*) (text|data|ucs-2|udh) ?(.*)$", re.S)


def parse_fakesmsc_log(log: str) -> list[Sms]:
    """fakesmsc logs each message as ``Got message 1: <from to kind payload>``."""
    result: list[Sms] = []
    pending: dict[tuple, dict[int, bytes]] = {}
    for line in log.splitlines():
        got = _GOT.search(line)
        if not got:
            continue
        fields = _FIELDS.match(got.group(1))
        if not fields:  # a text with a newline arrives as several log lines
            if result and result[-1].kind == "text":
                result[-1].text += "\n" + got.group(1)
            continue
        sender, receiver, kind, rest = fields.groups()
        if kind == "text":
            result.append(Sms(sender, receiver, rest, kind))
        elif kind in ("data", "ucs-2"):
            data = _unquote(rest)
            text = data.decode("utf-16-be", "replace") if kind == "ucs-2" else _decode(data)
            result.append(Sms(sender, receiver, text, kind))
        else:  # udh <header> data <payload>: one part of a concatenated message
            header, _, data = (_unquote(part) for part in rest.partition(" data "))
            if len(header) >= 6 and header[1:3] == b"\x00\x03":  # IEI 0: 8-bit reference
                reference, total, number = header[3], header[4], header[5]
            else:
                result.append(Sms(sender, receiver, _decode(data), kind))
                continue
            parts = pending.setdefault((sender, receiver, reference, total), {})
            parts[number] = data
            if len(parts) == total:
                del pending[(sender, receiver, reference, total)]
                joined = b"".join(parts[n] for n in sorted(parts))
                result.append(Sms(sender, receiver, _decode(joined), kind, total))
    return result


class KannelGateway:
    """bearerbox, fakesmsc and smsbox in ``directory`` (configuration and logs); a context
    manager. ``sendsms_port`` may be fixed, to bring up a gateway where a client already
    points."""

    username, password, admin_password = "parley", "sms-secret", "admin-secret"

    def __init__(self, directory: Path, sendsms_port: int | None = None, startup_timeout=20.0):
        self.dir = Path(directory).resolve()
        self.ports = {
            "admin_port": free_port(),
            "smsbox_port": free_port(),
            "fake_port": free_port(),
            "sendsms_port": sendsms_port or free_port(),
        }
        self.sendsms_url = f"http://127.0.0.1:{self.ports['sendsms_port']}/cgi-bin/sendsms"
        self.startup_timeout = startup_timeout
        self.procs: dict[str, subprocess.Popen] = {}
        self.log = self.dir / "fakesmsc.log"
        self._seen = 0

    def __enter__(self) -> "KannelGateway":
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "kannel.conf"
        config.write_text(
            string.Template(CONFIG).substitute(
                self.ports,
                dir=self.dir,
                username=self.username,
                password=self.password,
                admin_password=self.admin_password,
                max_messages=MAX_MESSAGES,
            )
        )
        try:
            # "-v 4": only panics on stderr, the rest goes to the log files of kannel.conf.
            self._start("bearerbox", [BEARERBOX, "-v", "4", str(config)])
            self._wait(lambda: _listening(self.ports["fake_port"]), "bearerbox")
            # -m 0: send no incoming messages (one is still required as an argument).
            fake = ["-H", "127.0.0.1", "-r", str(self.ports["fake_port"]), "-i", "0", "-m", "0"]
            self._start("fakesmsc", [FAKESMSC, *fake, "0 0 text unused"], self.log)
            self._start("smsbox", [SMSBOX, "-v", "4", str(config)])
            self._wait(self._ready, "the SMSC link and sendsms")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _start(self, name: str, argv: list[str], log: Path | None = None) -> None:
        with open(log or self.dir / f"{name}.stderr", "ab") as out:
            # A session of its own: stop() kills exactly this process group, and smsbox
            # restarts itself under a new pid (same group) when it loses bearerbox.
            self.procs[name] = subprocess.Popen(
                argv, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def _wait(self, condition, what: str) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}); logs in {self.dir}")
            if condition():
                return
            time.sleep(0.05)
        raise TimeoutError(f"Kannel: no {what} after {self.startup_timeout} s; logs in {self.dir}")

    def _ready(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.ports['admin_port']}/status.txt"
            with urllib.request.urlopen(f"{url}?password={self.admin_password}", timeout=2) as r:
                status = r.read().decode("utf-8", "replace")
            urllib.request.urlopen(self.sendsms_url, timeout=2).close()
        except urllib.error.HTTPError:
            pass  # sendsms answered (403 without credentials): it is up
        except OSError:
            return False
        return "smsbox:" in status and re.search(r"FAKE:\d+ \(online", status) is not None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to each process group, SIGKILL to what is left; safe to call twice."""
        groups = [proc.pid for proc in self.procs.values()]  # pgid == pid: own session
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            for pgid in filter(_group_alive, groups):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, sig)
            deadline = time.monotonic() + wait
            while any(map(_group_alive, groups)) and time.monotonic() < deadline:
                time.sleep(0.05)
        for proc in self.procs.values():
            proc.wait()

    def received(self, count: int = 1, timeout: float = 10.0) -> list[Sms]:
        """The messages the SMSC got since the last call, waiting until there are ``count``
        (or the time is up: then fewer)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log.read_bytes().decode("utf-8", "replace") if self.log.exists() else ""
            new = parse_fakesmsc_log(log)[self._seen :]
            if len(new) >= count or time.monotonic() >= deadline:
                self._seen += len(new)
                return new
            time.sleep(0.05)

    def logged(self, needle: str, timeout: float = 5.0) -> bool:
        """Has bearerbox written ``needle`` to its access log (one line per SMS sent)?"""
        deadline = time.monotonic() + timeout
        log = self.dir / "bearerbox-access.log"
        while time.monotonic() < deadline:
            if log.exists() and needle in log.read_text("utf-8", "replace"):
                return True
            time.sleep(0.05)
        return False
