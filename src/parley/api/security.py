"""Who may call what. Every route declares its access with one of three markers:

- ``require(permission)``: a valid Bearer access token whose roles grant ``permission``;
- ``authenticated()``: any valid Bearer access token (e.g. "who am I");
- ``public()``: no token (health, the token endpoint itself).

Use them as route dependencies, ``@router.get(..., dependencies=[require(CUSTOMER_READ)])``, or
as a parameter to get the caller, ``principal: Principal = require(CUSTOMER_READ)``. A missing
or invalid token is answered 401 with ``WWW-Authenticate: Bearer``, a missing permission 403,
both in the TMF error shape. ``route_access(app)`` reads the declaration back from every route,
so a test can list them and fail on a route that declares nothing (``undeclared_routes``).
"""

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Security
from fastapi import routing as fastapi_routing
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute, Mount, Route

from parley.api.deps import UnitOfWork, get_settings_dep
from parley.api.tmf.kit.errors import error_response
from parley.auth.permissions import ALL_PERMISSIONS, CATALOGUE
from parley.auth.principal import Principal
from parley.auth.principal_cache import PRINCIPALS
from parley.auth.service import AuthService
from parley.changes import UnitOfWork as Work
from parley.db.base import utcnow
from parley.errors import Forbidden, Unauthorized
from parley.settings import Settings

TOKEN_URL = "/oauth/token"
# auto_error=False: a missing token is answered by us, in the TMF error shape.
oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL, auto_error=False, scopes=CATALOGUE, scheme_name="OAuth2"
)


class TokenMissing(Unauthorized):
    """No Bearer token at all (RFC 6750: the challenge then carries no error code)."""


async def current_principal(
    request: Request,
    token: str | None = Depends(oauth2_scheme),
    session: Session = UnitOfWork,
    settings: Settings = Depends(get_settings_dep),
) -> Principal:
    return await _principal(request, token, settings, partial(_look_up, session, settings))


# The caller, for a route that declares its permission among its dependencies (checked first):
# ``principal: Caller``.
Caller = Annotated[Principal, Depends(current_principal)]


async def _principal(request: Request, token: str | None, settings: Settings, look_up) -> Principal:
    if not token:
        raise TokenMissing(f"this needs a Bearer access token: log in at {TOKEN_URL}")
    known = getattr(request.state, "principal", None)
    if known is not None and getattr(request.state, "principal_token", None) == token:
        return known
    principal = PRINCIPALS.get(token, settings.principal_cache_seconds)
    if principal is None:
        principal = await _single_look_up(request, token, look_up)
    elif principal.token_expires_at is not None and principal.token_expires_at <= utcnow():
        raise Unauthorized("the access token has expired; get a new one")
    request.state.principal, request.state.principal_token = principal, token
    return principal


async def _single_look_up(request: Request, token: str, look_up) -> Principal:
    """One look-up per token at a time: a client's concurrent requests (its entry just expired)
    wait for the one in flight instead of each querying the database."""
    in_flight: dict[str, asyncio.Future] = request.app.state.principal_look_ups
    pending = in_flight.get(token)
    if pending is None or pending.get_loop() is not asyncio.get_running_loop():
        # Verification is CPU, the look-up I/O: both in the thread pool, off the event loop.
        pending = asyncio.ensure_future(look_up(token))
        in_flight[token] = pending
        pending.add_done_callback(lambda _: _forget(in_flight, token, pending))
    principal = await asyncio.shield(pending)
    PRINCIPALS.put(token, principal)
    return principal


def _forget(in_flight: dict, token: str, done: asyncio.Future) -> None:
    if in_flight.get(token) is done:
        del in_flight[token]


async def _look_up(session: Session, settings: Settings, token: str) -> Principal:
    service = AuthService(Work(session, settings))  # a read: no actor
    return await run_in_threadpool(service.principal_from_token, token)


async def authorize(request: Request, permission: str) -> Principal:
    """``require(permission)`` for a route served without dependency injection
    (``api/tmf/interaction/fast_log.py``): the same token rules, cache and answers."""
    settings: Settings = request.app.state.settings

    async def look_up(token: str) -> Principal:
        def in_own_session() -> Principal:
            with request.app.state.sessionmaker() as session:
                return AuthService(Work(session, settings)).principal_from_token(token)

        async with request.app.state.db_slots:  # as the unit of work would hold one
            return await run_in_threadpool(in_own_session)

    principal = await _principal(request, await oauth2_scheme(request), settings, look_up)
    _check_permission(principal, permission)
    return principal


def _check_permission(principal: Principal, permission: str) -> None:
    if not principal.has(permission):
        raise Forbidden(
            f"this needs the permission {permission}, which the roles of "
            f"{principal.username} ({', '.join(principal.roles) or 'none'}) don't grant"
        )


def current_principal_of(request: Request) -> Principal:
    """The principal a permission marker of this request has already established."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise TokenMissing(f"this needs a Bearer access token: log in at {TOKEN_URL}")
    return principal


class _Access:
    """Base of the markers; ``route_access`` finds instances of it in a route's dependencies."""

    permission: str | None = None
    needs_token = True


class _Permission(_Access):
    def __init__(self, permission: str):
        self.permission = permission

    # The markers are async (no I/O: the principal is established by current_principal).
    async def __call__(self, principal: Principal = Depends(current_principal)) -> Principal:
        _check_permission(principal, self.permission)
        return principal

    def __repr__(self) -> str:
        return f"require({self.permission!r})"


