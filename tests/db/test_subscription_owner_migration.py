"""Migration 0015 gives existing hub subscriptions the user who made them (by the log-in name
they recorded); one whose user is gone has no owner (administrators only). Its downgrade
drops the column."""

import sqlalchemy as sa

from parley.db.engine import build_engine
from parley.db.migrate import downgrade, upgrade

USERS = sa.table(
    "auth_user",
    *(sa.column(c) for c in ("id", "username", "kind", "display_name", "secret_hash")),
    sa.column("disabled", sa.Boolean),
    sa.column("failed_logins", sa.Integer),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)
SUBSCRIPTIONS = sa.table(
    "event_subscription",
    *(sa.column(c) for c in ("id", "api", "callback", "created_by")),
    sa.column("created_at", sa.DateTime),
)
USER_ID = "11111111-1111-4111-8111-111111111111"


def test_existing_subscriptions_get_their_creator_as_owner(scratch_database_url):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine, "0014")
        now = sa.func.current_timestamp()
        with engine.begin() as connection:
            connection.execute(
                sa.insert(USERS).values(
                    id=USER_ID, username="crm.client", kind="client", display_name="CRM",
                    secret_hash="x", disabled=False, failed_logins=0, created_at=now,
                    updated_at=now,
                )
            )  # fmt: skip
            for sub_id, creator in (("s-kept", "crm.client"), ("s-orphan", "someone.gone")):
                connection.execute(
                    sa.insert(SUBSCRIPTIONS).values(
                        id=sub_id, api="TMF629", callback="https://crm.example.net/tmf",
                        created_by=creator, created_at=now,
                    )
                )  # fmt: skip

        upgrade(engine, "0015")
        with engine.connect() as connection:
            owners = dict(
                connection.execute(sa.text("SELECT id, owner_id FROM event_subscription")).all()
            )
        assert owners == {"s-kept": USER_ID, "s-orphan": None}

        downgrade(engine, "0014")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("event_subscription")}
        assert "owner_id" not in columns
    finally:
        engine.dispose()
