"""The TMF hub of one API: ``POST /hub`` subscribes a listener to the API's events,
``GET``/``DELETE /hub/{id}`` read and remove the subscription.

Subscribing needs ``event:subscribe`` and the API's own read permission: events carry whole
resources, so a subscriber must be allowed to read them anyway. The answer is the spec's
EventSubscription (v4) or Hub (v5). An optional ``secret`` (an extension: not in the specs)
signs what the subscriber is sent; it is never shown again. A subscription is its creator's:
another caller gets 404 for it, except administrators (``user:admin``), who see them all.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Depends, Request

from parley.api.deps import RequestWork, commit_now
from parley.api.hrefs import base_url_of
from parley.api.json_response import JSONResponse
from parley.api.security import current_principal_of, require
from parley.api.tmf.kit.responses import check_storable, media_type_check, no_content
from parley.auth.permissions import EVENT_SUBSCRIBE, USER_ADMIN
from parley.auth.principal import Principal
from parley.events.models import EventSubscription
from parley.events.subscriptions import SubscriptionService
from parley.events.views import event_types_of

# (the subscriber, the query it sent) -> the query it is given: TMF688's hub narrows a
# subscription to the domains its subscriber may read (api/tmf/event/routes.py).
Narrowing = Callable[[Principal, Any], Any]


def hub_router(
    api: str, prefix: str, read_permission: str, version: int, narrow: Narrowing | None = None
) -> APIRouter:
    """``api``: the key the API's event views are registered under (parley.api.tmf.apis)."""
    router = APIRouter(prefix="/hub", tags=["events subscription"])
    access = [require(EVENT_SUBSCRIBE), require(read_permission)]

    def shown(subscription: EventSubscription, base_url: str) -> dict:
        body = {"id": subscription.id, "callback": subscription.callback}
        if subscription.query is not None:
            body["query"] = subscription.query
        if version >= 5:
            body["href"] = f"{base_url}{prefix}/hub/{subscription.id}"
            body["@type"] = "Hub"
        return body

    @router.post(
        "",
        status_code=201,
        summary="Subscribe a listener to this API's events: {callback, query}",
        dependencies=[*access, Depends(media_type_check(("application/json",)))],
    )
    def subscribe(request: Request, uow: RequestWork, body: dict[str, Any] = Body(...)):
        check_storable(body)
        query = body.get("query")
        if narrow is not None:
            query = narrow(current_principal_of(request), query)
        made = SubscriptionService(uow).subscribe(
            api, body.get("callback"), query, body.get("secret"), event_types_of(api)
        )
        answer = shown(made, base_url_of(request))
        commit_now(uow.session)
        location = f"{base_url_of(request)}{prefix}/hub/{made.id}"
        return JSONResponse(answer, status_code=201, headers={"Location": location})

    @router.get("/{id}", summary="A subscription to this API's events", dependencies=access)
    def get_subscription(id: str, uow: RequestWork, request: Request):
        found = SubscriptionService(uow).get(api, id, owner_id=_owner(request))
        return shown(found, base_url_of(request))

    @router.delete("/{id}", status_code=204, summary="Remove a subscription", dependencies=access)
    def unsubscribe(id: str, uow: RequestWork, request: Request):
        SubscriptionService(uow).unsubscribe(api, id, owner_id=_owner(request))
        commit_now(uow.session)
        return no_content()

    return router


def _owner(request: Request) -> str | None:
    """Whose subscriptions the caller sees: their own, or (administrators) everyone's."""
    principal = current_principal_of(request)
    return None if principal.has(USER_ADMIN) else principal.user_id
