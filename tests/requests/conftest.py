import pytest
from sqlalchemy import select

from parley.outbox import channels
from parley.outbox.channels import Channel, Outcome
from parley.requests.models import RequestType
from tests.auth.helpers import bearer, login, make_user


class _Unsent:
    """A transport that is never asked (no worker runs here): only its kind matters."""

    def deliver(self, message):
        return Outcome.delivered()

    def close(self):
        pass


@pytest.fixture(autouse=True)
def email_and_sms():
    """Email and SMS channels, so customers' notices can be queued (the real transports are
    another branch's, and are tested there); a real channel registered already is kept."""
    added = [kind for kind in ("email", "sms") if channels.channel_for(kind) is None]
    for kind in added:
        channels.register_channel(Channel(kind, lambda _destination: None, lambda _s: _Unsent()))
    yield
    for kind in added:
        channels._CHANNELS.pop(kind, None)


@pytest.fixture
def customer_login(client, session, settings):
    """``customer_login(customer)``: headers of a self-service log-in for that customer."""

    def headers(customer: dict) -> dict:
        user = make_user(session, settings, "customer", kind="customer", customer_id=customer["id"])
        return bearer(login(client, user.user.username)["access_token"])

    return headers


@pytest.fixture
def without_workflows(session):
    """The request types name no workflow: for tests of the lifecycle itself, where an agent
    moves a request by hand (a workflow type that names no workflow still works that way)."""
    for request_type in session.scalars(select(RequestType)):
        if "workflow" in request_type.document:
            document = dict(request_type.document)
            document.pop("workflow")
            request_type.document = document
    session.commit()
