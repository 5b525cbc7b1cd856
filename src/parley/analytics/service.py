"""The front door of Analyze & Report: keeping the facts and roll-ups (from the domain events,
in the event worker's transaction; the roll-ups by the workers' upkeep job) and rebuilding
them from history. Reading them is ``analysis.AnalyticsReader``'s.

A fact changes when its request or interaction does; the days it was and is counted on are
marked stale, and the upkeep job rolls those days up again from their facts. A reopened
request leaves its closing day (which is rolled up again without it) and counts again on the
day it is next closed. The days within the reopen window are re-marked by ``settle`` now and
then, so a roll-up missed for any reason is made good before the day is final.
"""

from datetime import date, timedelta

from parley.analytics import facts as f
from parley.analytics.calendars import DEFAULT_TEAM, Calendar
from parley.analytics.problems import Problems
from parley.analytics.repository import AnalyticsRepository
from parley.analytics.rollups import (
    ROLLED_UP,
    contact_hours,
    interaction_rollups,
    month_rollups,
    request_rollups,
)
from parley.changes import DELETE, UnitOfWork
from parley.db.base import utcnow
from parley.db.repository import Page
from parley.errors import NotFound
from parley.interactions.models import COMPLETED
from parley.interactions.service import InteractionService
from parley.parties.service import PartyService
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.options import RequestOptions
from parley.requests.presentation import present
from parley.requests.service import RequestService

REBUILD_PAGE = 500


