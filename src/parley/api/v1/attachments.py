"""Files attached to requests (docs/portal.md, "Attachments"): a customer's log-in adds them
to its own open requests, staff to any; both read those of the requests they may read.

A file is sent as TMF621's ``Attachment`` (its ``content`` in base64, a ``name``, optionally
``attachmentType`` and ``description``; a ``mimeType`` given is not believed: the type is
recognised from the content). It is answered as an ``Attachment`` without its content, whose
``url`` downloads it; the request's ``attachment`` lists it as an ``AttachmentRef``.
"""

import base64
import binascii
import logging
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from parley.api.deps import AppLinks, RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import Caller, require, require_any
from parley.api.versioning import IfMatch
from parley.auth.permissions import REQUEST_RAISE, REQUEST_READ, REQUEST_WRITE
from parley.errors import InvalidInput, NotFound
from parley.links import Links
from parley.requests.attachments import AttachmentFiles, Upload, described
from parley.requests.files import FileMissing, content_disposition
from parley.requests.models import RequestAttachment
from parley.requests.service import RequestService
from parley.settings import ATTACHMENT_TYPES

log = logging.getLogger(__name__)
KIND = "Attachment"


class AttachmentIn(BaseModel):
    """TMF621 Attachment_FVO with the file embedded."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    type_: Literal["Attachment"] = Field("Attachment", alias="@type")
    name: str = Field("", max_length=500, examples=["router-lights.jpg"])
    content: str = Field(min_length=1, description="The file, base64")
    mimeType: str | None = Field(
        None, max_length=200, description="Not believed: the type is read from the content"
    )
    attachmentType: str | None = Field(None, max_length=64, examples=["photo"])
    description: str | None = Field(None, max_length=500)


def served(links: Links, row: RequestAttachment) -> dict:
    shown = links.served(KIND, described(row), {"relatedRequest": "TroubleTicket"})
    return {**shown, "url": f"{shown['href']}/content"}


def download(row: RequestAttachment, content: bytes) -> Response:
    """The file as a download, never shown in the browser's page nor guessed at."""
    return Response(
        content,
        media_type=row.media_type,
        headers={
            "Content-Disposition": content_disposition(row.name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def file_of(uow, row: RequestAttachment) -> bytes:
    try:
        return AttachmentFiles(uow).content(row)
    except FileMissing:
        log.error("attachment %s: its file %s is missing or damaged", row.id, row.sha256)
        raise NotFound(f"The file of attachment {row.id} is not available") from None


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["requests"])

    @api.post(
        "/requests/{request_id}/attachments",
        status_code=201,
        summary="Attach a file (PDF, PNG, JPEG or plain text) to an open request",
        # Staff may work requests; a customer's log-in raises (and adds to) its own.
        dependencies=[require_any(REQUEST_WRITE, REQUEST_RAISE)],
    )
    def add(
        request_id: str,
        body: AttachmentIn,
        uow: RequestWork,
        principal: Caller,
        links: AppLinks,
        version: IfMatch,
    ):
        requests = RequestService(uow)
        requests.get_readable(request_id, principal)  # another customer's: not found
        try:
            content = base64.b64decode(body.content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content: not base64", "content") from None
        upload = Upload(body.name, content, body.attachmentType, body.description)
        row = requests.add_attachment(request_id, upload, version)
        shown = served(links, row)
        return JSONResponse(shown, status_code=201, headers={"Location": shown["href"]})

    @api.get(
        "/attachments/{attachment_id}",
        summary="A file attached to a request, described (its url downloads it)",
        dependencies=[require(REQUEST_READ)],
    )
    def describe(attachment_id: str, uow: RequestWork, principal: Caller, links: AppLinks):
        return served(links, RequestService(uow).readable_attachment(attachment_id, principal))

    @api.get(
        "/attachments/{attachment_id}/content",
        summary="Download a file attached to a request",
        dependencies=[require(REQUEST_READ)],
        response_class=Response,
        responses={200: {"content": {kind: {} for kind in ATTACHMENT_TYPES}}},
    )
    def content(attachment_id: str, uow: RequestWork, principal: Caller):
        row = RequestService(uow).readable_attachment(attachment_id, principal)
        return download(row, file_of(uow, row))

    return api
