"""Schema migrations (Alembic) and the check that refuses to run on an outdated schema."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class SchemaNotCurrentError(RuntimeError):
    """The database schema is missing or older than this version of Parley."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema_current(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        state = "has no Parley schema" if current is None else f"is at revision {current}"
        raise SchemaNotCurrentError(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}; "
            f"this version of Parley needs revision {head}. Run `parley db upgrade` first."
        )
