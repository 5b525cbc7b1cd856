"""Every query of Analyze & Report: the facts, the stale days, the roll-ups, the calendars."""

from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from parley.analytics.models import (
    BusinessCalendar,
    ContactHour,
    CustomerArea,
    InteractionFact,
    InteractionRollup,
    Problem,
    ProblemLink,
    RequestFact,
    RequestRollup,
    StaleDay,
)
from parley.analytics.rollups import DAYS_ONLY
from parley.db.base import utcnow
from parley.db.repository import Repository
from parley.db.upsert import upsert

FACTS = RequestFact.__table__
INTERACTIONS = InteractionFact.__table__
CUSTOMERS = CustomerArea.__table__
INACTIVE = ("disconnected", "closed")  # customers no longer served
IN_BATCH = 500  # ids per IN list
FINAL = ("closed", "cancelled", "rejected")
DAY, MONTH = "day", "month"
OPEN, CLOSED = "open", "closed"


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

    def closed_on(self, day: date, columns=None) -> list:
        """The facts of the requests closed on ``day``: their ``columns`` (names; all if
        None)."""
        chosen = [FACTS.c[name] for name in columns] if columns else [FACTS]
        query = select(*chosen).where(FACTS.c.closed_day == day, FACTS.c.status == "closed")
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

    def stream_closed_between(self, start: date, end: date, conditions=()):
        """As ``closed_between``, all of them, read a batch at a time (a server-side cursor
        on PostgreSQL): for exports of any size."""
        query = (
            select(FACTS)
            .where(FACTS.c.closed_day >= start, FACTS.c.closed_day < end, *conditions)
            .order_by(FACTS.c.closed_at, FACTS.c.request_id)
            .execution_options(yield_per=2000)
        )
        return self.session.execute(query).mappings()

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

    # -- customers ------------------------------------------------------------------------

    def save_customer(self, values: dict) -> None:
        values = {**values, "updated_at": utcnow()}
        changed = {key: value for key, value in values.items() if key != "customer_id"}
        self.run(upsert(self.session, CUSTOMERS, values, changed, ["customer_id"]))

    def drop_customer(self, customer_id: str) -> None:
        self.run(delete(CUSTOMERS).where(CUSTOMERS.c.customer_id == customer_id))

    def persons_of(self, customer_ids) -> dict[str, str]:
        """customer id -> the person behind it (its engaged party), for those known."""
        wanted, found = sorted({c for c in customer_ids if c}), {}
        for start in range(0, len(wanted), IN_BATCH):
            query = select(CUSTOMERS.c.customer_id, CUSTOMERS.c.party_id).where(
                CUSTOMERS.c.customer_id.in_(wanted[start : start + IN_BATCH]),
                CUSTOMERS.c.party_id.is_not(None),
            )
            found.update((customer, party) for customer, party in self.run(query))
        return found

    def customers_in_area(self, area: str, after: str = "", limit: int | None = None) -> list:
        """Customers still served whose area is ``area``, by id (after ``after``)."""
        query = (
            select(CUSTOMERS.c.customer_id)
            .where(
                CUSTOMERS.c.area == area,
                CUSTOMERS.c.status.not_in(INACTIVE),
                CUSTOMERS.c.customer_id > after,
            )
            .order_by(CUSTOMERS.c.customer_id)
        )
        return list(self.session.scalars(query.limit(limit) if limit else query))

    def count_customers_in_area(self, area: str) -> int:
        query = select(func.count()).where(
            CUSTOMERS.c.area == area, CUSTOMERS.c.status.not_in(INACTIVE)
        )
        return self.run(query).scalar_one()

    def contacted_customers(self, reason: str, area: str, since: datetime) -> list[str]:
        """Customers with an inbound contact on ``reason`` from ``area`` since ``since``, by
        id."""
        query = (
            select(INTERACTIONS.c.customer_id)
            .where(
                INTERACTIONS.c.reason_code == reason,
                INTERACTIONS.c.area == area,
                INTERACTIONS.c.direction == "inbound",
                INTERACTIONS.c.started_at >= since,
                INTERACTIONS.c.customer_id.is_not(None),
            )
            .distinct()
            .order_by(INTERACTIONS.c.customer_id)
        )
        return list(self.session.scalars(query))

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

    def replace_rollups(self, day: date, requests, interactions, hours) -> None:
        """The day's rows (the requests' by day; a month's stay until ``replace_month``)."""
        daily = RequestRollup.__table__
        self.run(delete(daily).where(daily.c.day == day, daily.c.span == DAY))
        made = ((InteractionRollup, interactions), (ContactHour, hours))
        for model, _rows in made:
            table = model.__table__
            self.run(delete(table).where(table.c.day == day))
        for model, rows in ((RequestRollup, requests), *made):
            if rows:
                self.run(insert(model.__table__), rows)

    def days_of_month(self, month: date) -> list:
        table = RequestRollup.__table__
        following = _next_month(month)
        query = select(table).where(
            table.c.span == DAY,
            table.c.cuboid.not_in(DAYS_ONLY),
            table.c.day >= month,
            table.c.day < following,
        )
        return list(self.run(query).mappings())

    def replace_month(self, month: date, rows: list[dict]) -> None:
        table = RequestRollup.__table__
        self.run(delete(table).where(table.c.span == MONTH, table.c.day == month))
        if rows:
            self.run(insert(table), rows)

    def request_rollups(
        self, start: date, end: date, cuboid: str, conditions=(), months: bool = True
    ) -> list:
        """The cuboid's rows of the days [start, end): the months wholly inside by their month
        rows (unless not ``months``, or a cuboid kept by day only), the days around them by
        day."""
        table = RequestRollup.__table__
        first_month = start if start.day == 1 else _next_month(start)
        last_month = end.replace(day=1)
        mine = [table.c.cuboid == cuboid, *conditions]
        if not months or cuboid in DAYS_ONLY or first_month >= last_month:
            spans = table.c.span == DAY
            query = select(table).where(spans, table.c.day >= start, table.c.day < end, *mine)
            return list(self.run(query).mappings())
        by_day = (table.c.day >= start) & (table.c.day < first_month)
        by_day |= (table.c.day >= last_month) & (table.c.day < end)
        by_month = (table.c.day >= first_month) & (table.c.day < last_month)
        query = select(table).where(
            ((table.c.span == DAY) & by_day) | ((table.c.span == MONTH) & by_month), *mine
        )
        return list(self.run(query).mappings())

    def interaction_rollups(self, start: date, end: date) -> list:
        table = InteractionRollup.__table__
        query = select(table).where(table.c.day >= start, table.c.day < end)
        return list(self.run(query).mappings())

    def clear_all(self) -> None:
        derived = (RequestRollup, InteractionRollup, ContactHour, StaleDay)
        for model in (*derived, RequestFact, InteractionFact, CustomerArea):
            self.run(delete(model.__table__))

    def contact_hours(self, start: datetime, end: datetime) -> list:
        """(hour, reason, area, contacts) of the hours [start, end)."""
        table = ContactHour.__table__
        query = select(table.c.hour, table.c.reason_code, table.c.area, table.c.contacts).where(
            table.c.hour >= start, table.c.hour < end
        )
        return list(self.run(query))

    # -- calendars ------------------------------------------------------------------------

    def calendars(self) -> list[BusinessCalendar]:
        return list(self.session.scalars(select(BusinessCalendar)))


