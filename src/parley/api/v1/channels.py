"""Network self-service edges (docs/channels.md): the USSD aggregators' webhooks, the TwiML and
VoiceXML voice documents, Kannel's SMS callback, and the menus administrators manage.

The gateways' webhooks carry no Parley token (aggregators cannot send one): they are public,
and an unreadable request is answered in the gateway's own way of ending a session, never
with a server error. Every step runs in the request's one unit of work.
"""

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Body, Request, Response
from fastapi.concurrency import run_in_threadpool

from parley.api.deps import RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import public, require
from parley.auth.permissions import MENU_WRITE
from parley.channels import gateways
from parley.channels.engine import MenuEngine, Reply, Turn
from parley.channels.menus import MenuCatalogue
from parley.db.base import iso
from parley.errors import DomainError

MAX_FORM = 8192
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
    except ValueError:
        raise gateways.BadGatewayRequest("not JSON") from None


def step(uow, turn: Turn) -> Reply:
    """One step; anything the domain refuses ends the session politely."""
    try:
        return MenuEngine(uow).handle(turn)
    except DomainError:
        uow.session.rollback()
        return Reply(SORRY["en"], True, "en")


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


def gateways_router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/channels", tags=["self-service channels"])

    @api.post(
        "/ussd/africastalking",
        summary="USSD webhook, Africa's Talking format (form in, CON/END text out)",
        dependencies=[public()],
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

    return api
