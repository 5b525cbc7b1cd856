"""Every query of the events domain."""

from collections.abc import Iterable

from sqlalchemy import select

from parley.db.repository import Repository
from parley.events.models import EventSubscription


class SubscriptionRepository(Repository):
    def get(self, api: str, subscription_id: str, owner_id: str | None) -> EventSubscription | None:
        """The subscription if ``owner_id`` owns it; ``owner_id`` None: whoever owns it."""
        query = select(EventSubscription).where(
            EventSubscription.id == subscription_id, EventSubscription.api == api
        )
        if owner_id is not None:
            query = query.where(EventSubscription.owner_id == owner_id)
        return self.session.scalar(query)

    def of_apis(self, apis: Iterable[str]) -> list[EventSubscription]:
        query = select(EventSubscription).where(EventSubscription.api.in_(list(apis)))
        return list(self.session.scalars(query.order_by(EventSubscription.created_at)))
