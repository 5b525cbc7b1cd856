"""Alembic environment: runs migrations on the connection handed over by parley.db.migrate."""

from alembic import context

from parley.analytics import models as _analytics  # noqa: F401  (registers tables)
from parley.analytics.upsell import models as _upsell  # noqa: F401  (registers tables)
from parley.auth import models as _auth  # noqa: F401  (registers tables)
from parley.calls import models as _calls  # noqa: F401  (registers tables)
from parley.changes import models as _changes  # noqa: F401  (registers tables)
from parley.channels import models as _channels  # noqa: F401  (registers tables)
from parley.db.base import Base
from parley.db.engine import build_engine
from parley.events import models as _events  # noqa: F401  (registers tables)
from parley.leads import models as _leads  # noqa: F401  (registers tables)
from parley.mediation import models as _mediation  # noqa: F401  (registers tables)
from parley.mediation.email import models as _mediation_email  # noqa: F401  (registers tables)
from parley.mediation.imports import models as _imports  # noqa: F401  (registers tables)
from parley.notifications import models as _notifications  # noqa: F401  (registers tables)
from parley.offers import models as _offers  # noqa: F401  (registers tables)
from parley.outbox import models as _outbox  # noqa: F401  (registers tables)
from parley.parties import models as _parties  # noqa: F401  (registers tables)
from parley.ratelimit import models as _ratelimit  # noqa: F401  (registers tables)
from parley.requests import models as _requests  # noqa: F401  (registers tables)
from parley.requests.handoffs import models as _handoffs  # noqa: F401  (registers tables)
from parley.requests.sla import models as _sla  # noqa: F401  (registers tables)

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = build_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
