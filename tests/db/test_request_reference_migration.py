"""Migration 0018: requests made before it get a reference derived from their id (the same
wherever a database is migrated), the request notices still worded as seeded are reworded for
customers while one an administrator changed is kept, and nothing else of a request is touched
(no table rebuilt: SQLite would cascade a DROP TABLE to the history). Its downgrade undoes
both."""

import sqlalchemy as sa

from parley.db.migrate import downgrade, upgrade
from parley.notifications.defaults import REWORDED_0018, TEMPLATES_0008
from parley.requests.reference import canonical, number_of_id, with_check_digit
from tests.db.scratch_app import administrator_on
from tests.factories import create_customer
from tests.requests.helpers import raise_request, reference

RECEIVED_EN = ("request.received", "email", "en")
PROGRESS_DE = ("request.progress", "sms", "de")
ADMINS_OWN = "Dear {{ customerName }}, request {{ requestId }} is with us."


def _requests(engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT id, reference FROM customer_request")).all())


def _template(engine, key) -> tuple[str | None, str]:
    kind, channel, language = key
    query = sa.text(
        "SELECT subject, body FROM message_template "
        "WHERE kind = :kind AND channel = :channel AND language = :language"
    )
    with engine.connect() as connection:
        row = connection.execute(
            query, {"kind": kind, "channel": channel, "language": language}
        ).one()
    return row.subject, row.body


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def test_references_for_requests_made_before_and_notices_reworded(scratch_database_url, settings):
    with administrator_on(scratch_database_url, settings) as (engine, app, client):
        customer = create_customer(client)
        made = [raise_request(client, customer, ticketType="fault.repair") for _ in range(3)]
        templates = client.get("/api/v1/message-templates", params={"kind": "request.received"})
        (received_en,) = [
            t for t in templates.json() if (t["channel"], t["language"]) == ("email", "en")
        ]
        reworded = client.patch(
            f"/api/v1/message-templates/{received_en['id']}", json={"body": ADMINS_OWN}
        )
        assert reworded.status_code == 200, reworded.text
        app.state.engine.dispose()
        assert {r["id"]: reference(r) for r in made} == _requests(engine)
        history = _count(engine, "request_status_change")

        downgrade(engine, "0016")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("customer_request")}
        assert "reference" not in columns
        seeded = {(k, c, lang): (s, b) for k, c, lang, s, b in TEMPLATES_0008}
        assert _template(engine, PROGRESS_DE) == seeded[PROGRESS_DE]
        assert _template(engine, RECEIVED_EN)[1] == ADMINS_OWN

        upgrade(engine)
        references = _requests(engine)
        assert set(references) == {r["id"] for r in made}
        for request_id, given in references.items():
            assert given == with_check_digit(number_of_id(request_id)) == canonical(given)
        assert len(set(references.values())) == len(made)
        assert _count(engine, "request_status_change") == history
        assert _template(engine, PROGRESS_DE) == REWORDED_0018[PROGRESS_DE]
        assert _template(engine, RECEIVED_EN)[1] == ADMINS_OWN  # the administrator's kept
