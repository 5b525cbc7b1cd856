"""Every query of the events domain."""

from collections.abc import Iterable

from sqlalchemy import select

from parley.db.repository import Repository
from parley.events.models import EventSubscription


class SubscriptionRepository(Repository):
    def get(self, api: str, subscription_id: str) -> EventSubscription | None:
        query = select(EventSubscription).where(
            EventSubscription.id == subscription_id, EventSubscription.api == api
        )
        return self.session.scalar(query)

    def of_apis(self, apis: Iterable[str]) -> list[EventSubscription]:
        query = select(EventSubscription).where(EventSubscription.api.in_(list(apis)))
        return list(self.session.scalars(query.order_by(EventSubscription.created_at)))
