"""The self-care menu's add-ons (issue 15: add-on selection from the offer catalogue), added to
an installation's menu as it was shipped: one whose home screen an administrator has changed
is left as it is (they add the screens themselves; docs/channels.md shows them). A database
made since has them from 0026, which seeds the menu as defaults.py now has it.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07
"""

import copy
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from parley.channels.defaults import ADDON_SCREENS, ADDONS_OPTION

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

SHIPPED_HOME = ["status", "fault", "callback", "preferences", "agent"]
WITH_ADDONS = [*SHIPPED_HOME, "addons"]  # last: the others keep their keys
MENU = sa.table(
    "channel_menu",
    sa.column("id", sa.String),
    sa.column("code", sa.String),
    sa.column("version", sa.Integer),
    sa.column("document", sa.JSON),
    sa.column("updated_at", sa.DateTime),
)


def _change(shape: list[str], change) -> None:
    bind = op.get_bind()
    row = bind.execute(
        sa.select(MENU.c.id, MENU.c.version, MENU.c.document).where(MENU.c.code == "selfcare")
    ).first()
    if row is None:
        return
    document = row.document if isinstance(row.document, dict) else json.loads(row.document)
    home = document.get("screens", {}).get("home", {})
    if [option.get("next") for option in home.get("options", [])] != shape:
        return  # changed by an administrator (or already done): theirs to keep
    document = copy.deepcopy(document)
    change(document)
    bind.execute(
        MENU.update()
        .where(MENU.c.id == row.id)
        .values(document=document, version=row.version + 1, updated_at=datetime.now(UTC))
    )


def _add(document: dict) -> None:
    screens = document["screens"]
    screens["home"]["options"].append(copy.deepcopy(ADDONS_OPTION))
    screens.update(copy.deepcopy(ADDON_SCREENS))


def _remove(document: dict) -> None:
    screens = document["screens"]
    screens["home"]["options"].pop()
    for screen_id in ADDON_SCREENS:
        screens.pop(screen_id, None)


def upgrade() -> None:
    _change(SHIPPED_HOME, _add)


def downgrade() -> None:
    _change(WITH_ADDONS, _remove)
