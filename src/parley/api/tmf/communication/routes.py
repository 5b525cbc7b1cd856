"""TMF681 Communication Management v4 mapped onto the notifications service.

Creating a ``communicationMessage`` queues it for sending; its ``state`` then follows the
delivery (initial, inProgress, completed or failed, or cancelled by a PATCH while not yet
sent). As lenient as the v4 conformance kit: empty ``receiver``/``sender`` objects are stored,
and such a message fails at once with the reason (``characteristic`` ``failureReason``).
"""

from fastapi import APIRouter

from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import load_spec
from parley.auth.permissions import COMMUNICATION_READ, COMMUNICATION_WRITE
from parley.errors import InvalidInput
from parley.interactions.projection import iso
from parley.notifications.messages import SERVER_FIELDS, CommunicationService
from parley.notifications.models import INITIAL
from parley.notifications.repository import MESSAGE_COLUMNS

SPEC_FILE = "TMF681-Communication-v4.0.0.swagger.json"


def communication_resource() -> Resource:
    spec = load_spec(SPEC_FILE)
    return Resource(
        name="communicationMessage",
        type_name="CommunicationMessage",
        spec=spec,
        create_schema="CommunicationMessage_Create",
        patch_schema="CommunicationMessage_Update",
        filterable=spec.scalar_properties("CommunicationMessage") | set(MESSAGE_COLUMNS),
        read_permission=COMMUNICATION_READ,
        write_permission=COMMUNICATION_WRITE,
        visible_ids=lambda _session, _settings, principal: principal.customer_scope(),
        scope_of=lambda row: row.customer_id,
        get=lambda s, st, mid: CommunicationService(s, st).get(mid),
        list=lambda s, st, f, o, lim, ids: CommunicationService(s, st).list_messages(
            f, o, lim, ids
        ),
        create=lambda s, st, doc, who: CommunicationService(s, st, who).create(_new(doc)),
        replace=lambda s, st, mid, doc, who: CommunicationService(s, st, who).replace(mid, doc),
        delete=lambda s, st, mid, who: CommunicationService(s, st, who).delete(mid),
        document=lambda row: row.document,
        present=present,
    )


def _new(document: dict) -> dict:
    """The server keeps the state and the sending times: a create may not set them."""
    if document.get("state", INITIAL) != INITIAL:
        raise InvalidInput("state: Parley sets it as the message is sent", "state")
    for server_field in (*SERVER_FIELDS, "state"):
        document.pop(server_field, None)
    if document.get("@type") in (None, "CommunicationMessage_Create"):
        document["@type"] = "CommunicationMessage"
    return document


def present(row) -> dict:
    body = {**row.document, "state": row.state, "tryTimes": row.try_times}
    if row.send_time:
        body["sendTime"] = iso(row.send_time)
    if row.send_time_complete:
        body["sendTimeComplete"] = iso(row.send_time_complete)
    if row.failure_reason:
        reason = {"name": "failureReason", "value": row.failure_reason}
        body["characteristic"] = [*(body.get("characteristic") or []), reason]
    return body


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(communication_resource(), prefix))
    return api
