"""Mediation test set-up: the store over the test's sessions, a worker's batch in the test's
session, and a small handler of test messages (JSON naming a customer and a description,
logged as an interaction) registered for callbacks of type ``test.interaction``."""

import json
import random

import pytest

from parley.errors import InvalidInput
from parley.interactions.service import InteractionService
from parley.mediation import (
    CALLBACK,
    InboundApplier,
    InboundStore,
    Parsed,
    register_handler,
)
from parley.mediation.handlers import _HANDLERS
from parley.mediation.models import InboundMessage

TEST_TYPE = "test.interaction"


class InteractionHandler:
    """``{"customer": id, "description": text}`` becomes an inbound interaction; ``"fail":
    true`` fails as a bug would, every time (``failures`` counts the attempts)."""

    def __init__(self):
        self.failures = 0

    def parse(self, uow, message):
        try:
            body = json.loads(message.content)
        except ValueError:
            raise InvalidInput("content: not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("customer"), str):
            raise InvalidInput("customer: required", "customer")
        return Parsed({"logInteraction": body})

    def apply(self, uow, message, command):
        body = command["logInteraction"]
        if body.get("fail"):
            self.failures += 1
            raise RuntimeError("the test handler fails")
        document = {
            "@type": "PartyInteraction",
            "direction": "inbound",
            "status": "completed",
            "description": body.get("description") or "from a test callback",
            "relatedChannel": [{"role": "contact", "channel": {"id": "web"}}],
            "relatedParty": [
                {
                    "role": "customer",
                    "partyOrPartyRole": {"id": body["customer"], "@referredType": "Customer"},
                }
            ],
        }
        return {"interaction": InteractionService(uow).create(document).id}


@pytest.fixture
def handler():
    made = InteractionHandler()
    register_handler(CALLBACK, made, TEST_TYPE)
    yield made
    _HANDLERS.pop((CALLBACK, TEST_TYPE), None)


@pytest.fixture
def store(sessions) -> InboundStore:
    return InboundStore(sessions)


@pytest.fixture
def apply_due(session, settings):
    """``apply_due()``: one worker's pass over what is due, in the test's session (a retry is
    due within PARLEY_INBOUND_RETRY_MAX_DELAY_SECONDS: an hour, which ``clock`` can make
    pass)."""

    def run(limit: int = 100):
        done = InboundApplier(session, settings, random.Random(3)).apply_due(limit)
        session.commit()
        return done

    return run


def reloaded(session, message_id: str) -> InboundMessage:
    session.expire_all()
    return session.get(InboundMessage, message_id)


def receive_test(store, body, key: str | None = None, **options):
    """A test callback stored raw."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return store.receive(
        CALLBACK,
        content,
        received_by="test",
        content_type="application/json",
        transaction_type=TEST_TYPE,
        idempotency_key=key,
        **options,
    )


@pytest.fixture
def profiles(uow):
    """``profiles.save(document)``: a profile saved as an administrator would."""
    from parley.mediation.profile_service import ProfileService

    return ProfileService(uow)


def receive_partner(store, partner: str, content: bytes, content_type: str, **options):
    """A partner's message stored raw, as the partner API stores it."""
    return store.receive(
        "partner",
        content,
        received_by=f"{partner}-client",
        content_type=content_type,
        partner=partner,
        **options,
    )
