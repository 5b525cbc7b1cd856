"""The troubleTicket collection: the TMF conventions of the kit, plus optimistic concurrency.

Every answer with one ticket carries its ``ETag`` (the request's version). A PATCH may send
``If-Match`` with it: if the request changed meanwhile the answer is 412 and nothing changes.
Without If-Match the change is applied to the current version (the row is locked while it is
made), so no update is lost either way.
"""

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request

from parley.api.deps import RequestWork, commit_now
from parley.api.json_response import JSONResponse
from parley.api.security import require
from parley.api.tmf.kit.crud import FIELDS_QUERY, check_type, checked, without_nulls
from parley.api.tmf.kit.errors import TMFError
from parley.api.tmf.kit.openapi import body_docs
from parley.api.tmf.kit.query import parse_fields, parse_list_query, select_fields
from parley.api.tmf.kit.responses import (
    PATCH_MEDIA_TYPES,
    check_storable,
    list_response,
    media_type_check,
    merge_patch,
    no_content,
)
from parley.api.tmf.trouble_ticket.spec import trouble_ticket_spec
from parley.api.versioning import etag, expected_version, flush_or_412
from parley.auth.permissions import REQUEST_DELETE, REQUEST_READ, REQUEST_WRITE
from parley.auth.principal import Principal
from parley.changes import UnitOfWork
from parley.requests.models import CustomerRequest
from parley.requests.presentation import present
from parley.requests.service import LIST_COLUMNS, RequestService

TYPE = "TroubleTicket"


def _visible(uow: UnitOfWork, principal: Principal, request_id: str) -> CustomerRequest:
    return RequestService(uow).get_visible(request_id, principal.customer_scope())


def one(uow: UnitOfWork, row: CustomerRequest, request: Request, fields=None, status=200):
    body = representation(row, RequestService(uow).history(row.id), request)
    headers = {"ETag": etag(row)}
    if status == 201:
        headers["Location"] = body["href"]
    return JSONResponse(select_fields(body, fields), status, headers=headers)


def representation(row: CustomerRequest, history, request: Request) -> dict:
    settings = request.app.state.settings
    body = request.app.state.links.fill(present(row, history))
    body["id"] = row.id
    body["href"] = f"{settings.base_url}{settings.trouble_ticket_api_prefix}/troubleTicket/{row.id}"
    body.setdefault("@type", TYPE)
    return body


def ticket_router(prefix: str) -> APIRouter:
    spec = trouble_ticket_spec()
    api = APIRouter(prefix="/troubleTicket", tags=["troubleTicket"])
    known = spec.properties(TYPE)
    filterable = spec.scalar_properties(TYPE) | set(LIST_COLUMNS)

    @api.get("", summary="List or find TroubleTicket objects")
    def list_tickets(
        request: Request,
        uow: RequestWork,
        principal: Principal = require(REQUEST_READ),
        fields: str | None = FIELDS_QUERY,
        offset: str | None = Query(None),
        limit: str | None = Query(None),
    ):
        settings = uow.settings
        query = parse_list_query(
            request, known, filterable, settings.default_page_size, settings.max_page_size
        )
        service = RequestService(uow)
        rows, total = service.list_requests(
            query.filters, query.offset, query.limit, principal.customer_scope()
        )
        histories = service.histories(rows)
        items = [
            select_fields(representation(row, histories[row.id], request), query.fields)
            for row in rows
        ]
        return list_response(items, total)

    @api.post(
        "",
        status_code=201,
        summary="Create a TroubleTicket (a customer's request), classified and acknowledged",
        openapi_extra=body_docs(spec, "TroubleTicket_FVO", TYPE, 201),
        dependencies=[require(REQUEST_WRITE), Depends(media_type_check(("application/json",)))],
    )
    def create_ticket(
        request: Request,
        uow: RequestWork,
        body: dict[str, Any] = Body(...),
        fields: str | None = FIELDS_QUERY,
    ):
        selected = parse_fields(fields, known)
        check_storable(body)
        body.pop("href", None)
        request.app.state.links.strip(body)  # services see ids and foreign hrefs only
        check_type(body, TYPE)
        document = checked(spec, body, "TroubleTicket_FVO")
        row = RequestService(uow).create(document)
        answer = one(uow, row, request, selected, 201)
        commit_now(uow.session)
        return answer

    @api.get("/{id}", summary="Retrieve a TroubleTicket by id (with its ETag)")
    def retrieve_ticket(
        id: str,
        request: Request,
        uow: RequestWork,
        principal: Principal = require(REQUEST_READ),
        fields: str | None = FIELDS_QUERY,
    ):
        selected = parse_fields(fields, known)
        return one(uow, _visible(uow, principal, id), request, selected)

    @api.patch(
        "/{id}",
        summary="Partially update a TroubleTicket (JSON merge patch; If-Match honoured)",
        openapi_extra=body_docs(spec, "TroubleTicket_MVO", TYPE, 200),
        # Authorisation first: a caller without the right learns nothing about the body.
        dependencies=[require(REQUEST_WRITE), Depends(media_type_check(PATCH_MEDIA_TYPES))],
    )
    def patch_ticket(
        id: str,
        request: Request,
        uow: RequestWork,
        body: dict[str, Any] = Body(...),
        principal: Principal = require(REQUEST_WRITE),
        fields: str | None = FIELDS_QUERY,
    ):
        selected = parse_fields(fields, known)
        version = expected_version(request)
        check_storable(body)
        for read_only in ("id", "href"):
            if read_only in body:
                raise TMFError(400, f"{read_only}: cannot be changed", "INVALID_INPUT")
        request.app.state.links.strip(body)
        check_type(body, TYPE)
        checked(spec, without_nulls(body), "TroubleTicket_MVO", partial=True)
        current = _visible(uow, principal, id).document
        document = checked(spec, merge_patch(current, body), "TroubleTicket_FVO")
        row = RequestService(uow).replace(id, document, version)
        flush_or_412(uow.session, "request")
        answer = one(uow, row, request, selected)
        commit_now(uow.session)
        return answer

    @api.delete("/{id}", status_code=204, summary="Delete a TroubleTicket (administrators)")
    def delete_ticket(
        id: str,
        uow: RequestWork,
        principal: Principal = require(REQUEST_DELETE),
    ):
        _visible(uow, principal, id)
        RequestService(uow).delete(id)
        commit_now(uow.session)
        return no_content()

    return api
