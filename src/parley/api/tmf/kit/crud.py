"""A TMF resource collection: list, create, retrieve, merge-patch, delete.

Each API module describes its resource with a ``Resource`` (schemas and service calls) and gets
the five operations with the TMF conventions applied the same way everywhere.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from parley.api.deps import RequestWork, commit_now
from parley.api.security import require
from parley.api.tmf.kit.errors import TMFError
from parley.api.tmf.kit.openapi import body_docs
from parley.api.tmf.kit.query import parse_fields, parse_list_query, select_fields
from parley.api.tmf.kit.responses import (
    PATCH_MEDIA_TYPES,
    JSONObject,
    check_storable,
    created,
    list_response,
    media_type_check,
    merge_patch,
    no_content,
)
from parley.api.tmf.kit.spec import Spec, SpecViolation
from parley.auth.principal import Principal
from parley.changes import UnitOfWork
from parley.errors import NotFound

FIELDS_QUERY = Query(
    None, description="Comma-separated attributes to return (id, href and @type always)"
)


@dataclass
class Resource:
    name: str  # path segment and TMF resource name, e.g. "individual"
    type_name: str  # "@type", e.g. "Individual"
    spec: Spec
    create_schema: str  # e.g. "Individual_FVO"
    patch_schema: str  # e.g. "Individual_MVO"
    filterable: set[str]
    read_permission: str
    write_permission: str
    # Every operation takes the request's unit of work (its actor is who writes are recorded
    # for). Ids of the rows a principal may see, or None for all: a customer sees its own.
    visible_ids: Callable[[UnitOfWork, Principal], list[str] | None]
    get: Callable[[UnitOfWork, str], Any]
    list: Callable[[UnitOfWork, dict, int, int, list[str] | None], tuple[list, int]]
    create: Callable[[UnitOfWork, dict], Any]
    # None: no PATCH route (the method is then answered 405 in the TMF error shape).
    replace: Callable[[UnitOfWork, str, dict], Any] | None
    delete: Callable[[UnitOfWork, str], None]
    document: Callable[[Any], dict]  # the stored TMF document of a row
    # Deleting may need more than writing (interactions: administrators only).
    delete_permission: str | None = None
    # The document as served, when the server adds to what is stored (dates kept in columns).
    present: Callable[[Any], dict] | None = None
    # What ``visible_ids`` lists for a row, when not the row's own id (e.g. its customer's).
    scope_of: Callable[[Any], str | None] | None = None
    # A create the domain may do on the event loop, without the session (interactions: one
    # statement on PostgreSQL): the new row, or None when ``create`` must do it.
    create_direct: Callable[[UnitOfWork, dict], Awaitable[Any]] | None = None
    # Boolean query parameters a create takes (e.g. ``force`` past a duplicate check); when
    # declared, ``create`` gets them as a dict after the document.
    create_flags: tuple[str, ...] = ()

    @property
    def known_fields(self) -> set[str]:
        return self.spec.properties(self.type_name)

    def get_visible(self, uow: UnitOfWork, principal: Principal, id: str):
        """The row, if this principal may see it; another customer's is simply not found."""
        allowed = self.visible_ids(uow, principal)
        hidden = NotFound(f"No {self.type_name.lower()} with id {id}")
        if allowed is not None and self.scope_of is None and id not in allowed:
            raise hidden
        row = self.get(uow, id)
        if allowed is not None and self.scope_of is not None and self.scope_of(row) not in allowed:
            raise hidden
        return row


def checked(
    spec: Spec, payload: dict, schema: str, partial: bool = False, in_place: bool = False
) -> dict:
    try:
        return spec.validate(payload, schema, partial, in_place)
    except SpecViolation as violation:
        raise TMFError(400, "; ".join(violation.problems), "INVALID_INPUT") from None


def representation(resource: Resource, row: Any, request: Request, prefix: str) -> dict:
    base = request.app.state.settings.base_url
    body = request.app.state.links.fill((resource.present or resource.document)(row))
    body["id"] = row.id
    body["href"] = f"{base}{prefix}/{resource.name}/{row.id}"
    body.setdefault("@type", resource.type_name)
    return body


def crud_router(
    resource: Resource, prefix: str, create_route_class: type[APIRoute] | None = None
) -> APIRouter:
    """The five operations. ``create_route_class``: the one create served otherwise
    (api/tmf/interaction/fast_log.py)."""
    router = APIRouter(prefix=f"/{resource.name}", tags=[resource.name])
    title = resource.type_name

    docs = partial(body_docs, resource.spec)
    item = resource.type_name
    read, write = require(resource.read_permission), require(resource.write_permission)

    @router.get("", summary=f"List or find {title} objects", openapi_extra=_list_docs(item))
    def list_items(
        request: Request,
        uow: RequestWork,
        principal: Principal = read,
        fields: str | None = FIELDS_QUERY,
        offset: str | None = Query(None, description="First item to return (0-based)"),
        limit: str | None = Query(None, description="Maximum number of items to return"),
    ):
        query = parse_list_query(
            request,
            resource.known_fields,
            resource.filterable,
            uow.settings.default_page_size,
            uow.settings.max_page_size,
        )
        visible = resource.visible_ids(uow, principal)
        rows, total = resource.list(uow, query.filters, query.offset, query.limit, visible)
        items = [
            select_fields(representation(resource, row, request, prefix), query.fields)
            for row in rows
        ]
        return list_response(items, total)

    _create_route(router, resource, prefix, docs, item, title, write, create_route_class)

    @router.get("/{id}", summary=f"Retrieve a {title} by id", openapi_extra=docs(None, item, 200))
    def retrieve_item(
        id: str,
        request: Request,
        uow: RequestWork,
        principal: Principal = read,
        fields: str | None = FIELDS_QUERY,
    ):
        selected = parse_fields(fields, resource.known_fields)
        row = resource.get_visible(uow, principal, id)
        return select_fields(representation(resource, row, request, prefix), selected)

    if resource.replace is not None:
        _patch_route(router, resource, prefix, docs, item, title, write)

    remove = require(resource.delete_permission) if resource.delete_permission else write

    @router.delete("/{id}", status_code=204, summary=f"Delete a {title}")
    def delete_item(id: str, uow: RequestWork, principal: Principal = remove):
        resource.get_visible(uow, principal, id)
        resource.delete(uow, id)
        commit_now(uow.session)
        return no_content()

    return router