class _AnyPermission(_Access):
    def __init__(self, permissions: tuple[str, ...]):
        self.permissions = permissions

    async def __call__(self, principal: Principal = Depends(current_principal)) -> Principal:
        if not any(principal.has(p) for p in self.permissions):
            _check_permission(principal, " or ".join(self.permissions))
        return principal

    def __repr__(self) -> str:
        return f"require_any{self.permissions!r}"


class _Authenticated(_Access):
    async def __call__(self, principal: Principal = Depends(current_principal)) -> Principal:
        return principal

    def __repr__(self) -> str:
        return "authenticated()"


class _Public(_Access):
    needs_token = False

    async def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "public()"


def require(permission: str):
    """Depend on this: the caller must hold ``permission`` (one of the catalogue's)."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"{permission!r} is not in the permission catalogue (auth/permissions)")
    return Security(_Permission(permission), scopes=[permission])


def require_any(*permissions: str):
    """Depend on this: the caller must hold one of ``permissions``."""
    unknown = [p for p in permissions if p not in ALL_PERMISSIONS]
    if unknown:
        raise ValueError(f"{unknown!r}: not in the permission catalogue (auth/permissions)")
    return Security(_AnyPermission(permissions), scopes=list(permissions))


def authenticated():
    """Depend on this: any logged-in caller, whatever their permissions."""
    return Security(_Authenticated())


def public():
    """Depend on this: no token needed. Declared, so that it is a choice, not an omission."""
    return Depends(_Public())


@dataclass(frozen=True)
class RouteAccess:
    path: str
    methods: tuple[str, ...]
    name: str
    permissions: frozenset[str]  # all of them are needed
    needs_token: bool
    public: bool

    @property
    def declared(self) -> bool:
        return self.public != self.needs_token  # exactly one of the two


def route_access(app: FastAPI) -> list[RouteAccess]:
    """The declared access of every route of ``app``, FastAPI's own docs routes as public."""
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    found = []
    for route, original in flat_routes(app):
        dependant = getattr(route, "dependant", None) if isinstance(original, APIRoute) else None
        markers = access_markers(dependant) if dependant is not None else []
        builtin_docs = isinstance(original, Route) and route.path in docs
        # A mounted web application (the console) takes no tokens: its pages declare their
        # access with markers of their own (web/access.py), checked by its tests.
        own_access = isinstance(original, Mount) and getattr(
            original.app, "declares_own_access", False
        )
        found.append(
            RouteAccess(
                path=_path(route, original),
                methods=tuple(sorted(getattr(route, "methods", None) or ("*",))),
                name=getattr(route, "name", "") or "",
                permissions=frozenset(m.permission for m in markers if m.permission),
                needs_token=any(m.needs_token for m in markers),
                public=builtin_docs or own_access or any(not m.needs_token for m in markers),
            )
        )
    return found


def flat_routes(app: FastAPI) -> list[tuple[object, BaseRoute]]:
    """(route as served, route as declared) for every route, included routers flattened.

    FastAPI >= 0.16x keeps included routers whole and resolves prefixes and router-level
    dependencies in route contexts; older versions copied every route into ``app.routes``.
    """
    contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    if contexts is None:
        return [(route, route) for route in app.routes]
    return [(context, context.original_route) for context in contexts(app.routes)]


def undeclared_routes(app: FastAPI) -> list[RouteAccess]:
    """Routes that declare no access, or both public and a token: each one is a mistake."""
    return [access for access in route_access(app) if not access.declared]


def access_markers(dependant) -> list[_Access]:
    found = [dependant.call] if isinstance(dependant.call, _Access) else []
    for sub in dependant.dependencies:
        found += access_markers(sub)
    return found


def _path(route, original: BaseRoute) -> str:
    path = getattr(route, "path", None) or "?"
    return f"{path}/*" if isinstance(original, Mount) else path


def install_security(app: FastAPI, settings: Settings) -> None:
    """The auth routes, the 401 answer with its challenge, and each permission in /docs."""
    from parley.api.auth.routes import install_oauth_errors, router  # they import this module

    @app.exception_handler(Unauthorized)
    def _unauthorized(_: Request, exc: Unauthorized):
        challenge = 'Bearer realm="parley"'
        if not isinstance(exc, TokenMissing):
            challenge += ', error="invalid_token"'
        headers = {"WWW-Authenticate": challenge}
        return error_response(exc.status, exc.code, exc.reason, exc.message, headers)

    install_oauth_errors(app)
    app.include_router(router(settings))
    _document_access(app)


def _document_access(app: FastAPI) -> None:
    """Say in each operation of /docs which permission it needs (``x-parley-permission``)."""
    generate = app.openapi

    def openapi() -> dict:
        if getattr(app.state, "access_documented", False):
            return app.openapi_schema
        document = generate()
        for access in route_access(app):
            for method in access.methods:
                operation = document.get("paths", {}).get(access.path, {}).get(method.lower())
                if operation is None:
                    continue
                needed = sorted(access.permissions) or (["(any)"] if access.needs_token else [])
                operation["x-parley-permission"] = needed or ["(public)"]
                note = ", ".join(f"`{p}`" for p in needed) if needed else "none (public)"
                operation["description"] = (
                    f"{operation.get('description', '')}\n\n**Permission:** {note}".strip()
                )
        app.state.access_documented = True
        return document

    app.openapi = openapi


# For access markers made beside this module (api/callbacks.py: a token or a signature).
AccessMarker = _Access
check_permission = _check_permission
