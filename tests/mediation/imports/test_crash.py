"""Every row applied exactly once: `parley import` killed with SIGKILL in the middle of
importing 100,000 interactions, twice, then run again with the same file, which goes on from
its checkpoint. Counted: after each kill, the interactions logged are the rows the checkpoint
says were loaded (nothing half-applied); at the end one interaction per good row, each row's
description once, and one error per bad row."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from parley.db.engine import build_engine
from parley.interactions.models import Interaction
from parley.mediation.imports.models import COMPLETED, BulkImport, BulkImportError
from tests.web.helpers import make_customer

PARLEY = str(Path(sys.executable).parent / "parley")
ROWS = 100_000
KILLS = 2
BAD_DIRECTION = range(7, ROWS + 1, 9973)  # rows refused by the shape
UNKNOWN_CUSTOMER = range(5000, ROWS + 1, 25_000)  # rows refused by the service


def _write_file(path: Path, customer_id: str) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer.id", "channel", "direction", "description"])
        for n in range(1, ROWS + 1):
            customer = "0" * 8 + "-0000-0000-0000-" + "0" * 12 if n in UNKNOWN_CUSTOMER else ""
            direction = "sideways" if n in BAD_DIRECTION else "inbound"
            writer.writerow([customer or customer_id, "phone", direction, f"Row {n}"])


def _counts(reader) -> tuple[int, int, int, int]:
    """(checkpoint, rows loaded, interactions logged, errors kept), in one transaction."""
    with reader() as session:
        found = session.execute(select(BulkImport.checkpoint, BulkImport.rows_loaded)).first()
        logged = session.scalar(select(func.count()).select_from(Interaction))
        errors = session.scalar(select(func.count()).select_from(BulkImportError))
        return (*(found or (0, 0)), logged, errors)


def test_killed_imports_apply_every_row_exactly_once(database_url, engine, client, tmp_path):
    customer = make_customer(client)
    data = tmp_path / "interactions.csv"
    _write_file(data, customer["id"])
    environment = {
        **os.environ,
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_IMPORT_DIR": str(tmp_path / "imports"),
        "PARLEY_IMPORT_BATCH_SIZE": "500",
        "PARLEY_LOG_LEVEL": "ERROR",
    }
    command = [PARLEY, "import", "interactions", str(data), "--no-progress"]
    counter = build_engine(database_url, 1, busy_timeout_ms=120_000)
    reader = sessionmaker(bind=counter)
    log_path = tmp_path / "import.log"
    killed_at = []
    try:
        with log_path.open("w") as log:
            for round_number in range(KILLS):
                wanted = (round_number + 1) * ROWS // (KILLS + 2)
                run = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
                deadline = time.monotonic() + 600
                while _counts(reader)[0] < wanted and time.monotonic() < deadline:
                    assert run.poll() is None, log_path.read_text()[-2000:]
                    time.sleep(0.02)
                run.send_signal(signal.SIGKILL)
                run.wait()
                killed_at.append(_counts(reader))
            finished = subprocess.run(command, env=environment, stdout=log, stderr=log, timeout=900)
        assert finished.returncode == 0, log_path.read_text()[-2000:]
        final = _counts(reader)
        with reader() as session:
            found = session.scalars(select(BulkImport)).one()
            state = found.state
            rows = session.scalars(select(BulkImportError.row_number)).all()
            texts = session.scalars(select(Interaction.description)).all()
    finally:
        counter.dispose()

    assert all(0 < checkpoint < ROWS for checkpoint, *_ in killed_at), killed_at  # mid-way
    assert all(loaded == logged for _, loaded, logged, _ in killed_at), killed_at
    refused = set(BAD_DIRECTION) | set(UNKNOWN_CUSTOMER)
    assert final == (ROWS, ROWS - len(refused), ROWS - len(refused), len(refused))
    assert state == COMPLETED
    assert sorted(rows) == sorted(refused)  # each refused once
    good = set(range(1, ROWS + 1)) - refused
    assert len(texts) == len(set(texts)) == len(good)  # no row twice
    assert set(texts) == {f"Row {n}" for n in good}
    assert "going on with" in log_path.read_text()  # the runs after a kill resumed
