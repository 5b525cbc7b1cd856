"""TMF681 Communication Management v4 mapped onto the notifications service.

Creating a ``communicationMessage`` queues it for sending; its ``state`` then follows the
delivery (initial, inProgress, completed or failed, or cancelled by a PATCH while not yet
sent). As lenient as the v4 conformance kit: empty ``receiver``/``sender`` objects are stored,
and such a message fails at once with the reason (``characteristic`` ``failureReason``).
"""

from functools import cache

from fastapi import APIRouter

from parley.api.tmf.hub import hub_router
from parley.api.tmf.kit.crud import Resource, crud_router
from parley.api.tmf.kit.spec import Spec, load_spec_requiring
from parley.auth.permissions import COMMUNICATION_READ, COMMUNICATION_WRITE
from parley.errors import InvalidInput
from parley.events.views import EventView
from parley.notifications.messages import SERVER_FIELDS, CommunicationService, presented
from parley.notifications.models import INITIAL
from parley.notifications.repository import MESSAGE_COLUMNS
from parley.settings import Settings

SPEC_FILE = "TMF681-Communication-v4.0.0.swagger.json"
EVENTS_API = "TMF681"
RESOURCE = "communicationMessage"
# The swagger requires content, sender and receiver; a message worded by a template
# (characteristic templateKind) has no content of its own: the service asks for one or the other.
LENIENT_REQUIRED = {"CommunicationMessage_Create": ["messageType", "receiver", "sender"]}


@cache
def lenient_spec() -> Spec:
    """Built once: the app's /docs and the router both use it."""
    return load_spec_requiring(SPEC_FILE, LENIENT_REQUIRED)


def communication_resource() -> Resource:
    spec = lenient_spec()
    return Resource(
        name="communicationMessage",
        type_name="CommunicationMessage",
        spec=spec,
        create_schema="CommunicationMessage_Create",
        patch_schema="CommunicationMessage_Update",
        filterable=spec.scalar_properties("CommunicationMessage") | set(MESSAGE_COLUMNS),
        read_permission=COMMUNICATION_READ,
        write_permission=COMMUNICATION_WRITE,
        collection=Messages,
        served=presented,
    )


class Messages(CommunicationService):
    def create(self, document: dict):
        """The server keeps the state and the sending times: a create may not set them."""
        if document.get("state", INITIAL) != INITIAL:
            raise InvalidInput("state: Parley sets it as the message is sent", "state")
        for server_field in (*SERVER_FIELDS, "state"):
            document.pop(server_field, None)
        return super().create(document)


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix)
    api.include_router(crud_router(communication_resource(), prefix))
    api.include_router(hub_router(EVENTS_API, prefix, COMMUNICATION_READ, version=4))
    return api


def event_views(settings: Settings) -> list[EventView]:
    """The swagger defines no event schemas: the TMF names apply (...StateChangeEvent)."""
    collection = f"{settings.base_url}{settings.communication_api_prefix}/{RESOURCE}"
    return [EventView(EVENTS_API, RESOURCE, RESOURCE, "CommunicationMessage", dict, collection, 4)]
