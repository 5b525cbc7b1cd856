"""The queries of up-selling: rules (a small table, read whole), a customer's offers (by the
customer's index, newest first) and acceptance over a period (from the presentation index)."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from parley.analytics.upsell.models import EXPIRED, PENDING, UpsellOffer, UpsellRule
from parley.db.repository import Repository

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