class AnalyticsService:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = AnalyticsRepository(uow.session)
        self._calendars: dict[str, Calendar] | None = None
        self._customers: dict[str, tuple[str | None, str | None]] = {}

    # -- from the domain events -----------------------------------------------------------

    def on_request_event(self, event: dict) -> None:
        """A troubleTicket event: its fact made again from the request as it now is."""
        request_id = event["resourceId"]
        if event.get("kind") == DELETE:
            self.repo.mark_stale([self.repo.drop_request_fact(request_id)])
            return
        try:
            row = RequestService(self.uow).get(request_id)
        except NotFound:  # deleted since: its delete event drops the fact
            return
        self.record_request(self._ticket(row), self._context(row))

    def on_customer_event(self, event: dict) -> None:
        """A customer event: what analysis keeps of the customer made again (its person, status,
        segment, area)."""
        self.keep_customer(event["resourceId"])

    def on_party_event(self, event: dict) -> None:
        """An individual's or organisation's event: its customer accounts' areas may follow
        the party's address."""
        if event.get("kind") == DELETE:
            return
        for customer_id in PartyService(self.uow).customer_ids_of_party(event["resourceId"]):
            self.keep_customer(customer_id)

    def on_interaction_event(self, event: dict) -> None:
        interaction_id = event["resourceId"]
        try:
            row = (
                None
                if event.get("kind") == DELETE
                else InteractionService(self.uow).get(interaction_id)
            )
        except NotFound:
            row = None
        if row is None or row.status != COMPLETED:
            self.repo.mark_stale([self.repo.drop_interaction_fact(interaction_id)])
            return
        self.record_interaction(row)

    # -- facts ----------------------------------------------------------------------------

    def record_request(self, ticket: dict, context: f.RequestContext) -> dict:
        """Keep the fact of ``ticket`` (a request as TMF621 serves it); the fact."""
        fact = f.request_fact(ticket, context, self.calendar)
        before = self.repo.save_request_fact(fact)
        self.repo.mark_stale([before, fact["closed_day"]])
        Problems(self.uow).link_request(fact)
        return fact

    def record_interaction(self, row) -> dict:
        segment, area = self._customer(row.customer_id)
        fact = f.interaction_fact(row, segment, area)
        before = self.repo.save_interaction_fact(fact)
        self.repo.mark_stale([before, fact["day"]])
        Problems(self.uow).link_contact(fact)
        return fact

    def calendar(self, team: str | None) -> Calendar:
        if self._calendars is None:
            self._calendars = {
                row.team: Calendar.from_row(row.time_zone, row.hours, row.holidays)
                for row in self.repo.calendars()
            }
        found = self._calendars.get(team or DEFAULT_TEAM) or self._calendars.get(DEFAULT_TEAM)
        return found or Calendar("UTC", {})

    # -- roll-ups -------------------------------------------------------------------------

    def roll_up(self, limit: int = 31) -> int:
        """Roll up (again) up to ``limit`` stale days from their facts; how many."""
        days = self.repo.claim_stale(limit)
        for day in days:
            self.roll_up_day(day)
        for month in sorted({day.replace(day=1) for day in days}):
            self.repo.replace_month(month, month_rollups(month, self.repo.days_of_month(month)))
        return len(days)

    def roll_up_day(self, day: date) -> None:
        requests = request_rollups(day, self.repo.closed_on(day, ROLLED_UP))
        contacts = self.repo.interactions_on(day)
        hours = contact_hours(day, contacts)
        self.repo.replace_rollups(day, requests, interaction_rollups(day, contacts), hours)

    def settle(self) -> None:
        """Mark the days a reopen may still change (the reopen window) to be rolled up again."""
        today = utcnow().date()
        window = self.uow.options(RequestOptions).reopen_days
        self.repo.mark_stale(today - timedelta(days=back) for back in range(window + 1))

    # -- rebuilding from history ----------------------------------------------------------

    def rebuild(self) -> tuple[int, int]:
        """Every fact and roll-up made again from the requests and interactions; the number
        of request and interaction facts."""
        self.repo.clear_all()
        requests = RequestService(self.uow)
        interactions = InteractionService(self.uow)
        for row in _every(PartyService(self.uow).find_customers):
            self.keep_customer(row.id)
        made = sum(self._keep_request(row) for row in _every(requests.find))
        contacts = sum(self._keep_interaction(row) for row in _every(interactions.find))
        while self.roll_up(limit=1000):
            pass
        return made, contacts

    def _keep_request(self, row) -> int:
        self.record_request(self._ticket(row), self._context(row))
        return 1

    def _keep_interaction(self, row) -> int:
        if row.status != COMPLETED:
            return 0
        self.record_interaction(row)
        return 1

    # -- what other domains tell of a request ---------------------------------------------

    def _ticket(self, row) -> dict:
        service = RequestService(self.uow)
        ticket = {**present(row, service.history(row.id)), "id": row.id}
        if row.customer_id is None:  # another system's customer is none of Parley's
            related = ticket.get("relatedParty") or []
            ticket["relatedParty"] = [r for r in related if not f.is_customer_ref(r)]
        return ticket

    def _context(self, row) -> f.RequestContext:
        request_type = RequestTypeCatalogue(self.uow).get(row.type_id)
        channel = reason = None
        if row.interaction_id:
            try:
                opening = InteractionService(self.uow).get(row.interaction_id)
                channel, reason = (opening.channel or "").lower() or None, opening.reason_code
            except NotFound:
                pass
        segment, area = self._customer(row.customer_id)
        tasks = tuple(RequestService(self.uow).status(row.id).get("tasks") or ())
        return f.RequestContext(
            request_type.category, channel, reason, segment, area, tasks, request_type.code
        )

    def customer_area(self, customer_id: str) -> str | None:
        return self._customer(customer_id)[1]

    def problems_near(self, customer_id: str) -> list:
        """The open problems in the customer's area (for the customer 360's banner)."""
        return Problems(self.uow).in_area(self.customer_area(customer_id))

    def _customer(self, customer_id: str | None) -> tuple[str | None, str | None]:
        if not customer_id:
            return None, None
        if customer_id not in self._customers:
            self.keep_customer(customer_id)
        return self._customers[customer_id]

    def keep_customer(self, customer_id: str) -> None:
        """Keep what analysis knows of the customer as the parties domain has it now (or
        forget a customer no longer on record)."""
        parties = PartyService(self.uow)
        try:
            customer = parties.get_customer(customer_id)
            media = parties.contact_media_of_customer(customer_id)
        except NotFound:
            self._customers[customer_id] = (None, None)
            self.repo.drop_customer(customer_id)
            return
        segment, area = f.customer_segment(customer.document), f.customer_area(media)
        self._customers[customer_id] = (segment, area)
        self.repo.save_customer(
            {
                "customer_id": customer_id,
                "party_id": customer.party_id,
                "status": customer.status,
                "segment": segment,
                "area": area,
            }
        )


def _every(find):
    """Every row a domain's ``find(page)`` lists, a page at a time (newest first: a row
    added meanwhile may shift one into a page read already, and is kept by its event)."""
    offset = 0
    while batch := find(Page({}, offset, REBUILD_PAGE))[0]:
        yield from batch
        offset += len(batch)
