"""TMF681 Communication Management v4 mapped onto the notifications service.

Creating a ``communicationMessage`` queues it for sending; its ``state`` then follows the
delivery (initial, inProgress, completed or failed, or cancelled by a PATCH while not yet
sent). As lenient as the v4 conformance kit: empty ``receiver``/``sender`` objects are stored,
and such a message fails at once with the reason (``characteristic`` ``failureReason``).
"""

from functools import cache

from parley.api.tmf.kit.api import TMFApi
from parley.api.tmf.kit.resource import Resource
from parley.api.tmf.kit.spec import load_spec_requiring
from parley.auth.permissions import COMMUNICATION_READ, COMMUNICATION_WRITE
from parley.errors import InvalidInput
from parley.notifications.messages import SERVER_FIELDS, CommunicationService, presented
from parley.notifications.models import INITIAL
from parley.notifications.repository import MESSAGE_COLUMNS

SPEC_FILE = "TMF681-Communication-v4.0.0.swagger.json"
RESOURCE = "communicationMessage"
# The swagger requires content, sender and receiver; a message worded by a template
# (characteristic templateKind) has no content of its own: the service asks for one or the other.
LENIENT_REQUIRED = {"CommunicationMessage_Create": ["messageType", "receiver", "sender"]}


@cache
def api() -> TMFApi:
    spec = load_spec_requiring(SPEC_FILE, LENIENT_REQUIRED)
    message = Resource(
        name=RESOURCE,
        type_name="CommunicationMessage",
        spec=spec,
        collection=Messages,
        read_permission=COMMUNICATION_READ,
        write_permission=COMMUNICATION_WRITE,
        columns=MESSAGE_COLUMNS,
        served=presented,
    )
    # The swagger defines no event schemas: the TMF names apply (...StateChangeEvent).
    return TMFApi("TMF681", 4, "communication_api_prefix", spec, (message,), COMMUNICATION_READ)


class Messages(CommunicationService):
    def create(self, document: dict):
        """The server keeps the state and the sending times: a create may not set them."""
        if document.get("state", INITIAL) != INITIAL:
            raise InvalidInput("state: Parley sets it as the message is sent", "state")
        for server_field in (*SERVER_FIELDS, "state"):
            document.pop(server_field, None)
        return super().create(document)
