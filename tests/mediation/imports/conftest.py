"""Bulk import test set-up: files written to the test's directory, the intake and the runner
over the test's sessions."""

import io

import pytest

from parley.actor import Actor
from parley.mediation.imports import ImportIntake, ImportRunner

ADMIN = Actor("test-admin", "cli")


@pytest.fixture
def intake(sessions, settings) -> ImportIntake:
    return ImportIntake(sessions, settings)


@pytest.fixture
def runner(sessions, settings) -> ImportRunner:
    return ImportRunner(sessions, settings)


@pytest.fixture
def imported(intake, runner):
    """``imported(kind, name, text)``: the file received and run to its end; its tally."""

    def run(kind: str, name: str, text: str, **options):
        started = intake.receive(kind, io.BytesIO(text.encode()), name, ADMIN, **options)
        return started, runner.run(started.import_id)

    return run


def csv_text(*rows: list) -> str:
    return "".join(",".join(str(cell) for cell in row) + "\n" for row in rows)
