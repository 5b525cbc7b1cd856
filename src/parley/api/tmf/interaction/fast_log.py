"""The one route served without FastAPI's dependency injection: logging an interaction,
``POST .../partyInteraction`` of TMF683 v5 and v4.

It is Parley's busiest write, and solving the create's dependencies per request (the
permission with the principal, the media type, the body, the unit of work) cost about a third
more CPU per logged interaction than taking the same steps in plain calls (docs/benchmarks.md,
"Interactions", 2026-12-07: 2.05 against 1.58 CPU ms per request under load), where the rate
had 0.53-0.62 of the raw insert's against a target of 0.5. So the route is declared like every
create (``crud_router``: its endpoint and dependencies are what /docs and ``route_access``
read, and that endpoint is the dependency path), and ``log_interaction`` serves it: the same
steps in the same order through the same functions (``require``'s rules, the media type, the
body, the request's unit of work), then the declared endpoint itself (the domain call).
Router-level dependencies and ``dependency_overrides`` do not apply to this one route.
"""

from contextlib import asynccontextmanager

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from parley.api.deps import get_session, get_work
from parley.api.security import authorize
from parley.api.tmf.kit.crud import CREATE_MEDIA_TYPES, Resource
from parley.api.tmf.kit.responses import json_object, media_type_check

request_session = asynccontextmanager(get_session)  # the unit of work's session, as injected


def fast_log_route(resource: Resource) -> type[APIRoute]:
    """The route class of the interaction create of ``resource`` (v5 or v4)."""
    media_check = media_type_check(CREATE_MEDIA_TYPES)

    class LogInteractionRoute(APIRoute):
        def get_route_handler(self):
            create_item = self.endpoint  # the kit's create: the dependency path's endpoint

            async def log_interaction(request: Request) -> Response:
                await authorize(request, resource.write_permission)  # first: see crud_router
                await media_check(request)
                body = await json_object(request)
                async with request_session(request) as session:
                    uow = await get_work(request, session)
                    fields = request.query_params.get("fields")
                    return await create_item(request, uow, body, fields)

            return log_interaction

    return LogInteractionRoute
