"""TMF621 Trouble Ticket Management v5 mapped onto Manage Request: requests are troubleTickets,
request types are troubleTicketSpecifications (administrators manage them)."""

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.trouble_ticket.spec import SPEC_FILE, trouble_ticket_spec
from parley.api.tmf.trouble_ticket.tickets import ticket_resource
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
        collection=RequestTypeCatalogue,
        served=lambda row: {
            **row.document,
            "creationDate": iso(row.created_at),
            "lastUpdate": iso(row.updated_at),
        },
    )


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(specification_resource(), prefix))
    api.include_router(crud_router(ticket_resource(), prefix))
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
