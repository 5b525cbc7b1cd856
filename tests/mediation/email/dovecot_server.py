"""A private Dovecot (Debian's dovecot-imapd and dovecot-lmtpd, 2.3) for the email tests:
IMAP and LMTP on free 127.0.0.1 ports, plain text (``ssl = no``), users in a passwd-file
carrying the ``mail`` user's uid/gid (Dovecot refuses uid 0 for mail), everything under a
directory of its own; stopped by the pid in ``base_dir/master.pid``.

    test --LMTP--> Dovecot <--IMAP-- Parley (mail fetch)
    Parley's outbox --SMTP--> SmtpToLmtp (aiosmtpd) --LMTP--> Dovecot

``SmtpToLmtp`` plays the mail server in front of Dovecot: what Parley sends over SMTP is
delivered into the recipient's mailbox over LMTP, as Postfix would.
"""

import contextlib
import os
import pwd
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from imap_tools import MailBoxUnencrypted

from tests.outbox.conftest import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
INSTALL = "apt-get install -y dovecot-imapd dovecot-lmtpd"
PASSWORD = "test-mailbox-password"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = parley-test-{port}
log_path = {dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
# IDLE learns of new mail by inotify, else by looking every so often (30 s by default): on a
# busy machine inotify's watches may run out, and the tests must not wait half a minute.
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"""


def available() -> bool:
    return os.access(DOVECOT, os.X_OK) and Path("/usr/lib/dovecot/lmtp").exists()


def runnable() -> str | None:
    """Why a private Dovecot cannot run here, or None."""
    if not available():
        return f"Dovecot is not installed: {INSTALL}"
    if os.geteuid() != 0:
        return "a private Dovecot needs root here (its mail users carry the mail user's uid)"
    return None


class Dovecot:
    def __init__(self, users: list[str]):
        self.users = users
        self.imap_port, self.lmtp_port = free_port(), free_port()
        # Not under pytest's tmp (mode 0700 for root): the mail user must reach its homes.
        self.dir = Path(tempfile.mkdtemp(prefix="parley-dovecot-"))
        self.dir.chmod(0o755)
        self.password_file = self.dir / "mailbox.key"

    def __enter__(self) -> "Dovecot":
        mail = pwd.getpwnam("mail")
        for name in ("run", "state", "homes"):
            (self.dir / name).mkdir()
        lines = []
        for user in self.users:
            home = self.dir / "homes" / user
            home.mkdir()
            os.chown(home, mail.pw_uid, mail.pw_gid)
            lines.append(f"{user}:{{PLAIN}}{PASSWORD}:{mail.pw_uid}:{mail.pw_gid}::{home}::")
        (self.dir / "passwd").write_text("\n".join(lines) + "\n")
        self.password_file.write_text(PASSWORD + "\n")
        config = self.dir / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                dir=self.dir,
                port=self.imap_port,
                imap_port=self.imap_port,
                lmtp_port=self.lmtp_port,
            )
        )
        # Dovecot forks into the background: its output goes to a file, not to a pipe the
        # daemon would hold open for ever.
        with open(self.dir / "start.log", "wb") as output:
            started = subprocess.run(
                [DOVECOT, "-c", str(config)], stdout=output, stderr=subprocess.STDOUT, timeout=30
            )
        if started.returncode != 0:
            raise RuntimeError(f"dovecot did not start: {(self.dir / 'start.log').read_text()}")
        self._wait_for(self.imap_port)
        self._wait_for(self.lmtp_port)
        return self

    def __exit__(self, *_exc) -> None:
        pid_file = self.dir / "run" / "master.pid"
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _wait_for(self, port: int) -> None:
        import socket

        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not listen on {port}: {self.log()}")

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text() if path.exists() else ""

    # -- what the tests do with it -------------------------------------------------------

    def deliver(self, content: bytes, to: str, sender: str = "") -> None:
        """Deliver ``content`` into ``to``'s mailbox over LMTP, as a mail server would."""
        with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
            refused = lmtp.sendmail(sender, [to], content)
        assert not refused, refused

    def mailbox(self, user: str):
        """``with dovecot.mailbox(user) as box``: the user's INBOX over IMAP (imap-tools)."""
        return MailBoxUnencrypted("127.0.0.1", self.imap_port).login(user, PASSWORD)

    def messages(self, user: str) -> list:
        with self.mailbox(user) as box:
            return list(box.fetch(mark_seen=False))

    def empty(self) -> None:
        """Every user's mailbox emptied (between tests)."""
        for user in self.users:
            with self.mailbox(user) as box:
                uids = box.uids("ALL")
                if uids:
                    box.delete(uids)

    def imap_mailbox(self, name: str, user: str, **options) -> dict:
        """A PARLEY_MAIL_MAILBOXES entry for ``user``'s INBOX here."""
        return {
            "name": name,
            "address": user,
            "host": "127.0.0.1",
            "port": self.imap_port,
            "security": "none",
            "password_file": str(self.password_file),
            **options,
        }


class SmtpToLmtp:
    """An SMTP server (aiosmtpd) that delivers what it accepts for Dovecot's users into their
    mailboxes over LMTP, and takes mail for anyone else as sent elsewhere (``elsewhere``)."""

    def __init__(self, dovecot: Dovecot):
        self.dovecot = dovecot
        self.port = free_port()
        self.delivered: list[str] = []  # recipients, in order
        self.elsewhere: list[str] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpToLmtp":
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802
        local = [r for r in envelope.rcpt_tos if r.lower() in self.dovecot.users]
        self.elsewhere += [r for r in envelope.rcpt_tos if r.lower() not in self.dovecot.users]
        if local:
            with smtplib.LMTP("127.0.0.1", self.dovecot.lmtp_port) as lmtp:
                refused = lmtp.sendmail(envelope.mail_from, local, envelope.content)
            if refused:
                return "451 4.3.0 not delivered"
            self.delivered += local
        return "250 OK"
