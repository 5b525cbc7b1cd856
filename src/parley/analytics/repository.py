"""Every query of Analyze & Report: the facts, the stale days, the roll-ups, the calendars."""

from datetime import date, datetime

from sqlalchemy import delete, func, insert, select

from parley.analytics.models import (
    BusinessCalendar,
    InteractionFact,
    InteractionRollup,
    RequestFact,
    RequestRollup,
    StaleDay,
)
from parley.db.base import utcnow
from parley.db.repository import Repository
from parley.db.upsert import upsert

FACTS = RequestFact.__table__
INTERACTIONS = InteractionFact.__table__
FINAL = ("closed", "cancelled", "rejected")


class AnalyticsRepository(Repository):
    # -- facts ----------------------------------------------------------------------------

    def save_request_fact(self, values: dict) -> date | None:
        """Insert or replace the fact; the day it was closed on before (None: not closed)."""
        before = self.session.scalar(
            select(RequestFact.closed_day).where(RequestFact.request_id == values["request_id"])
        )
        values = {**values, "updated_at": utcnow()}
        changed = {key: value for key, value in values.items() if key != "request_id"}
        self.run(upsert(self.session, FACTS, values, changed, ["request_id"]))
        return before

    def drop_request_fact(self, request_id: str) -> date | None:
        before = self.session.scalar(
            select(RequestFact.closed_day).where(RequestFact.request_id == request_id)
        )
        self.run(delete(FACTS).where(FACTS.c.request_id == request_id))
        return before

    def save_interaction_fact(self, values: dict) -> date | None:
        before = self.session.scalar(
            select(InteractionFact.day).where(
                InteractionFact.interaction_id == values["interaction_id"]
            )
        )
        values = {**values, "updated_at": utcnow()}
        changed = {key: value for key, value in values.items() if key != "interaction_id"}
        self.run(upsert(self.session, INTERACTIONS, values, changed, ["interaction_id"]))
        return before

    def drop_interaction_fact(self, interaction_id: str) -> date | None:
        before = self.session.scalar(
            select(InteractionFact.day).where(InteractionFact.interaction_id == interaction_id)
        )
        self.run(delete(INTERACTIONS).where(INTERACTIONS.c.interaction_id == interaction_id))
        return before

    def closed_on(self, day: date) -> list:
        query = select(FACTS).where(FACTS.c.closed_day == day, FACTS.c.status == "closed")
        return list(self.run(query).mappings())

    def interactions_on(self, day: date) -> list:
        return list(self.run(select(INTERACTIONS).where(INTERACTIONS.c.day == day)).mappings())

    def closed_between(self, start: date, end: date, conditions=(), offset=0, limit=None):
        """Facts of the requests closed on days [start, end), oldest close first."""
        query = (
            select(FACTS)
            .where(FACTS.c.closed_day >= start, FACTS.c.closed_day < end, *conditions)
            .order_by(FACTS.c.closed_at, FACTS.c.request_id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return list(self.run(query).mappings())

    def count_closed_between(self, start: date, end: date, conditions=()) -> int:
        query = select(func.count()).where(
            FACTS.c.closed_day >= start, FACTS.c.closed_day < end, *conditions
        )
        return self.run(query).scalar_one()

    def open_requests(self) -> list:
        """(created_at) of every request not ended: the backlog."""
        query = select(FACTS.c.created_at).where(FACTS.c.status.not_in(FINAL))
        return [row.created_at for row in self.run(query)]

    def interactions_between(self, start: datetime, end: datetime) -> list:
        query = select(INTERACTIONS).where(
            INTERACTIONS.c.started_at >= start, INTERACTIONS.c.started_at < end
        )
        return list(self.run(query.order_by(INTERACTIONS.c.started_at)).mappings())

    # -- stale days and roll-ups ----------------------------------------------------------

    def mark_stale(self, days) -> None:
        for day in {day for day in days if day is not None}:
            values = {"day": day, "marked_at": utcnow()}
            self.run(
                upsert(self.session, StaleDay.__table__, values, {"marked_at": utcnow()}, ["day"])
            )

    def claim_stale(self, limit: int) -> list[date]:
        """Stale days to roll up, taken off the list (locked: concurrent workers take
        different days on PostgreSQL)."""
        query = (
            select(StaleDay.day)
            .order_by(StaleDay.day)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        days = list(self.session.scalars(query))
        if days:
            self.run(delete(StaleDay.__table__).where(StaleDay.day.in_(days)))
        return days

    def replace_rollups(self, day: date, requests: list[dict], interactions: list[dict]) -> None:
        for model, rows in ((RequestRollup, requests), (InteractionRollup, interactions)):
            table = model.__table__
            self.run(delete(table).where(table.c.day == day))
            if rows:
                self.run(insert(table), rows)

    def request_rollups(self, start: date, end: date, conditions=()) -> list:
        table = RequestRollup.__table__
        query = select(table).where(table.c.day >= start, table.c.day < end, *conditions)
        return list(self.run(query).mappings())

    def interaction_rollups(self, start: date, end: date) -> list:
        table = InteractionRollup.__table__
        query = select(table).where(table.c.day >= start, table.c.day < end)
        return list(self.run(query).mappings())

    def clear_all(self) -> None:
        for model in (RequestRollup, InteractionRollup, StaleDay, RequestFact, InteractionFact):
            self.run(delete(model.__table__))

    # -- calendars ------------------------------------------------------------------------

    def calendars(self) -> list[BusinessCalendar]:
        return list(self.session.scalars(select(BusinessCalendar)))
