"""A TMF resource collection: list, create, retrieve, merge-patch, delete.

Each API module describes its resource with a ``Resource`` (kit/resource.py: schemas,
permissions and the domain collection) and gets the five operations with the TMF conventions
applied the same way everywhere.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from parley.api.deps import RequestWork, commit_now
from parley.api.error_answers import also_answers
from parley.api.hrefs import base_url_of, links_of
from parley.api.json_response import JSONResponse
from parley.api.security import require, require_any
from parley.api.tmf.kit.errors import TMFError
from parley.api.tmf.kit.openapi import body_docs, spec_ref
from parley.api.tmf.kit.query import parse_fields, parse_list_query, select_fields
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.responses import (
    PATCH_MEDIA_TYPES,
    JSONObject,
    check_storable,
    created,
    list_response,
    media_type_check,
    merge_patch,
    no_content,
    paging_headers,
)
from parley.api.tmf.kit.spec import Spec, SpecViolation
from parley.api.versioning import etag, expected_version, flush_or_412
from parley.auth.principal import Principal
from parley.changes import UnitOfWork
from parley.db.listing import Criterion
from parley.db.repository import Page

FIELDS_QUERY = Query(
    None, description="Comma-separated attributes to return (id, href and @type always)"
)


def checked(
    spec: Spec, payload: dict, schema: str, partial: bool = False, in_place: bool = False
) -> dict:
    try:
        return spec.validate(payload, schema, partial, in_place)
    except SpecViolation as violation:
        raise TMFError(400, "; ".join(violation.problems), "INVALID_INPUT") from None


def representation(resource: Resource, row: Any, request: Request, prefix: str) -> dict:
    return representer(resource, request, prefix)(row)


def representer(resource: Resource, request: Request, prefix: str) -> Callable[[Any], dict]:
    """What makes a row's representation, with the request's links looked up once (a list
    makes a page of them)."""
    links = links_of(request)
    collection_url = f"{base_url_of(request)}{prefix}/{resource.name}"
    document, type_name = resource.document, resource.type_name

    def represent(row: Any) -> dict:
        body = links.fill(document(row))
        body["id"] = row.id
        body["href"] = f"{collection_url}/{row.id}"
        body.setdefault("@type", type_name)
        return body

    return represent


def crud_router(resource: Resource, prefix: str) -> APIRouter:
    """The five operations of the collection, at ``prefix``/``resource.name``."""
    create_route_class = resource.create_route(resource) if resource.create_route else None
    router = APIRouter(prefix=f"/{resource.name}", tags=[resource.name])
    title = resource.type_name

    docs = partial(body_docs, resource.spec)
    item = resource.type_name
    read, write = require(resource.read_permission), require(resource.write_permission)

    @router.get(
        "", summary=f"List or find {title} objects", openapi_extra=_list_docs(resource.spec, item)
    )
    def list_items(
        request: Request,
        uow: RequestWork,
        principal: Principal = read,
        fields: str | None = FIELDS_QUERY,
        offset: str | None = Query(None, description="First item to return (0-based)"),
        limit: str | None = Query(None, description="Maximum number of items to return"),
    ):
        settings = request.app.state.settings
        query = parse_list_query(
            request, resource, settings.default_page_size, settings.max_page_size
        )
        collection_url = f"{base_url_of(request)}{prefix}/{resource.name}"
        page = Page(
            {},
            query.offset,
            query.limit,
            criteria=tuple(_href_as_id(query.criteria, collection_url)),
            sort=tuple(query.sort),
            cursor=query.cursor,
        )
        rows, total = resource.collection(uow).find(page, principal)
        # A read: ended here, in the route's thread, rather than in another hand-over to the
        # thread pool after it (get_session).
        commit_now(uow.session)
        represent = representer(resource, request, prefix)
        items = (select_fields(represent(row), query.fields) for row in rows)
        response = list_response(items, total, settings.max_page_bytes)
        paging_headers(response, request, page.info, collection_url)
        return response

    create = (
        require_any(resource.write_permission, *resource.create_permissions)
        if resource.create_permissions
        else write
    )
    _create_route(router, resource, prefix, docs, item, title, create, create_route_class)

    @router.get("/{id}", summary=f"Retrieve a {title} by id", openapi_extra=docs(None, item, 200))
    def retrieve_item(
        id: str,
        request: Request,
        uow: RequestWork,
        principal: Principal = read,
        fields: str | None = FIELDS_QUERY,
    ):
        selected = parse_fields(fields, resource.known_fields)
        row = resource.collection(uow).get(id, principal)
        return answer(resource, prefix, request, row, selected)

    if resource.patchable:
        _patch_route(router, resource, prefix, docs, item, title, write)

    remove = require(resource.delete_permission) if resource.delete_permission else write

    @router.delete("/{id}", status_code=204, summary=f"Delete a {title}")
    def delete_item(id: str, uow: RequestWork, principal: Principal = remove):
        collection = resource.collection(uow)
        collection.get(id, principal)  # what the caller may not see, it may not delete
        collection.delete(id)
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


def answer(resource: Resource, prefix: str, request: Request, row, selected, status=200):
    """One row as answered: its representation, with its ETag where rows are versioned."""
    body = select_fields(representation(resource, row, request, prefix), selected)
    if status == 201:
        response = created(body)
    elif resource.versioned_as is None:
        return body
    else:
        response = JSONResponse(body, status)
    if resource.versioned_as is not None:
        response.headers["ETag"] = etag(row)
    return response


def created_answer(resource: Resource, prefix: str, request: Request, row, selected) -> Response:
    return answer(resource, prefix, request, row, selected, 201)


def create_in_session(
    resource: Resource,
    prefix: str,
    request: Request,
    uow: UnitOfWork,
    document: dict,
    flags: dict[str, bool],
    selected: set[str] | None,
) -> Response:
    """The create in the unit of work's session, answered there (the row may load more) and
    committed as its last step."""
    row = resource.collection(uow).create(document, **flags)
    response = created_answer(resource, prefix, request, row, selected)
    commit_now(uow.session)
    return response


def received(request: Request, resource: Resource, body: dict, fields: str | None):
    """A create's checked document, its flags and its selected fields: the steps after the
    body was read, in the order every create takes them."""
    selected = parse_fields(fields, resource.known_fields)
    flags = _flags(request, resource.create_flags)
    check_storable(body, resource.budget)
    body.pop("href", None)
    links_of(request).strip(body)  # services see ids and foreign hrefs only
    check_type(body, resource.type_name)
    document = checked(resource.spec, body, resource.create_schema, in_place=True)
    return typed(resource, document), flags, selected


def typed(resource: Resource, document: dict) -> dict:
    """The document with the collection's ``@type`` where the spec check (a v4 swagger's)
    named an untyped body after the schema it was checked against."""
    if document.get("@type") in (None, resource.create_schema, resource.patch_schema):
        document["@type"] = resource.type_name
    return document


def _patch_route(router: APIRouter, resource: Resource, prefix: str, docs, item, title, write):
    @router.patch(
        "/{id}",
        summary=f"Partially update a {title} (JSON merge patch)",
        openapi_extra=docs(resource.patch_schema, item, 200),
        # A versioned resource honours If-Match: 412 for a stale one.
        dependencies=[write, Depends(media_type_check(PATCH_MEDIA_TYPES))]
        + ([also_answers(412)] if resource.versioned_as else []),
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
        version = {"version": expected_version(request)} if resource.versioned_as else {}
        check_storable(body, resource.budget)
        for read_only in ("id", "href"):
            if read_only in body:
                raise TMFError(400, f"{read_only}: cannot be changed", "INVALID_INPUT")
        links_of(request).strip(body)
        check_type(body, resource.type_name)
        checked(resource.spec, without_nulls(body), resource.patch_schema, partial=True)
        collection = resource.collection(uow)
        current = resource.stored(collection.get(id, principal))
        merged = merge_patch(current, body)
        document = typed(resource, checked(resource.spec, merged, resource.create_schema))
        row = collection.replace(id, document, **version)
        if resource.versioned_as:
            flush_or_412(uow.session, resource.versioned_as)
        response = answer(resource, prefix, request, row, selected)
        commit_now(uow.session)
        return response


def _list_docs(spec: Spec, type_name: str) -> dict:
    schema = {"type": "array", "items": spec_ref(spec, type_name)}
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


def _href_as_id(criteria: list[Criterion], collection_url: str) -> list[Criterion]:
    """An ``href`` filter is an ``id`` filter: hrefs are made when answering, never stored. An
    href of this collection names the row it ends with; any other names nothing here."""
    named = []
    for criterion in criteria:
        if criterion.name != "href":
            named.append(criterion)
            continue
        ids = tuple(_id_in(href, collection_url) for href in criterion.values)
        named.append(Criterion("id", "eq", ids))
    return named


def _id_in(href: str, collection_url: str) -> str:
    row_id = href.removeprefix(collection_url + "/")
    return row_id if row_id != href and "/" not in row_id else ""


def _flags(request: Request, names: tuple[str, ...]) -> dict[str, bool]:
    """The create's flags by name (none: no query parameter is read)."""
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
