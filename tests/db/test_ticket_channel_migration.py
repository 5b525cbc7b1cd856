"""Migration 0043: tickets raised before it get their channel column from their document's
``channel.id`` (the TMF621 filter finds them); its downgrade drops the column; neither
rebuilds the table (on SQLite that would cascade to the status history)."""

import sqlalchemy as sa

from parley.db.migrate import downgrade, upgrade
from tests.db.scratch_app import administrator_on
from tests.factories import create_customer
from tests.requests.helpers import TICKETS, raise_request


def _history_rows(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT count(*) FROM request_status_change"))


def _channels(engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, channel FROM customer_request")).all()
    return dict(rows)


def test_tickets_made_before_it_are_filtered_by_their_channel(scratch_database_url, settings):
    with administrator_on(scratch_database_url, settings) as (engine, app, client):
        customer = create_customer(client)
        made = {
            channel: raise_request(client, customer, channel={"id": channel})["id"]
            for channel in ("web", "store", "x" * 101)
        }
        unnamed = raise_request(client, customer)["id"]
        app.state.engine.dispose()
        history = _history_rows(engine)

        downgrade(engine, "0038")
        with engine.connect() as connection:
            columns = sa.inspect(connection).get_columns("customer_request")
        assert "channel" not in {c["name"] for c in columns}
        upgrade(engine)

        assert _history_rows(engine) == history > 0
        expected = {made["web"]: "web", made["store"]: "store", made["x" * 101]: None}
        assert _channels(engine) == {**expected, unnamed: None}
        found = client.get(TICKETS, params={"channel.id": "store"})
        assert [t["id"] for t in found.json()] == [made["store"]]
