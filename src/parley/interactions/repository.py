"""Every query of the interactions domain. The hot paths (logging one interaction, a timeline
page) are Core statements built once."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
)

from parley.db.bulk import insert_rows
from parley.db.repository import Page, Reader, Repository, owned_by_reader
from parley.db.together import NewRow, insert_together
from parley.interactions.models import (
    OPEN_STATUSES,
    Interaction,
    InteractionReason,
    InteractionReference,
)
from parley.parties.service import engaged_party_ids, engaged_party_query

_PARAM_NAMES = ("reason_text", "reason_prefix", "reason_lower")


def _code_query(text, prefix, lowered) -> ColumnElement:
    return (
        select(InteractionReason.code)
        .where(
            or_(
                InteractionReason.code == text,
                InteractionReason.code == prefix,
                func.lower(InteractionReason.label) == lowered,
            )
        )
        .order_by(InteractionReason.code)
        .limit(1)
        .scalar_subquery()
    )


# For prebuilt statements: bind the values of ``reason_params``.
REASON_CODE = _code_query(*(bindparam(name) for name in _PARAM_NAMES))


def reason_params(reason: str | None) -> dict:
    text = (reason or "").strip()
    if not text:
        return dict.fromkeys(_PARAM_NAMES)
    prefix = text.split(":", 1)[0].strip()
    return {"reason_text": text, "reason_prefix": prefix, "reason_lower": text.lower()}


def reason_code(reason: str | None) -> ColumnElement | None:
    """The catalogue code of ``reason``, as an expression evaluated in the statement that
    stores the interaction (no extra round trip, and never a stale copy of the catalogue)."""
    params = reason_params(reason)
    if params["reason_text"] is None:
        return None
    return _code_query(*(literal(params[name]) for name in _PARAM_NAMES))


# The reason's code and, for a customer, its engaged party are looked up by the INSERT itself.
INSERT_INTERACTION = insert(Interaction.__table__).values(
    reason_code=REASON_CODE,
    party_id=func.coalesce(
        bindparam("given_party_id"),
        engaged_party_query(bindparam("of_customer_id")),
    ),
)
INSERT_REFERENCE = insert(InteractionReference.__table__)
INTERACTION_COLUMNS = frozenset(Interaction.__table__.columns.keys())
# What a timeline entry shows: the projected columns, never the whole document.
TIMELINE_COLUMNS = (
    Interaction.id,
    Interaction.customer_id,
    Interaction.direction,
    Interaction.channel,
    Interaction.reason_code,
    Interaction.reason,
    Interaction.status,
    Interaction.started_at,
    Interaction.ended_at,
    Interaction.description,
    Interaction.logged_by,
    InteractionReason.label.label("reason_label"),
)


@dataclass(frozen=True)
class TimelineQuery:
    party_id: str | None
    customer_id: str | None  # only this customer's (a customer's own log-in); else the party's
    before: tuple[datetime, str] | None  # the keyset cursor: (started_at, id) of the last seen
    limit: int
    channel: str | None = None
    direction: str | None = None
    reason: str | None = None  # a reason code
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    related_entity: str | None = None  # the id of a request, bill, order... an item refers to


class InteractionRepository(Repository):
    # -- interactions ----------------------------------------------------------------------

    def get(self, interaction_id: str, for_update: bool = False) -> Interaction | None:
        if for_update:
            query = select(Interaction).where(Interaction.id == interaction_id).with_for_update()
            return self.session.scalar(query)
        return self.session.get(Interaction, interaction_id)

    def insert_logged(self, rows: list[NewRow]) -> None:
        """An interaction with its audit line and event: one statement on PostgreSQL."""
        insert_together(self.session.connection(), rows)

    def insert_many(self, rows: list[NewRow]) -> None:
        """Many interactions' rows (a bulk import's batch), table by table in the order the
        tables first appear (interactions before their references): each table's rows in one
        COPY on PostgreSQL (db/bulk.py). An interaction's engaged party and reason code, which
        its INSERT looks up itself, are looked up here for the whole batch first."""
        tables: dict = {}
        for row in rows:
            tables.setdefault(row.statement.table, []).append(row)
        connection = self.session.connection()
        for table, same in tables.items():
            if table is Interaction.__table__:
                insert_rows(connection, table, self._interaction_columns(same))
            else:
                insert_rows(connection, table, [row.params for row in same])

    def _interaction_columns(self, rows: list[NewRow]) -> list[dict]:
        """The interactions' column values: party and reason code looked up for all."""
        params = [row.params for row in rows]
        customers = {p["of_customer_id"] for p in params if p["given_party_id"] is None}
        engaged = engaged_party_ids(self.session, [c for c in customers if c])
        codes: dict[tuple, str | None] = {}
        columns = INTERACTION_COLUMNS
        made = []
        for p in params:
            reason = tuple(p[name] for name in _PARAM_NAMES)
            if reason not in codes:
                found = dict(zip(_PARAM_NAMES, reason, strict=True))
                codes[reason] = (
                    self.session.scalar(select(REASON_CODE), found) if reason[0] else None
                )
            values = {name: value for name, value in p.items() if name in columns}
            values["party_id"] = p["given_party_id"] or engaged.get(p["of_customer_id"])
            values["reason_code"] = codes[reason]
            made.append(values)
        return made

    def replace_references(self, interaction_id: str, references: list[dict]) -> None:
        self.session.execute(
            delete(InteractionReference).where(
                InteractionReference.interaction_id == interaction_id
            )
        )
        if references:
            self.session.execute(INSERT_REFERENCE, references)

    def readable_by(self, reader: Reader | None) -> ColumnElement[bool] | None:
        """A customer's log-in reads its own customer's interactions only."""
        return owned_by_reader(Interaction.customer_id, reader)

    def list_interactions(self, conditions: list, page: Page) -> tuple[list[Interaction], int]:
        order = ((Interaction.started_at, True),)
        return self.page(Interaction, conditions, page, *order)

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        return set(self.session.scalars(select(Interaction.id).where(Interaction.id.in_(wanted))))

    def timeline(self, query: TimelineQuery) -> list:
        conditions = []
        if query.customer_id is not None:
            conditions.append(Interaction.customer_id == query.customer_id)
        if query.party_id is not None:
            conditions.append(Interaction.party_id == query.party_id)
        if query.before is not None:
            # A row comparison, which PostgreSQL turns into one index range (an OR of the two
            # columns it would read from the newest entry on, discarding the pages seen).
            conditions.append(tuple_(Interaction.started_at, Interaction.id) < query.before)
        for column, value in (
            (Interaction.channel, query.channel),
            (Interaction.direction, query.direction),
            (Interaction.reason_code, query.reason),
        ):
            if value is not None:
                conditions.append(column == value)
        if query.since is not None:
            conditions.append(Interaction.started_at >= query.since)
        if query.until is not None:
            conditions.append(Interaction.started_at < query.until)
        if query.related_entity is not None:
            conditions.append(
                exists().where(
                    InteractionReference.interaction_id == Interaction.id,
                    InteractionReference.entity_id == query.related_entity,
                )
            )
        statement = (
            select(*TIMELINE_COLUMNS)
            .outerjoin(InteractionReason, InteractionReason.code == Interaction.reason_code)
            .where(*conditions)
            .order_by(Interaction.started_at.desc(), Interaction.id.desc())
            .limit(query.limit)
        )
        return list(self.session.execute(statement).all())

    def documents(self, ids: list[str]) -> dict[str, dict]:
        """The stored documents of these interactions, by id (what a timeline entry shows
        when opened)."""
        if not ids:
            return {}
        query = select(Interaction.id, Interaction.document).where(Interaction.id.in_(ids))
        return {row.id: row.document for row in self.session.execute(query)}

    def open_of_customer(self, customer_id: str, limit: int) -> list[Interaction]:
        query = (
            select(Interaction)
            .where(
                Interaction.customer_id == customer_id,
                Interaction.status.in_(OPEN_STATUSES),
            )
            .order_by(Interaction.started_at.desc(), Interaction.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def delete_interaction(self, interaction: Interaction) -> None:
        self.session.execute(
            delete(InteractionReference).where(
                InteractionReference.interaction_id == interaction.id
            )
        )
        self.delete(interaction)

    # -- reasons -----------------------------------------------------------------------------

    def reasons(self, include_inactive: bool = True) -> list[InteractionReason]:
        query = select(InteractionReason).order_by(
            InteractionReason.category, InteractionReason.code
        )
        if not include_inactive:
            query = query.where(InteractionReason.active.is_(True))
        return list(self.session.scalars(query).all())

    def reason(self, code: str) -> InteractionReason | None:
        return self.session.get(InteractionReason, code)
