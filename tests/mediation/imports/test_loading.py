"""Importing customers and interactions: good rows loaded through the domains' services,
refused ones reported with the message the API gives for them, the same file never applied
twice, a run cut short goes on from its checkpoint, a dry run keeps nothing."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from parley.changes.models import AuditEntry
from parley.interactions.models import Interaction
from parley.mediation import APPLIED
from parley.mediation.commands import validated
from parley.mediation.imports import COMPLETED, FAILED, ImportService
from parley.mediation.imports.models import BulkImport
from parley.mediation.imports.repository import ImportRepository
from parley.mediation.models import InboundMessage
from parley.outbox.models import OutboxMessage
from parley.parties.models import Customer
from tests.mediation.imports.conftest import ADMIN, csv_text
from tests.web.helpers import make_customer

HEADER = ["customer.id", "customer.email", "channel", "direction", "description", "start"]


def _count(session, model, *where) -> int:
    found = session.scalar(select(func.count()).select_from(model).where(*where))
    session.rollback()
    return found


def _errors(session, settings, import_id: str) -> list[tuple]:
    from parley.changes import UnitOfWork

    service = ImportService(UnitOfWork(session, settings))
    return [(e.row_number, e.field, e.message) for e in service.errors(import_id)]


def test_interactions_are_loaded_and_refused_rows_reported(client, imported, session, settings):
    customer = make_customer(client)
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    text = csv_text(
        HEADER,
        [customer["id"], "", "phone", "inbound", "Asked about roaming", ""],
        ["", "nora@example.org", "email", "outbound", "Sent the roaming offer", ""],
        [customer["id"], "", "phone", "sideways", "Bad direction", ""],
        ["12345", "", "phone", "inbound", "Unknown customer", ""],
        [customer["id"], "", "phone", "inbound", "From the future", future],
        ["", "nobody@example.org", "phone", "inbound", "Nobody has it", ""],
    )
    started, tally = imported("interactions", "legacy.csv", text)

    assert (tally.state, tally.handled, tally.loaded, tally.failed) == (COMPLETED, 6, 2, 4)
    logged = session.scalars(select(Interaction).order_by(Interaction.created_at)).all()
    assert sorted(i.description for i in logged) == [
        "Asked about roaming",
        "Sent the roaming offer",
    ]
    assert {i.customer_id for i in logged} == {customer["id"]}
    note = logged[0].document["note"][-1]["text"]
    assert "legacy.csv, row " in note and started.import_id in note  # its idempotency key
    # Recorded as the unit of work records any write: an audit line and an event each.
    ids = [i.id for i in logged]
    assert _count(session, AuditEntry, AuditEntry.resource_id.in_(ids)) == 2
    assert session.scalar(select(AuditEntry.channel).where(AuditEntry.resource_id == ids[0])) == (
        "import"
    )
    assert _count(session, OutboxMessage, OutboxMessage.kind == "event") >= 2
    assert _errors(session, settings, started.import_id) == [
        (3, "direction", "direction: Input should be 'inbound' or 'outbound'"),
        (4, "customer.id", "customer.id: no customer with id 12345"),
        (5, "interactionDate", "interactionDate.startDateTime: is in the future"),
        (6, "customer.email", "customer.email: no customer has nobody@example.org"),
    ]


def test_a_row_is_refused_with_the_message_a_partner_message_gets(imported, session, settings):
    row = {"customer": {"id": "x", "email": "a@b.example"}, "channel": "", "description": "d"}
    with pytest.raises(Exception) as partner:
        validated("logInteraction", [row])
    started, _ = imported("interactions", "rows.jsonl", json.dumps(row) + "\n")

    (error,) = _errors(session, settings, started.import_id)
    assert error[2] == partner.value.message.removeprefix("command.")


def test_the_interactions_api_refuses_what_the_import_refuses_alike(
    client, imported, session, settings
):
    customer = make_customer(client)
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    document = {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "description": "From the future",
        "reason": "roaming",
        "interactionDate": {"startDateTime": future},
        "relatedChannel": [{"role": "contact", "channel": {"id": "phone", "name": "phone"}}],
        "relatedParty": [
            {
                "role": "customer",
                "partyOrPartyRole": {"id": customer["id"], "@referredType": "Customer"},
            }
        ],
    }
    answer = client.post("/tmf-api/partyInteractionManagement/v5/partyInteraction", json=document)
    row = {
        "customer": {"id": customer["id"]},
        "channel": "phone",
        "description": "From the future",
        "reason": "roaming",
        "start": future,
    }
    started, _ = imported("interactions", "future.jsonl", json.dumps(row) + "\n")

    assert answer.status_code == 400
    assert _errors(session, settings, started.import_id)[0][2] == answer.json()["message"]


def test_customers_are_created_with_their_person_and_refused_like_the_api(
    client, imported, session, settings
):
    text = csv_text(
        [
            "givenName",
            "familyName",
            "birthDate",
            "contact.emailAddress",
            "contact.phoneNumber",
            "status",
            "account",
        ],
        ["Anna", "Becker", "1980-02-03", "anna@example.com", "030 1234567", "", "BA-1"],
        ["Bernd", "Kraus", "", "bernd@example", "", "", ""],
        ["", "Nogiven", "", "", "", "", ""],
        ["Carla", "Diaz", "", "", "", "weird", ""],
        ["Anna", "Becker", "1980-02-03", "anna@example.com", "", "", ""],
    )
    started, tally = imported("customers", "crm.csv", text)

    assert (tally.loaded, tally.failed) == (1, 4)
    made = session.scalars(select(Customer)).one()
    assert made.name == "Anna Becker" and made.status == "active"
    errors = _errors(session, settings, started.import_id)
    assert [(row, field) for row, field, _ in errors] == [
        (2, "contact.emailAddress"),
        (3, "givenName"),
        (4, "status"),
        (5, None),
    ]
    assert errors[1][2] == "givenName: Field required"
    assert errors[3][2].startswith("The customer Anna Becker looks like one already known")
    # TMF629 answers the same status with the same message.
    party = client.post(
        "/tmf-api/partyManagement/v5/individual",
        json={"@type": "Individual", "givenName": "Carla", "familyName": "Diaz"},
    ).json()
    answer = client.post(
        "/tmf-api/customerManagement/v5/customer",
        json={
            "@type": "Customer",
            "name": "Carla Diaz",
            "status": "weird",
            "engagedParty": {"id": party["id"], "@referredType": "Individual"},
        },
    )
    assert answer.status_code == 400 and answer.json()["message"] == errors[2][2]


def test_the_same_file_again_is_the_same_import_never_applied_twice(client, imported, session):
    customer = make_customer(client)
    text = csv_text(HEADER, [customer["id"], "", "phone", "inbound", "Once only", ""])
    first, _ = imported("interactions", "a.csv", text)
    again, tally = imported("interactions", "renamed.csv", text)

    assert again.import_id == first.import_id and again.duplicate
    assert tally.state == COMPLETED
    assert _count(session, Interaction) == 1
    assert _count(session, InboundMessage, InboundMessage.source == "import") == 1


def test_a_run_cut_short_goes_on_from_its_checkpoint(client, intake, runner, session, settings):
    customer = make_customer(client)
    rows = [[customer["id"], "", "phone", "inbound", f"Call {n}", ""] for n in range(1, 8)]
    text = csv_text(HEADER, *rows)
    settings_small = settings.model_copy(update={"import_batch_size": 3})
    from parley.mediation.imports import ImportRunner

    small = ImportRunner(runner.sessions, settings_small)
    started = intake.receive("interactions", io.BytesIO(text.encode()), "calls.csv", ADMIN)
    cut = small.run(started.import_id, until=0.0)  # stops after its first batch

    assert (cut.handled, cut.loaded) == (3, 3)
    assert _count(session, Interaction) == 3
    done = small.run(started.import_id)
    assert (done.state, done.handled, done.loaded) == (COMPLETED, 7, 7)
    texts = session.scalars(select(Interaction.description)).all()
    assert sorted(texts) == sorted(f"Call {n}" for n in range(1, 8))


def test_a_file_that_goes_bad_midway_keeps_the_batches_before_and_fails(
    client, intake, runner, session, settings
):
    # The next batch is read and prepared in a thread while one is written: a file refused
    # there fails the import after the batches before it, each applied once.
    customer = make_customer(client)
    rows = [
        [customer["id"], "", "phone", "inbound", f"Call {n:03d} " + "x" * 80, ""]
        for n in range(300)
    ]
    good = csv_text(HEADER, *rows).encode()
    started = intake.receive(
        "interactions", io.BytesIO(good + b"\xff\xfe broken\n"), "bad.csv", ADMIN
    )
    from parley.mediation.imports import ImportRunner

    small = ImportRunner(runner.sessions, settings.model_copy(update={"import_batch_size": 3}))
    tally = small.run(started.import_id)

    assert (tally.state, tally.error) == (FAILED, "file: not UTF-8 text")
    assert 0 < tally.handled < 300 and tally.handled % 3 == 0
    assert tally.loaded == tally.handled == _count(session, Interaction)
    assert small.run(started.import_id).handled == tally.handled  # failed stays failed


def test_a_second_runner_never_applies_the_rows_another_has_passed(client, intake, session):
    customer = make_customer(client)
    text = csv_text(HEADER, [customer["id"], "", "phone", "inbound", "Once", ""])
    started = intake.receive("interactions", io.BytesIO(text.encode()), "one.csv", ADMIN)
    repo = ImportRepository(session)

    assert repo.advance(started.import_id, 0, 1)  # the first runner claims row 1
    assert not repo.advance(started.import_id, 0, 1)  # the second saw 0 too: refused
    session.rollback()


def test_a_stored_file_that_changed_fails_the_import(client, intake, runner, session):
    text = csv_text(HEADER, ["x", "", "phone", "inbound", "Changed", ""])
    started = intake.receive("interactions", io.BytesIO(text.encode()), "c.csv", ADMIN)
    path = session.get(BulkImport, started.import_id).path
    session.rollback()
    with open(path, "a") as handle:
        handle.write("tampered\n")

    tally = runner.run(started.import_id)

    assert tally.state == FAILED and "changed since it was received" in tally.error
    assert _count(session, Interaction) == 0


def test_an_unknown_column_fails_the_import_before_any_row(imported, session):
    text = csv_text(["customer.id", "chanel", "description"], ["x", "phone", "d"])
    _, tally = imported("interactions", "typo.csv", text)

    assert tally.state == FAILED
    assert tally.error.startswith("file: unknown column 'chanel'; the columns are ")
    assert tally.handled == 0


def test_a_dry_run_checks_every_row_and_keeps_nothing(client, runner, session, tmp_path):
    customer = make_customer(client)
    path = tmp_path / "dry.csv"
    path.write_text(
        csv_text(
            HEADER,
            [customer["id"], "", "phone", "inbound", "Fine", ""],
            ["12345", "", "phone", "inbound", "Unknown", ""],
        )
    )
    audit_before = _count(session, AuditEntry)
    refused = []

    tally = runner.dry_run(
        str(path), "interactions", "csv", "dry.csv", ADMIN, refused=refused.extend
    )

    assert (tally.handled, tally.loaded, tally.failed) == (2, 1, 1)
    assert [(e.row, e.field) for e in refused] == [(2, "customer.id")]
    assert _count(session, Interaction) == 0
    assert _count(session, AuditEntry) == audit_before
    assert _count(session, BulkImport) == 0
    assert _count(session, InboundMessage) == 0


def test_the_inbound_workers_hand_the_file_record_to_its_import(
    client, imported, apply_due, session
):
    customer = make_customer(client)
    started, _ = imported(
        "interactions", "w.csv", csv_text(HEADER, [customer["id"], "", "web", "inbound", "W", ""])
    )
    apply_due()

    message = session.get(InboundMessage, started.message_id)
    assert message.state == APPLIED
    assert message.outcome == {"import": started.import_id}