class ProblemRepository(Repository):
    def get(self, problem_id: str, for_update: bool = False) -> Problem | None:
        query = select(Problem).where(Problem.id == problem_id)
        return self.session.scalar(query.with_for_update() if for_update else query)

    def open_for(self, reason_code: str, area: str) -> Problem | None:
        query = select(Problem).where(
            Problem.status == OPEN, Problem.reason_code == reason_code, Problem.area == area
        )
        return self.session.scalar(query.order_by(Problem.opened_at).limit(1))

    def open_in_area(self, area: str) -> list[Problem]:
        query = select(Problem).where(Problem.status == OPEN, Problem.area == area)
        return list(self.session.scalars(query.order_by(Problem.opened_at)))

    def listed(self, status: str | None, offset: int, limit: int) -> tuple[list[Problem], int]:
        conditions = [Problem.status == status] if status else []
        total = self.session.scalar(select(func.count()).select_from(Problem).where(*conditions))
        query = select(Problem).where(*conditions).order_by(Problem.opened_at.desc(), Problem.id)
        return list(self.session.scalars(query.offset(offset).limit(limit))), total or 0

    def link(self, problem_id: str, entity_type: str, entity_id: str, customer_id) -> None:
        """Link the entity (once: a second link of the same one changes nothing)."""
        values = {
            "problem_id": problem_id,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "customer_id": customer_id,
            "linked_at": utcnow(),
        }
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(ProblemLink.__table__).values(**values)
        self.run(statement.on_conflict_do_nothing())

    def links(self, problem_id: str, entity_type: str | None = None) -> list[ProblemLink]:
        query = select(ProblemLink).where(ProblemLink.problem_id == problem_id)
        if entity_type:
            query = query.where(ProblemLink.entity_type == entity_type)
        return list(self.session.scalars(query.order_by(ProblemLink.id)))

    def link_counts(self, problem_ids: list[str]) -> dict[tuple[str, str], int]:
        if not problem_ids:
            return {}
        query = (
            select(ProblemLink.problem_id, ProblemLink.entity_type, func.count())
            .where(ProblemLink.problem_id.in_(problem_ids))
            .group_by(ProblemLink.problem_id, ProblemLink.entity_type)
        )
        return {(pid, kind): count for pid, kind, count in self.session.execute(query)}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
