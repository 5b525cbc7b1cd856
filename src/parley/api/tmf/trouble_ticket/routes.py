"""TMF621 Trouble Ticket Management v5 mapped onto Manage Request: requests are troubleTickets,
request types are troubleTicketSpecifications (administrators manage them)."""

from functools import cache

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Events, Resource
from parley.api.tmf.trouble_ticket.spec import trouble_ticket_spec
from parley.api.tmf.trouble_ticket.tickets import ticket_resource
from parley.auth.permissions import REQUEST_READ, REQUEST_TYPE_WRITE
from parley.db.base import iso
from parley.requests.catalogue import TYPE_COLUMNS, RequestTypeCatalogue


@cache
def api() -> TMFApi:
    """Tickets are emitted as served (the service presents them), request types as stored.
    The spec names the status events StatusChange (TroubleTicketResolvedEvent is not sent: a
    status change to resolved tells it)."""
    spec = trouble_ticket_spec()
    specification = Resource(
        name="troubleTicketSpecification",
        type_name="TroubleTicketSpecification",
        spec=spec,
        collection=RequestTypeCatalogue,
        read_permission=REQUEST_READ,
        write_permission=REQUEST_TYPE_WRITE,
        columns=TYPE_COLUMNS,
        served=lambda row: {
            **row.document,
            "creationDate": iso(row.created_at),
            "lastUpdate": iso(row.updated_at),
        },
        events=Events(state_change="StatusChange"),
    )
    resources = (specification, ticket_resource(spec))
    return TMFApi("TMF621", 5, "trouble_ticket_api_prefix", spec, resources, REQUEST_READ)