CREATE_MEDIA_TYPES = ("application/json",)


def _create_route(
    router: APIRouter, resource: Resource, prefix: str, docs, item, title, write, route_class
):
    if resource.create_direct is None:

        def create_item(
            request: Request, uow: RequestWork, body: JSONObject, fields: str | None = FIELDS_QUERY
        ):
            document, flags, selected = received(request, resource, body, fields)
            return create_in_session(resource, prefix, request, uow, document, flags, selected)

    else:
        direct = resource.create_direct

        # On the event loop: the domain may do it without a thread (interactions).
        async def create_item(
            request: Request, uow: RequestWork, body: JSONObject, fields: str | None = FIELDS_QUERY
        ):
            document, flags, selected = received(request, resource, body, fields)
            row = await direct(uow, document)
            if row is not None:
                return created_answer(resource, prefix, request, row, selected)
            return await run_in_threadpool(
                create_in_session, resource, prefix, request, uow, document, flags, selected
            )

    router.add_api_route(
        "",
        create_item,
        methods=["POST"],
        status_code=201,
        summary=f"Create a {title}",
        openapi_extra=docs(resource.create_schema, item, 201),
        # Authorisation first: a caller without the right learns nothing about the body.
        dependencies=[write, Depends(media_type_check(CREATE_MEDIA_TYPES))],
        route_class_override=route_class,
    )


def created_answer(resource: Resource, prefix: str, request: Request, row, selected) -> Response:
    return created(select_fields(representation(resource, row, request, prefix), selected))


def create_in_session(
    resource: Resource,
    prefix: str,
    request: Request,
    uow: UnitOfWork,
    document: dict,
    flags: tuple,
    selected: set[str] | None,
) -> Response:
    """The create in the unit of work's session, answered there (the row may load more) and
    committed as its last step."""
    row = resource.create(uow, document, *flags)
    response = created_answer(resource, prefix, request, row, selected)
    commit_now(uow.session)
    return response


def received(request: Request, resource: Resource, body: dict, fields: str | None):
    """A create's checked document, its flags and its selected fields: the steps after the
    body was read, in the order every create takes them."""
    selected = parse_fields(fields, resource.known_fields)
    flags = (_flags(request, resource.create_flags),) if resource.create_flags else ()
    check_storable(body)
    body.pop("href", None)
    request.app.state.links.strip(body)  # services see ids and foreign hrefs only
    check_type(body, resource.type_name)
    document = checked(resource.spec, body, resource.create_schema, in_place=True)
    return document, flags, selected


def _patch_route(router: APIRouter, resource: Resource, prefix: str, docs, item, title, write):
    @router.patch(
        "/{id}",
        summary=f"Partially update a {title} (JSON merge patch)",
        openapi_extra=docs(resource.patch_schema, item, 200),
        dependencies=[write, Depends(media_type_check(PATCH_MEDIA_TYPES))],
    )
    def patch_item(
        id: str,
        request: Request,
        uow: RequestWork,
        body: dict[str, Any] = Body(...),
        principal: Principal = write,
        fields: str | None = FIELDS_QUERY,
    ):
        selected = parse_fields(fields, resource.known_fields)
        check_storable(body)
        for read_only in ("id", "href"):
            if read_only in body:
                raise TMFError(400, f"{read_only}: cannot be changed", "INVALID_INPUT")
        request.app.state.links.strip(body)
        check_type(body, resource.type_name)
        checked(resource.spec, without_nulls(body), resource.patch_schema, partial=True)
        current = resource.document(resource.get_visible(uow, principal, id))
        merged = merge_patch(current, body)
        document = checked(resource.spec, merged, resource.create_schema)
        row = resource.replace(uow, id, document)
        answer = select_fields(representation(resource, row, request, prefix), selected)
        commit_now(uow.session)
        return answer


def _list_docs(type_name: str) -> dict:
    schema = {"type": "array", "items": {"$ref": f"#/components/schemas/{type_name}"}}
    media = {"application/json": {"schema": schema}}
    return {"responses": {"200": {"description": "Success", "content": media}}}


def check_type(body: dict, type_name: str) -> None:
    """A body that declares an ``@type`` must declare the collection's."""
    declared = body.get("@type")
    if declared is not None and declared != type_name:
        raise TMFError(
            400,
            f"@type: this collection holds {type_name}, not {declared}",
            "INVALID_INPUT",
        )


def _flags(request: Request, names: tuple[str, ...]) -> dict[str, bool]:
    flags = {}
    for name in names:
        raw = request.query_params.get(name, "false").strip().lower()
        if raw not in ("true", "false"):
            raise TMFError(400, f"{name}: true or false", "INVALID_QUERY")
        flags[name] = raw == "true"
    return flags


def without_nulls(value: Any) -> Any:
    """A merge patch minus its removals (nulls), for checking what it sets."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    return value
