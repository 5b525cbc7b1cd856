"""TMF683 Party Interaction Management v5 mapped onto the interactions service."""

from collections.abc import Callable

import psycopg
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from parley.actor import Actor
from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import INTERACTION_DELETE, INTERACTION_READ, INTERACTION_WRITE
from parley.changes import UnitOfWork
from parley.events.views import EventView
from parley.interactions import projection
from parley.interactions.service import (
    LIST_COLUMNS,
    RESOURCE,
    InteractionService,
    needs_look_ups,
)
from parley.settings import Settings

SPEC_FILE = "TMF683-PartyInteraction-v5.0.0.oas.yaml"
EVENTS_API = "TMF683"


def interaction_resource() -> Resource:
    spec = load_spec(SPEC_FILE)
    return Resource(
        name="partyInteraction",
        type_name="PartyInteraction",
        spec=spec,
        create_schema="PartyInteraction_FVO",
        patch_schema="PartyInteraction_MVO",
        filterable=spec.scalar_properties("PartyInteraction") | set(LIST_COLUMNS),
        read_permission=INTERACTION_READ,
        write_permission=INTERACTION_WRITE,
        delete_permission=INTERACTION_DELETE,
        # A customer's own log-in sees the interactions of its customer only.
        visible_ids=lambda _uow, principal: principal.customer_scope(),
        scope_of=lambda row: row.customer_id,
        get=lambda uow, iid: InteractionService(uow).get(iid),
        list=lambda uow, f, o, lim, ids: InteractionService(uow).list_interactions(f, o, lim, ids),
        create=lambda uow, doc: InteractionService(uow).create(doc),
        create_direct=direct_logger(),
        replace=lambda uow, iid, doc: InteractionService(uow).replace(iid, doc),
        delete=lambda uow, iid: InteractionService(uow).delete(iid),
        document=lambda row: row.document,
        present=projection.present,
    )


def direct_logger(stored: Callable[[dict], dict] = lambda document: document, lenient=False):
    """Log an interaction in one statement on the event loop (PostgreSQL, the busiest write):
    no thread, no session of its own. None when it takes more (SQLite, look-ups): then the
    usual unit of work logs it. ``stored`` maps the checked document to the v5 one stored."""

    async def log_directly(request: Request, settings: Settings, document: dict, actor: Actor):
        writer = request.app.state.direct_writer
        if writer is None:
            return None
        document = stored(document)
        if needs_look_ups(document):
            return None
        # Built, not written, through the service: the session is unbound (no connection, no
        # I/O; a read by mistake fails loudly) and only carries the unit of work. uow: until
        # the repository makes this direct write.
        work = UnitOfWork(Session(), settings, actor)
        new = InteractionService(work).new_interaction(document, lenient)
        try:
            await writer.insert_together(new.rows)
        except psycopg.IntegrityError:  # the customer's key: the one reference left to it
            raise new.subject.unknown_customer() from None
        return new.record  # read for the answer only

    return log_directly


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(interaction_resource(), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, INTERACTION_READ, version=5))
    return api


def event_views(settings: Settings) -> list[EventView]:
    collection = f"{settings.base_url}{settings.interaction_api_prefix}/{RESOURCE}"
    return [
        EventView(
            EVENTS_API,
            RESOURCE,
            RESOURCE,
            "PartyInteraction",
            dict,  # the emitted document is the v5 one as served (projection.present)
            collection,
            5,
            state_change="StatusChange",  # TMF683 names it so
        )
    ]
