"""The queries of up-selling: rules (a small table, read whole), a customer's offers (by the
customer's index, newest first) and acceptance over a period (from the presentation index)."""

from datetime import UTC, date, datetime, time

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from parley.analytics.upsell.models import (
    EXPIRED,
    PENDING,
    UpsellAcceptanceDay,
    UpsellAcceptanceSettled,
    UpsellOffer,
    UpsellRule,
)
from parley.db.repository import Repository

DAY = UpsellAcceptanceDay
BUCKETS = ("shown", "accepted", "refused", "later", "unanswered")

# The offers of a customer the gates read: enough for any period and suppression.
OFFERS_READ = 50


class UpsellRepository(Repository):
    # -- rules -----------------------------------------------------------------------------

    def rules(self, active_only: bool = False) -> list[UpsellRule]:
        query = select(UpsellRule).order_by(UpsellRule.code)
        if active_only:
            query = query.where(UpsellRule.active.is_(True))
        return list(self.session.scalars(query))

    def rule(self, rule_id: str) -> UpsellRule | None:
        return self.session.get(UpsellRule, rule_id)

    def rule_by_code(self, code: str) -> UpsellRule | None:
        return self.session.scalar(select(UpsellRule).where(UpsellRule.code == code))

    # -- offers ----------------------------------------------------------------------------

    def offer(self, offer_id: str, for_update: bool = False) -> UpsellOffer | None:
        return self.one(UpsellOffer, offer_id, for_update=for_update)

    def offers_of(self, customer_id: str, offset: int = 0, limit: int = OFFERS_READ):
        """The customer's offers, newest first."""
        query = (
            select(UpsellOffer)
            .where(UpsellOffer.customer_id == customer_id)
            .order_by(UpsellOffer.presented_at.desc(), UpsellOffer.id.desc())
        )
        return list(self.session.scalars(query.offset(offset).limit(limit)))

    def count_offers_of(self, customer_id: str) -> int:
        query = select(func.count()).where(UpsellOffer.customer_id == customer_id)
        return self.session.scalar(query) or 0

    def expire_pending(self, customer_id: str) -> list[str]:
        """Offers of the customer still waiting for an answer from before the period: they
        were never answered. Their ids."""
        pending = UpsellOffer.customer_id == customer_id, UpsellOffer.status.in_(PENDING)
        ids = list(self.session.scalars(select(UpsellOffer.id).where(*pending)))
        if ids:
            self.session.execute(
                update(UpsellOffer).where(UpsellOffer.id.in_(ids)).values(status=EXPIRED)
            )
        return ids

    def add_pending(self, offer: UpsellOffer) -> bool:
        """Store a new offer; False when another agent's view stored one for the customer at
        the same moment (one pending offer per customer), which then stands."""
        try:
            with self.session.begin_nested():
                self.session.add(offer)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def pending_of(self, customer_id: str) -> UpsellOffer | None:
        query = select(UpsellOffer).where(
            UpsellOffer.customer_id == customer_id, UpsellOffer.status.in_(PENDING)
        )
        return self.session.scalar(query)

    def acceptance_counts(self, start: datetime, end: datetime) -> list:
        """(rule code, offering id, status, offers) of the offers presented in [start, end)."""
        columns = (UpsellOffer.rule_code, UpsellOffer.offering_id, UpsellOffer.status)
        query = (
            select(*columns, func.count())
            .where(UpsellOffer.presented_at >= start, UpsellOffer.presented_at < end)
            .group_by(*columns)
        )
        return list(self.session.execute(query))

    def offering_name(self, offering_id: str, start: datetime, end: datetime) -> str | None:
        """The name an offering had when offered in [start, end) (one gone from the catalogue)."""
        query = select(func.max(UpsellOffer.offering_name)).where(
            UpsellOffer.presented_at >= start,
            UpsellOffer.presented_at < end,
            UpsellOffer.offering_id == offering_id,
        )
        return self.session.scalar(query)

    # -- acceptance by settled day -----------------------------------------------------------

    def settled_until(self, for_update: bool = False) -> date | None:
        """The day after the last one rolled up (None: none yet); ``for_update`` holds it
        for the caller's transaction (workers rolling up at once take turns)."""
        query = select(UpsellAcceptanceSettled.through).where(UpsellAcceptanceSettled.id == 1)
        return self.session.scalar(query.with_for_update() if for_update else query)

    def settle(self, rows: list[dict], through: date, known: date | None) -> None:
        """Store a run's rolled-up days and how far they go now."""
        if rows:
            self.session.execute(insert(DAY), rows)
        if known is None:
            self.session.add(UpsellAcceptanceSettled(id=1, through=through))
            self.session.flush()
        else:
            mark = update(UpsellAcceptanceSettled).where(UpsellAcceptanceSettled.id == 1)
            self.session.execute(mark.values(through=through))

    def first_offer_day(self) -> date | None:
        first = self.session.scalar(select(func.min(UpsellOffer.presented_at)))
        return first.date() if first is not None else None

    def settled_counts(self, start: date, end: date) -> list:
        """(rule code, offering id, shown, accepted, refused, later, unanswered) summed over
        the rolled-up days in [start, end)."""
        sums = (func.sum(getattr(DAY, bucket)) for bucket in BUCKETS)
        query = (
            select(DAY.rule_code, DAY.offering_id, *sums)
            .where(DAY.day >= start, DAY.day < end)
            .group_by(DAY.rule_code, DAY.offering_id)
        )
        return list(self.session.execute(query))

    def shift_settled(self, day: date, rule_code: str, offering_id: str, old: str, new: str):
        """Move one offer of a rolled-up day from bucket ``old`` to ``new`` (an answer given
        after its day was rolled up: only when the period was made longer meanwhile)."""
        key = DAY.day == day, DAY.rule_code == rule_code, DAY.offering_id == offering_id
        changes = {old: getattr(DAY, old) - 1, new: getattr(DAY, new) + 1}
        self.session.execute(update(DAY).where(*key).values(changes))

    def is_settled(self, day: date, rule_code: str, offering_id: str) -> bool:
        key = DAY.day == day, DAY.rule_code == rule_code, DAY.offering_id == offering_id
        return self.session.scalar(select(DAY.day).where(*key)) is not None


def moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
