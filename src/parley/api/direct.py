"""Routes served without FastAPI resolving their dependencies on every request.

FastAPI solves a route's dependency graph per request. On the busiest write, logging an
interaction, that solving cost more CPU than the work it wrapped (docs/benchmarks.md,
"Interactions"). A ``DirectRoute`` is declared like any other route: its endpoint's signature
and dependencies are what /docs and ``route_access`` read. It is served by the handler attached
to that endpoint, which takes the same steps in plain calls: ``authorize``, read the body, then
one unit of work in the thread pool.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from contextvars import copy_context
from functools import partial
from typing import TypeVar

from anyio import CancelScope
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from parley.api.deps import end_unit_of_work
from parley.api.tmf.kit.errors import TMFError

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]


class DirectRoute(APIRoute):
    """Documented from its endpoint, served by the endpoint's ``direct_handler``."""

    def get_route_handler(self) -> Handler:
        return self.endpoint.direct_handler


def served_by(handler: Handler):
    """Decorate the documenting endpoint of a ``DirectRoute`` with the handler that serves it."""

    def attach(endpoint):
        endpoint.direct_handler = handler
        return endpoint

    return attach


async def json_object(request: Request) -> dict:
    """The body as a JSON object, or the 400 FastAPI's own body parsing would answer."""
    raw = await request.body()
    if not raw.strip():
        raise TMFError(400, "request body is required (a JSON object)", "INVALID_INPUT")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        problem = error.msg
    except ValueError:  # not UTF-8 (or -16/-32) text
        problem = "not UTF-8 text"
    else:
        if not isinstance(value, dict):
            raise TMFError(400, "request body must be a JSON object", "INVALID_INPUT")
        return value
    raise TMFError(400, f"request body is not valid JSON ({problem})", "INVALID_INPUT")


async def in_unit_of_work(request: Request, work: Callable[[Session], T]) -> T:
    """``work`` in a session of its own in the thread pool: committed when it returns (before
    the answer is sent), rolled back when it raises. At most as many at once as the pool has
    connections, as for ``UnitOfWork``."""
    state = request.app.state
    async with state.db_slots:
        loop = asyncio.get_running_loop()
        call = partial(copy_context().run, _run, state.sessionmaker, work)
        future = loop.run_in_executor(state.db_threads, call)
        # Shielded: once started, the work ends (and its connection goes back) before we do.
        with CancelScope(shield=True):
            return await future


def _run(sessions: sessionmaker, work: Callable[[Session], T]) -> T:
    session = sessions()
    try:
        result = work(session)
    except BaseException:
        end_unit_of_work(session, commit=False)
        raise
    end_unit_of_work(session, commit=True)
    return result
