"""Bulk imports over HTTP (docs/mediation.md, "Bulk import"): the file sent as the request
body (CSV or JSON lines), stored before anything reads it and answered 202 with the import,
which the workers run; then its progress and first errors, and its whole error report as CSV.
The same file sent again as the same kind is the same import (answered 200)."""

import tempfile

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from parley.api.deps import AppLinks, RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import Caller, require
from parley.auth.permissions import IMPORT_WRITE
from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.links import Links
from parley.mediation.imports import KINDS, ImportIntake, ImportService, import_view

SPOOL_IN_MEMORY = 1 << 20  # a body larger than this waits on disk until it is stored
MEDIA = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
}
ANY_FILE = {
    "requestBody": {
        "required": True,
        "description": "The file as it is: CSV with a header row, or JSON lines",
        "content": {media: {"schema": {"type": "string"}} for media in MEDIA},
    }
}
VIEW = {"description": "The import", "content": {"application/json": {"schema": {}}}}
REPORT = {
    "description": "The error report: row, field, message",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


def shown(found, links: Links) -> dict:
    href = links.href("BulkImport", found.id)
    return {**import_view(found), "href": href, "errorReport": f"{href}/errors"}


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/imports", tags=["mediation"])

    def viewed(request: Request, import_id: str, links) -> dict:
        with request.app.state.sessionmaker() as session:
            uow = UnitOfWork(session, request.app.state.settings)
            return shown(ImportService(uow).get(import_id), links)

    @api.post(
        "",
        status_code=202,
        summary="Import customers or interactions: the file stored, then loaded by the workers",
        description="Send the file as the body (`text/csv` or `application/x-ndjson`). "
        "Rows are checked with the API's rules; good ones are loaded, refused ones reported. "
        "The same file sent again as the same kind is the same import (200).",
        dependencies=[require(IMPORT_WRITE)],
        openapi_extra=ANY_FILE,
        responses={200: VIEW, 202: VIEW},
    )
    async def start_import(
        request: Request,
        caller: Caller,
        links: AppLinks,
        kind: str | None = Query(None, max_length=16, description="Required: " + " | ".join(KINDS)),
        file_name: str | None = Query(
            None, alias="fileName", max_length=255, description="The file's name, kept with it"
        ),
        force: bool = Query(False, description="Customers: create despite likely duplicates"),
    ):
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        fmt = MEDIA.get(media)
        if fmt is None:
            raise InvalidInput(
                f"the body: the file to import, as {' or '.join(MEDIA)} (its Content-Type)",
                "body",
            )
        if kind not in KINDS:
            raise InvalidInput(f"kind: one of {', '.join(KINDS)}", "kind")
        name = file_name if file_name and file_name.endswith(f".{fmt}") else f"{kind}.{fmt}"
        with tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY) as spooled:
            async for chunk in request.stream():
                spooled.write(chunk)
            spooled.seek(0)
            intake = ImportIntake(request.app.state.sessionmaker, request.app.state.settings)
            actor = caller.actor("api")
            async with request.app.state.db_slots:
                started = await run_in_threadpool(intake.receive, kind, spooled, name, actor, force)
                answer = await run_in_threadpool(viewed, request, started.import_id, links)
        return JSONResponse(answer, status_code=200 if started.duplicate else 202)

    @api.get(
        "/{import_id}",
        summary="An import: its state, rows handled, loaded and refused, the first errors",
        dependencies=[require(IMPORT_WRITE)],
    )
    def get_import(import_id: str, uow: RequestWork, links: AppLinks):
        service = ImportService(uow)
        found = service.get(import_id)
        return {**shown(found, links), "errors": service.first_errors(found.id)}

    @api.get(
        "/{import_id}/errors",
        summary="An import's error report as CSV: row, field, message",
        dependencies=[require(IMPORT_WRITE)],
        response_class=StreamingResponse,
        responses={200: REPORT},
    )
    def get_errors(import_id: str, uow: RequestWork):
        service = ImportService(uow)
        service.get(import_id)  # 404 before the answer starts
        chunks = (text.encode() for text in service.error_report(import_id))
        headers = {"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'}
        return StreamingResponse(chunks, media_type="text/csv; charset=utf-8", headers=headers)

    return api
