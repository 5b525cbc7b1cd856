"""Bulk imports over HTTP: the file as the body, answered 202 with the import (the same file
again: 200, the same import); its progress and first errors; its error report as CSV; bad
requests answered 400 in the TMF error shape, changing nothing; the workers run it."""

import csv
import io

from sqlalchemy import func, select

from parley.interactions.models import Interaction
from parley.mediation.imports import ImportJob, ImportRunner
from parley.mediation.imports.models import BulkImport
from tests.factories import assert_tmf_error
from tests.mediation.imports.conftest import csv_text
from tests.web.helpers import make_customer

IMPORTS = "/api/v1/imports"
CSV = {"content-type": "text/csv"}


def _file(customer_id: str) -> bytes:
    return csv_text(
        ["customer.id", "channel", "description"],
        [customer_id, "phone", "Called about the bill"],
        [customer_id, "", "No channel"],
        ["nobody", "phone", "Unknown customer"],
    ).encode()


def test_an_import_is_received_run_and_reported(client, sessions, settings):
    customer = make_customer(client)
    sent = client.post(
        f"{IMPORTS}?kind=interactions&fileName=legacy.csv",
        content=_file(customer["id"]),
        headers=CSV,
    )
    assert sent.status_code == 202, sent.text
    started = sent.json()
    assert started["state"] == "queued" and started["fileName"] == "legacy.csv"
    assert started["href"] == f"http://testserver{IMPORTS}/{started['id']}"

    ImportRunner(sessions, settings).run(started["id"])
    shown = client.get(f"{IMPORTS}/{started['id']}").json()
    report = client.get(f"{IMPORTS}/{started['id']}/errors")

    assert (shown["state"], shown["rowsLoaded"], shown["rowsRefused"]) == ("completed", 1, 2)
    assert shown["progress"] == 1.0
    assert shown["errors"] == [
        {"row": 2, "field": "channel", "message": "channel: Field required"},
        {"row": 3, "field": "customer.id", "message": "customer.id: no customer with id nobody"},
    ]
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.text)))
    assert rows[0] == ["row", "field", "message"]
    assert [row[:2] for row in rows[1:]] == [["2", "channel"], ["3", "customer.id"]]


def test_the_same_file_again_is_answered_with_the_same_import(client):
    customer = make_customer(client)
    body = _file(customer["id"])
    first = client.post(f"{IMPORTS}?kind=interactions", content=body, headers=CSV)
    again = client.post(f"{IMPORTS}?kind=interactions", content=body, headers=CSV)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]


def test_bad_requests_are_refused_and_change_nothing(client, session):
    wrong_kind = client.post(f"{IMPORTS}?kind=orders", content=b"a,b\n", headers=CSV)
    wrong_type = client.post(
        f"{IMPORTS}?kind=customers", content=b"a,b\n", headers={"content-type": "text/plain"}
    )
    empty = client.post(f"{IMPORTS}?kind=customers", content=b"", headers=CSV)
    unknown = client.get(f"{IMPORTS}/2b8c8a64-4f6e-4c55-a3a6-2f1d3c0d9e11")
    unknown_report = client.get(f"{IMPORTS}/nope/errors")

    assert_tmf_error(wrong_kind, 400)
    assert_tmf_error(wrong_type, 400)
    assert_tmf_error(empty, 400)
    assert_tmf_error(unknown, 404)
    assert_tmf_error(unknown_report, 404)
    assert session.scalar(select(func.count()).select_from(BulkImport)) == 0


def test_agents_may_not_import(client, as_user):
    refused = client.post(
        f"{IMPORTS}?kind=customers", content=b"givenName\n", headers={**CSV, **as_user("agent.kim")}
    )
    assert_tmf_error(refused, 403)


def test_the_workers_run_imports_received_by_the_api(client, engine, session, settings):
    customer = make_customer(client)
    sent = client.post(f"{IMPORTS}?kind=interactions", content=_file(customer["id"]), headers=CSV)

    ImportJob(engine, settings).run_once()

    shown = client.get(f"{IMPORTS}/{sent.json()['id']}").json()
    assert (shown["state"], shown["rowsLoaded"]) == ("completed", 1)
    assert session.scalar(select(func.count()).select_from(Interaction)) == 1
