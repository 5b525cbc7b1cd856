"""Hub subscriptions: registering a listener for an API's events, and removing it. Audited.

A subscription's callback and query are checked when it is made (a bad one is a 400 to the
subscriber, not a dead letter later): the callback by the outbound destination policy
(parley.outbound: no internal address unless PARLEY_OUTBOUND_ALLOW names it). Its secret, if
given, signs what it is sent. A subscription belongs to the user who made it: others neither
read nor remove it, except administrators.
"""

from parley.changes import UnitOfWork
from parley.changes.recorder import CREATE, DELETE
from parley.db.base import new_id, storable_id, utcnow
from parley.errors import InvalidInput, NotFound
from parley.events.models import MAX_CALLBACK_LENGTH, EventSubscription
from parley.events.options import HubOptions
from parley.events.query import parse_query
from parley.events.repository import SubscriptionRepository
from parley.outbound.policy import OutboundPolicy, Refused

RESOURCE = "eventSubscription"
MIN_SECRET_LENGTH, MAX_SECRET_LENGTH = 16, 200


class SubscriptionService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = SubscriptionRepository(uow.session)

    def subscribe(
        self,
        api: str,
        callback,
        query=None,
        secret=None,
        event_types: set[str] | None = None,
    ) -> EventSubscription:
        """``event_types``: what the API sends, to refuse a query naming another type."""
        if not isinstance(callback, str) or len(callback) > MAX_CALLBACK_LENGTH:
            raise InvalidInput(
                f"callback: an http(s) URL of at most {MAX_CALLBACK_LENGTH} characters",
                "callback",
            )
        try:
            OutboundPolicy.of(self.uow.options(HubOptions).outbound_allow).check_url(callback)
        except Refused as refused:
            raise InvalidInput(f"callback: {refused.reason}", "callback") from None
        if query is not None and not isinstance(query, str):
            raise InvalidInput("query: a string such as eventType=...", "query")
        parse_query(query, event_types)
        if secret is not None and (
            not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH
        ):
            raise InvalidInput(
                f"secret: {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters", "secret"
            )
        writer = self.uow.writer()
        subscription = EventSubscription(
            id=new_id(),
            api=api,
            callback=callback,
            query=query.strip() if query and query.strip() else None,
            secret=secret,
            created_by=writer.name[:150],
            owner_id=writer.user_id,
            created_at=utcnow(),
        )
        self.repo.add(subscription)
        self.uow.record(RESOURCE, CREATE, subscription.id, after=_audited(subscription))
        return subscription

    def get(self, api: str, subscription_id: str, *, owner_id: str | None) -> EventSubscription:
        """``owner_id``: the caller, who sees only what they subscribed (another's is not
        found); None: an administrator, who sees every subscription."""
        found = None
        if storable_id(subscription_id, 36):
            found = self.repo.get(api, subscription_id, owner_id)
        if found is None:
            raise NotFound(f"No hub subscription with id {subscription_id}")
        return found

    def unsubscribe(self, api: str, subscription_id: str, *, owner_id: str | None) -> None:
        found = self.get(api, subscription_id, owner_id=owner_id)
        self.uow.record(RESOURCE, DELETE, found.id, before=_audited(found))
        self.repo.delete(found)


def _audited(subscription: EventSubscription) -> dict:
    # Never the secret itself (auth.audit: secrets are recorded as set, not as values).
    return {
        "api": subscription.api,
        "callback": subscription.callback,
        "query": subscription.query,
        "secret": "set" if subscription.secret else None,
    }
