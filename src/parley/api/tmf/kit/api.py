"""One TMF API as Parley serves it: its collections, its event hub, and how its events look.

Each API module describes itself with a ``TMFApi``; the app mounts ``router(settings)`` and the
event fan-out loads ``event_views(settings)`` (parley.api.tmf.apis), so the paths, the hub
and the events of an API come from one description.
"""

from dataclasses import dataclass

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import crud_router
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import Spec
from parley.api.tmf.kit.unserved import unserved_router
from parley.events.views import EventView
from parley.settings import Settings


@dataclass(frozen=True)
class TMFApi:
    code: str  # e.g. "TMF629": the key of its hub's subscriptions and of its event views
    version: int  # 4 or 5: the shapes of its hub and event envelopes
    prefix_setting: str  # the setting holding its path prefix, e.g. "customer_api_prefix"
    spec: Spec  # shown in /docs
    resources: tuple[Resource, ...]
    # What a subscriber to its hub must be allowed to read: events carry whole resources.
    hub_permission: str
    # Collections the spec defines that Parley does not serve: each operation on them is
    # answered 501 (a documented "not served", never a 404 that looks like a wrong URL).
    unserved: tuple[str, ...] = ()

    def prefix(self, settings: Settings) -> str:
        return getattr(settings, self.prefix_setting)

    def router(self, settings: Settings) -> APIRouter:
        prefix = self.prefix(settings)
        api = APIRouter(prefix=prefix)
        for resource in self.resources:
            api.include_router(crud_router(resource, prefix))
        api.include_router(hub_router(self.code, prefix, self.hub_permission, self.version))
        for name in self.unserved:
            api.include_router(unserved_router(self.code, name, self.hub_permission))
        return api

    def event_views(self, settings: Settings) -> list[EventView]:
        base = f"{settings.base_url}{self.prefix(settings)}"
        return [
            EventView(
                self.code,
                resource.events.emitted_as or resource.name,
                resource.name,
                resource.type_name,
                resource.events.render,
                f"{base}/{resource.name}",
                self.version,
                resource.events.state_change,
            )
            for resource in self.resources
        ]
