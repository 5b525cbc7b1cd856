"""The Alembic migrations build the same schema the models describe, on both databases, and
Parley refuses to run on a database that isn't migrated."""

import pytest
from sqlalchemy import inspect

from parley.app import create_app
from parley.db.base import Base
from parley.db.engine import build_engine
from parley.db.migrate import (
    SchemaNotCurrentError,
    current_revision,
    downgrade,
    ensure_schema_current,
    head_revision,
    upgrade,
)
from parley.settings import Settings


def test_migrated_schema_has_every_model_table_and_column(migrated_engine):
    inspector = inspect(migrated_engine)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_migrated_database_is_at_head(migrated_engine):
    assert current_revision(migrated_engine) == head_revision(migrated_engine)
    ensure_schema_current(migrated_engine)


def test_app_refuses_an_unmigrated_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(SchemaNotCurrentError, match="parley db upgrade"):
        create_app(Settings(database_url=url, _env_file=None))


def test_downgrade_to_nothing_and_upgrade_again(scratch_database_url):
    engine = build_engine(scratch_database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert "party" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()
