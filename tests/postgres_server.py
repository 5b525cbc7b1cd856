"""A PostgreSQL server of the test run's own, for a PostgreSQL run on a machine whose own
server does not answer (none installed as a service, or not started): a temporary cluster made
with the installed server's initdb, on a free port of 127.0.0.1, trust authentication, no
fsync, stopped and removed when the run ends. Debian's postgresql package has the binaries
(/usr/lib/postgresql/<version>/bin); as root the server runs as the postgres user, since
PostgreSQL refuses to run as root."""

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL = "apt-get install -y postgresql"


def binaries() -> Path | None:
    """The newest installed server's bin directory with initdb and pg_ctl."""
    found = sorted(
        (Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda d: [int(p) for p in d.parent.name.split(".") if p.isdigit()],
    )
    for directory in reversed(found):
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return directory
    on_path = shutil.which("initdb"), shutil.which("pg_ctl")
    return Path(on_path[0]).parent if all(on_path) else None


def answers(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def start_private_server() -> str:
    """Start a temporary cluster; its SQLAlchemy URL. Stopped and removed at exit."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError(f"no PostgreSQL server binaries (initdb, pg_ctl): {INSTALL}")
    directory = Path(tempfile.mkdtemp(prefix="parley-test-pg-"))
    data, log = directory / "data", directory / "server.log"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True)
        if done.returncode:
            said = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}{done.stderr}{said}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "-E", "UTF8", "--no-sync")  # fmt: skip
    options = (
        f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")

    def stop() -> None:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
