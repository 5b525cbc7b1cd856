"""The permission catalogue is the one source: the migration seeds the same built-in roles, and
docs/auth.md shows the same table."""

import re
from pathlib import Path

from sqlalchemy.orm import Session

from parley.auth.permissions import BUILTIN_ROLES, CATALOGUE, LIMITS, markdown_tables
from parley.auth.roles import RoleService
from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "auth.md"
GENERATED = re.compile(
    r"<!-- generated:permissions:start -->\n(.*?)\n<!-- generated:permissions:end -->", re.S
)


def test_docs_show_the_catalogue_and_roles_as_they_are():
    found = GENERATED.search(DOCS.read_text())

    assert found, "docs/auth.md lost its generated-table markers"
    assert found.group(1) == markdown_tables(), (
        "docs/auth.md is out of date: paste the output of "
        "python -c 'from parley.auth.permissions import markdown_tables as t; print(t())'"
    )


def test_the_migration_seeds_exactly_the_builtin_roles_of_the_catalogue(scratch_database_url):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            seeded = {
                found.role.name: (set(found.permissions), found.role.limits, found.role.builtin)
                for found in RoleService(
                    UnitOfWork(session, Settings(database_url=scratch_database_url, _env_file=None))
                ).list_roles()
            }
    finally:
        engine.dispose()

    assert seeded == {
        role.name: (set(role.permissions), role.limits, True) for role in BUILTIN_ROLES
    }, "the built-in roles changed: add a migration that brings existing databases along"


def test_permissions_are_resource_colon_action_and_limits_are_known():
    assert all(re.fullmatch(r"[a-z]+:[a-z]+", p) for p in CATALOGUE)
    for role in BUILTIN_ROLES:
        assert role.permissions <= set(CATALOGUE), role.name
        assert set(role.limits) <= set(LIMITS), role.name
