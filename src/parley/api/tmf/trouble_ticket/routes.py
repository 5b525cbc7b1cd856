"""TMF621 Trouble Ticket Management v5 mapped onto Manage Request: requests are troubleTickets,
request types are troubleTicketSpecifications (administrators manage them)."""

from fastapi import APIRouter

from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.trouble_ticket.spec import SPEC_FILE, trouble_ticket_spec
from parley.api.tmf.trouble_ticket.tickets import ticket_router
from parley.auth.permissions import REQUEST_READ, REQUEST_TYPE_WRITE
from parley.interactions.projection import iso
from parley.requests.catalogue import TYPE_COLUMNS, RequestTypeCatalogue

__all__ = ["SPEC_FILE", "router", "trouble_ticket_spec"]


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
        visible_ids=lambda _session, _settings, _principal: None,  # the catalogue is public
        get=lambda s, st, tid: RequestTypeCatalogue(s).get(tid),
        list=lambda s, st, f, o, lim, _ids: RequestTypeCatalogue(s).list_types(f, o, lim),
        create=lambda s, st, doc, who: RequestTypeCatalogue(s, who).create(doc),
        replace=lambda s, st, tid, doc, who: RequestTypeCatalogue(s, who).replace(tid, doc),
        delete=lambda s, st, tid, who: RequestTypeCatalogue(s, who).delete(tid),
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
    return api
