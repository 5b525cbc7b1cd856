"""An app on a scratch database, for the tests of migrations that change data: they make rows
through the API as users would, then downgrade and upgrade the database under them."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from parley.app import create_app
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from tests.conftest import staff_headers


@contextmanager
def administrator_on(url: str, settings) -> Iterator[tuple[Engine, FastAPI, TestClient]]:
    """The scratch database at ``url`` migrated to the head, an app on it and an
    administrator's client. Dispose of ``app.state.engine`` before migrating under it."""
    engine = build_engine(url)
    own = settings.model_copy(update={"database_url": url})
    try:
        upgrade(engine)
        app = create_app(own)
        with Session(engine) as session:
            headers = staff_headers(session, own, "administrator")
        with TestClient(app) as client:
            client.headers.update(headers)
            yield engine, app, client
        app.state.engine.dispose()
    finally:
        engine.dispose()
