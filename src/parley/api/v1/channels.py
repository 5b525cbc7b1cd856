"""Network self-service edges (docs/channels.md): the USSD aggregators' webhooks, the TwiML and
VoiceXML voice documents, Kannel's SMS callback, and the menus administrators manage.

The gateways' webhooks carry no Parley token (aggregators cannot send one): they are public,
and an unreadable request is answered in the gateway's own way of ending a session, never
with a server error. Every step runs in the request's one unit of work.
"""

import base64
import hashlib
import hmac
import uuid
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Body, Request, Response
from fastapi.concurrency import run_in_threadpool

from parley.api.deps import AppSettings, RequestWork, commit_now
from parley.api.json_response import JSONResponse
from parley.api.security import public, require
from parley.auth.permissions import MENU_WRITE
from parley.channels import gateways
from parley.channels.engine import MenuEngine, Reply, Turn
from parley.channels.menus import MenuCatalogue
from parley.channels.options import ChannelOptions
from parley.channels.sms import SmsKeywords
from parley.channels.voice import twiml, vxml, vxml_start
from parley.db.base import iso
from parley.errors import DomainError

MAX_FORM = 8192
XML = "application/xml"
VXML = "application/voicexml+xml"
TEXT = "text/plain"


def gateway_answers(media: str, **others: str) -> dict:
    """What a gateway's webhook answers, for /openapi.json: its own format, not the TMF error
    shape (a gateway shows the caller nothing else). ``others``: status -> what it means, in
    plain text. A 400 may also be the TMF error of a request refused before any route."""
    text = {TEXT: {"schema": {"type": "string"}}}
    declared: dict = {200: {"description": "The answer in the gateway's format",
                            "content": {media: {"schema": {"type": "string"}}}}}  # fmt: skip
    for status, meaning in others.items():
        declared[int(status.removeprefix("s"))] = {"description": meaning, "content": text}
    declared.setdefault(400, {"description": "Refused before the gateway's handler", "content": {}})
    declared[400]["content"] = {
        **declared[400]["content"],
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
    }
    return declared


SORRY = {"en": "Sorry, the service is not available. Please try again later."}
MenuBody = Annotated[dict[str, Any], Body()]


def _menu(row) -> dict:
    return {
        **row.document,
        "id": row.id,
        "version": row.version,
        "creationDate": iso(row.created_at),
        "lastUpdate": iso(row.updated_at),
    }


async def form_of(request: Request) -> dict[str, str]:
    """A form body (as gateways post it), read without a form library: first value wins."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise gateways.BadGatewayRequest("body: too long")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


async def json_of(request: Request):
    try:
        return await request.json()
    except (ValueError, RecursionError):  # nested deeper than the parser goes, too
        raise gateways.BadGatewayRequest("not JSON") from None


def step(uow, turn: Turn) -> Reply:
    """One step, committed in the thread it ran in (a second hand-over to the thread pool
    for the commit would cost more than some steps); anything the domain refuses ends the
    session politely."""
    try:
        reply = MenuEngine(uow).handle(turn)
    except DomainError:
        uow.session.rollback()
        return Reply(SORRY["en"], True, "en")
    commit_now(uow.session)
    return reply


def menus_router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/channels", tags=["self-service channels"])

    @api.get("/menus", summary="The self-service menus", dependencies=[require(MENU_WRITE)])
    def list_menus(uow: RequestWork):
        return [_menu(row) for row in MenuCatalogue(uow).list_menus()]

    @api.get("/menus/{code}", summary="One menu", dependencies=[require(MENU_WRITE)])
    def get_menu(code: str, uow: RequestWork):
        return _menu(MenuCatalogue(uow).get(code))

    @api.post("/menus", status_code=201, summary="Add a menu", dependencies=[require(MENU_WRITE)])
    def create_menu(body: MenuBody, uow: RequestWork):
        return _menu(MenuCatalogue(uow).create(body))

    @api.put("/menus/{code}", summary="Replace a menu", dependencies=[require(MENU_WRITE)])
    def replace_menu(code: str, body: MenuBody, uow: RequestWork):
        return _menu(MenuCatalogue(uow).replace(code, body))

    @api.delete(
        "/menus/{code}",
        status_code=204,
        summary="Delete a menu",
        dependencies=[require(MENU_WRITE)],
    )
    def delete_menu(code: str, uow: RequestWork):
        MenuCatalogue(uow).delete(code)
        return Response(status_code=204)

    return api


def twilio_signature(token: str, url: str, fields: dict[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL and the sorted form fields."""
    signed = url + "".join(f"{name}{fields[name]}" for name in sorted(fields))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _step_of(request: Request) -> int | None:
    given = request.query_params.get("step", "")
    return int(given) if given.isdigit() and len(given) < 7 else None


