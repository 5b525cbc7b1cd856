"""Migration 0012 gives every request taken before it a clock (from its creation to its
expected resolution date; paused if pending, stopped if done) and seeds the delayed notices."""

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from parley.app import create_app
from parley.db.engine import build_engine
from parley.db.migrate import alembic_config, downgrade, upgrade
from parley.requests.sla.models import RequestSla
from tests.conftest import staff_headers
from tests.factories import create_customer
from tests.requests.helpers import patch, raise_request


def test_earlier_requests_get_clocks_and_the_templates_come_and_go(scratch_database_url, settings):
    engine = build_engine(scratch_database_url)
    upgrade(engine)
    settings = settings.model_copy(update={"database_url": scratch_database_url})
    app = create_app(settings)
    with sessionmaker(bind=engine)() as session, TestClient(app) as client:
        client.headers.update(staff_headers(session, settings, "administrator"))
        customer = create_customer(client)
        waiting = raise_request(client, customer, ticketType="fault.repair", priority="high")
        patch(client, waiting, {"status": "pending"})
        done = raise_request(client, customer, ticketType="request.status")
    app.state.engine.dispose()
    before = ScriptDirectory.from_config(alembic_config(engine)).get_revision("0012")

    downgrade(engine, before.down_revision)
    with engine.connect() as connection:
        delayed = "SELECT count(*) FROM message_template WHERE kind = 'request.delayed'"
        assert connection.execute(text(delayed)).scalar() == 0
    upgrade(engine)

    with sessionmaker(bind=engine)() as session:
        clocks = {c.request_id: c for c in session.scalars(select(RequestSla))}
        assert session.scalar(text(delayed)) == 4
        assert session.scalar(select(func.count()).select_from(RequestSla)) == 2
    paused, stopped = clocks[waiting["id"]], clocks[done["id"]]
    assert paused.state == "paused" and paused.next_check_at is None
    assert paused.target_seconds == 8 * 3600 and paused.warning_percent == 75
    assert paused.due_at.isoformat().startswith(waiting["expectedResolutionDate"][:19])
    assert stopped.state == "stopped" and stopped.stopped_at is not None
    engine.dispose()
