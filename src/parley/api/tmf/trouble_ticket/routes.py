"""TMF621 Trouble Ticket Management v5 mapped onto Manage Request: requests are troubleTickets,
request types are troubleTicketSpecifications (administrators manage them)."""

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.trouble_ticket.spec import SPEC_FILE, trouble_ticket_spec
from parley.api.tmf.trouble_ticket.tickets import ticket_router
from parley.auth.permissions import REQUEST_READ, REQUEST_TYPE_WRITE
from parley.db.base import iso
from parley.events.views import EventView
from parley.requests.catalogue import TYPE_COLUMNS, RequestTypeCatalogue
from parley.settings import Settings

__all__ = ["SPEC_FILE", "event_views", "router", "trouble_ticket_spec"]
EVENTS_API = "TMF621"


def specification_resource() -> Resource:
    spec = trouble_ticket_spec()
    return Resource(
        name="troubleTicketSpecification",
        type_name="TroubleTicketSpecification",
        spec=spec,
        create_schema="TroubleTicketSpecification_FVO",
        patch_schema="TroubleTicketSpecification_MVO",
        filterable=spec.scalar_properties("TroubleTicketSpecification") | set(TYPE_COLUMNS),
        read_permission=REQUEST_READ,
        write_permission=REQUEST_TYPE_WRITE,
        visible_ids=lambda _uow, _principal: None,  # the catalogue is public
        get=lambda uow, tid: RequestTypeCatalogue(uow).get(tid),
        list=lambda uow, f, o, lim, _ids: RequestTypeCatalogue(uow).list_types(f, o, lim),
        create=lambda uow, doc: RequestTypeCatalogue(uow).create(doc),
        replace=lambda uow, tid, doc: RequestTypeCatalogue(uow).replace(tid, doc),
        delete=lambda uow, tid: RequestTypeCatalogue(uow).delete(tid),
        document=lambda row: row.document,
        present=lambda row: {
            **row.document,
            "creationDate": iso(row.created_at),
            "lastUpdate": iso(row.updated_at),
        },
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(specification_resource(), prefix))
    api.include_router(ticket_router(prefix))
    api.include_router(hub_router(EVENTS_API, prefix, REQUEST_READ, version=5))
    return api


def event_views(settings: Settings) -> list[EventView]:
    """Tickets as served (the service emits them presented), request types as stored. The spec
    names the status events StatusChange (TroubleTicketResolvedEvent is not sent: a status
    change to resolved tells it)."""
    base = f"{settings.base_url}{settings.trouble_ticket_api_prefix}"
    return [
        EventView(
            EVENTS_API,
            name,
            name,
            type_name,
            dict,
            f"{base}/{name}",
            5,
            state_change="StatusChange",
        )
        for name, type_name in (
            ("troubleTicket", "TroubleTicket"),
            ("troubleTicketSpecification", "TroubleTicketSpecification"),
        )
    ]