def _url(request: Request, **query) -> str:
    return str(request.url.replace(query=urlencode(query)))


def gateways_router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/channels", tags=["self-service channels"])

    @api.post(
        "/ussd/africastalking",
        summary="USSD webhook, Africa's Talking format (form in, CON/END text out)",
        dependencies=[public()],
        responses=gateway_answers(TEXT),
    )
    async def africastalking(request: Request, uow: RequestWork):
        try:
            turn = gateways.africastalking_turn(await form_of(request))
        except gateways.BadGatewayRequest as problem:
            return Response(f"END {problem}", media_type="text/plain")
        reply = await run_in_threadpool(step, uow, turn)
        return Response(gateways.africastalking_answer(reply), media_type="text/plain")

    @api.post("/ussd/hubtel", summary="USSD webhook, Hubtel format", dependencies=[public()])
    async def hubtel(request: Request, uow: RequestWork):
        try:
            turn = gateways.hubtel_turn(await json_of(request))
        except gateways.BadGatewayRequest as problem:
            return JSONResponse({"Type": "Release", "Message": str(problem), "ClientState": ""})
        reply = await run_in_threadpool(step, uow, turn)
        return JSONResponse(gateways.hubtel_answer(reply))

    @api.post("/ussd/nalo", summary="USSD webhook, Nalo format", dependencies=[public()])
    async def nalo(request: Request, uow: RequestWork):
        body = None
        try:
            body = await json_of(request)
            turn = gateways.nalo_turn(body)
        except gateways.BadGatewayRequest as problem:
            shown = body if isinstance(body, dict) else {}
            return JSONResponse(gateways.nalo_answer(shown, Reply(str(problem), True, "en")))
        reply = await run_in_threadpool(step, uow, turn)
        return JSONResponse(gateways.nalo_answer(body, reply))

    def kannel(request: Request, uow: RequestWork):
        given = request.query_params
        try:
            msisdn = gateways.checked_msisdn(given.get("from"))
            message_id = gateways.checked_key(given.get("id") or uuid.uuid4().hex)
        except gateways.BadGatewayRequest as problem:
            return Response(str(problem), status_code=400, media_type="text/plain")
        text = (given.get("text") or "")[:1600]
        try:
            SmsKeywords(uow).handle(msisdn, text, message_id)
        except DomainError:  # e.g. a sender number the SMS channel cannot answer
            uow.session.rollback()
            return Response("", status_code=202, media_type="text/plain")
        # Empty: Kannel sends nothing back itself (the answer goes through the outbox).
        return Response("", status_code=200, media_type="text/plain")

    # Kannel's get-url calls with GET, its post-url with POST: the same callback either way.
    kannel_summary = "Kannel's MO sms-service callback: SMS keywords, answered through the outbox"
    kannel_answers = gateway_answers(
        TEXT, s202="Taken; nothing to answer", s400="Not an SMS Kannel would send"
    )
    api.get("/sms/kannel", summary=kannel_summary, dependencies=[public()],
            operation_id="kannel_sms_get", responses=kannel_answers)(kannel)  # fmt: skip
    api.post("/sms/kannel", summary=kannel_summary, dependencies=[public()],
             operation_id="kannel_sms_post", responses=kannel_answers)(kannel)  # fmt: skip

    @api.post(
        "/ivr/twiml",
        summary="Voice webhook answering TwiML (Twilio's request signature checked)",
        dependencies=[public()],
        responses=gateway_answers(
            XML, s400="Not a form Twilio would send", s403="Twilio's signature is missing or wrong"
        ),
    )
    async def twilio(request: Request, uow: RequestWork, settings: AppSettings):
        try:
            fields = await form_of(request)
        except gateways.BadGatewayRequest:
            return Response("bad request", status_code=400, media_type="text/plain")
        token = settings.twilio_auth_token
        given = request.headers.get("x-twilio-signature", "")
        expected = (
            twilio_signature(token.get_secret_value(), str(request.url), fields) if token else None
        )
        if expected is None or not hmac.compare_digest(given, expected):
            return Response("signature refused", status_code=403, media_type="text/plain")
        said = fields.get("Digits") or fields.get("SpeechResult") or ""
        try:
            turn = Turn(
                channel="ivr",
                gateway="twilio",
                session_key=gateways.checked_key(fields.get("CallSid")),
                msisdn=gateways.checked_msisdn(fields.get("From")),
                inputs=[said] if said else [],
                position=_step_of(request) if said else None,
                release=fields.get("CallStatus") in ("completed", "busy", "failed", "no-answer"),
                paged=False,
            )
        except gateways.BadGatewayRequest:
            return Response(twiml(Reply(SORRY["en"], True, "en"), ""), media_type=XML)
        reply = await run_in_threadpool(step, uow, turn)
        position = (_step_of(request) or 0) + (1 if said else 0)
        return Response(twiml(reply, _url(request, step=position)), media_type=XML)

    def vxml_first(request: Request, settings: AppSettings):
        url = str(request.url.replace(path=request.url.path + "/session", query=""))
        key = uuid.uuid4().hex
        first = f"{url}?{urlencode({'key': key, 'step': 0})}"
        return Response(vxml_start(first, settings.channel_language), media_type=VXML)

    first_summary = "VoiceXML 2.1: the first document of a call"
    for method in ("get", "post"):
        getattr(api, method)(
            "/ivr/vxml",
            summary=first_summary,
            dependencies=[public()],
            operation_id=f"vxml_first_{method}",
            responses=gateway_answers(VXML),
        )(vxml_first)

    @api.post(
        "/ivr/vxml/session",
        summary="VoiceXML 2.1: the next document of a call",
        dependencies=[public()],
        responses=gateway_answers(VXML),
    )
    async def vxml_next(request: Request, uow: RequestWork, settings: AppSettings):
        fields = {}
        try:
            fields = await form_of(request)
            key = gateways.checked_key(request.query_params.get("key"))
            caller = fields.get("caller") or request.query_params.get("caller", "")
            said = fields.get("answer") or fields.get("recorded") or ""
            turn = Turn(
                channel="ivr",
                gateway="voicexml",
                session_key=key,
                msisdn=gateways.checked_msisdn(caller.removeprefix("tel:")),
                inputs=[said] if said else [],
                position=_step_of(request) if said else None,
                paged=False,
            )
        except gateways.BadGatewayRequest:
            return Response(vxml(Reply(SORRY["en"], True, "en"), "", ""), media_type=VXML)
        reply = await run_in_threadpool(step, uow, turn)
        position = (_step_of(request) or 0) + (1 if said else 0)
        transfer_uri = ChannelOptions.from_settings(settings).transfer_uri
        following = _url(request, key=key, step=position, caller=turn.msisdn)
        return Response(vxml(reply, following, transfer_uri), media_type=VXML)

    return api
