"""Partner message profiles for administrators (docs/mediation.md): written as JSON or YAML,
checked when saved (400 naming where), audited; and the dry run, what a sample message would
become with a saved profile (the sample as the body, in its own content type and headers, as
the partner would send it) or with one not saved (both in a JSON body), without writing."""

import base64
import binascii
import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Query, Request, Response

from parley.api.deps import RequestWork
from parley.api.error_answers import answers
from parley.api.json_response import JSONResponse
from parley.api.security import require
from parley.api.tmf.kit.errors import TMFError
from parley.api.tmf.kit.responses import check_storable
from parley.api.v1.kit import Page, listed, paging
from parley.auth.permissions import PROFILE_WRITE
from parley.db.repository import Page as ListPage
from parley.errors import InvalidInput
from parley.mediation.examples import shipped_profiles
from parley.mediation.profile_service import ProfileService, Sample, profile_view
from parley.mediation.store import kept_headers

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
JSON_TYPES = ("application/json",)
EXAMPLE = shipped_profiles()["shop-order-state"]
PROFILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": EXAMPLE},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}
SAMPLE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A sample message, in the content type (and headers) the partner uses",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}
INLINE_EXAMPLE = {
    "profile": EXAMPLE,
    "message": {
        "contentType": "application/json",
        "content": json.dumps(
            {
                "eventTime": "2026-11-30T10:02:11Z",
                "event": {
                    "productOrder": {
                        "id": "PO-1",
                        "state": "completed",
                        "externalId": [{"owner": "parley", "id": "R-4821-77349"}],
                    }
                },
            }
        ),
    },
}


@answers(415)
async def profile_document(request: Request) -> dict:
    """The body as a profile document: JSON, or YAML."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body:
        raise InvalidInput("the body: the profile, as JSON or YAML", "body")
    if media in JSON_TYPES or media.endswith("+json"):
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise InvalidInput("the body: not JSON", "body") from None
    elif media in YAML_TYPES:
        document = _yaml(body)
    else:
        raise TMFError(
            415,
            f"content type {media or '(none)'} is not accepted; use application/json or "
            "application/yaml",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    if not isinstance(document, dict):
        raise InvalidInput("the body: a profile is an object (JSON or YAML)", "body")
    check_storable(document)
    return document


def _yaml(body: bytes) -> Any:
    try:
        return yaml.safe_load(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput("the body: YAML in UTF-8", "body") from None
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise InvalidInput(f"the body: not YAML{line}", "body") from None


ProfileDocument = Annotated[dict, Depends(profile_document)]


async def sample_message(request: Request) -> Sample:
    """The body as a sample message, with its content type and headers."""
    body = await request.body()
    if not body:
        raise InvalidInput("the body: the sample message, as the partner sends it", "body")
    content_type = request.headers.get("content-type")
    return Sample(body, content_type, kept_headers(dict(request.headers)))


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/message-profiles", tags=["mediation"])

    @api.get(
        "",
        summary="Partner message profiles, by partner and transaction type",
        dependencies=[require(PROFILE_WRITE)],
    )
    def list_profiles(
        response: Response,
        uow: RequestWork,
        page: Annotated[Page, paging(100, 500)],
        partner: str | None = Query(None, max_length=64),
        transaction_type: str | None = Query(None, alias="transactionType", max_length=64),
    ):
        rows, total = ProfileService(uow).find(
            ListPage({}, page.offset, page.limit), partner, transaction_type
        )
        return listed(response, [profile_view(row) for row in rows], total)

    @api.post(
        "",
        status_code=201,
        summary="Add a profile (JSON or YAML; checked: recognition, parsing, transform, command)",
        dependencies=[require(PROFILE_WRITE)],
        openapi_extra=PROFILE_BODY,
    )
    def create_profile(uow: RequestWork, document: ProfileDocument):
        return JSONResponse(profile_view(ProfileService(uow).create(document)), status_code=201)

    @api.post(
        "/dry-run",
        summary="What a sample message would become with a profile not saved (nothing written)",
        dependencies=[require(PROFILE_WRITE)],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object"}, "example": INLINE_EXAMPLE}
                },
            }
        },
    )
    def dry_run_inline(uow: RequestWork, body: ProfileDocument):
        profile, sample = _inline(body)
        return ProfileService(uow).dry_run(profile, sample)

    @api.get("/{profile_id}", summary="One profile", dependencies=[require(PROFILE_WRITE)])
    def get_profile(profile_id: str, uow: RequestWork):
        return profile_view(ProfileService(uow).get(profile_id))

    @api.put(
        "/{profile_id}",
        summary="Replace a profile (checked as when added)",
        dependencies=[require(PROFILE_WRITE)],
        openapi_extra=PROFILE_BODY,
    )
    def replace_profile(profile_id: str, uow: RequestWork, document: ProfileDocument):
        return profile_view(ProfileService(uow).replace(profile_id, document))

    @api.delete(
        "/{profile_id}",
        status_code=204,
        summary="Delete a profile (the messages it read keep what it made of them)",
        dependencies=[require(PROFILE_WRITE)],
    )
    def delete_profile(profile_id: str, uow: RequestWork):
        ProfileService(uow).delete(profile_id)
        return Response(status_code=204)

    @api.post(
        "/{profile_id}/dry-run",
        summary="What a sample message (the body, as the partner sends it) would become",
        dependencies=[require(PROFILE_WRITE)],
        openapi_extra=SAMPLE_BODY,
    )
    def dry_run(profile_id: str, uow: RequestWork, sample: Sample = Depends(sample_message)):
        profiles = ProfileService(uow)
        return profiles.dry_run(profiles.get(profile_id), sample)

    return api


def _inline(body: dict) -> tuple[dict, Sample]:
    """``{"profile": {...}, "message": {"content", "contentBase64"?, "contentType",
    "headers"}}``."""
    profile, message = body.get("profile"), body.get("message")
    if not isinstance(profile, dict):
        raise InvalidInput("profile: the profile document (an object)", "profile")
    if not isinstance(message, dict):
        raise InvalidInput("message: {content, contentType, headers}", "message")
    content_type = message.get("contentType")
    headers = message.get("headers") or {}
    if not isinstance(content_type, str | None) or not isinstance(headers, dict):
        raise InvalidInput("message: contentType a string, headers an object", "message")
    if not all(isinstance(v, str) for v in headers.values()):
        raise InvalidInput("message.headers: each a string", "message.headers")
    if isinstance(message.get("contentBase64"), str):
        try:
            content = base64.b64decode(message["contentBase64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                "message.contentBase64: not base64", "message.contentBase64"
            ) from None
    elif isinstance(message.get("content"), str):
        content = message["content"].encode("utf-8")
    else:
        raise InvalidInput("message.content: the sample as text", "message.content")
    return profile, Sample(content, content_type, kept_headers(headers))
