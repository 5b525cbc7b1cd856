"""What Parley sends about a request carries the headers that bring the answer back: its
Message-ID under Parley's domain, In-Reply-To and References naming the conversation so far,
and the request's token in the subject; once the outbox has sent it, its Message-ID is
recorded, and what is sent next answers it."""

import pytest
from sqlalchemy import select

from parley.mediation.email.models import EmailThreadMessage
from parley.mediation.email.threads import stored_id
from parley.outbox.models import DEAD, DELIVERED, OutboxMessage
from parley.outbox.worker import Worker
from parley.requests.models import CustomerRequest
from parley.wiring import record_sent_email
from tests.outbox.conftest import FAST
from tests.outbox.smtp_server import SmtpServer
from tests.requests.helpers import patch, raise_request
from tests.web.helpers import make_customer

DOMAIN = "care.example.com"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"smtp_from": f"Customer Care <care@{DOMAIN}>", **FAST})


def _emails(session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "email")
    rows = list(session.scalars(query.order_by(OutboxMessage.created_at)))
    session.commit()
    return rows


def test_a_requests_emails_are_one_conversation(engine, session, client, settings):
    nora = make_customer(client)
    ticket = raise_request(client, nora, description="No internet since Monday")
    with SmtpServer() as smtp:
        worker = Worker(engine, settings.model_copy(update={"smtp_port": smtp.port}))
        try:
            worker.run_once()  # received, in progress (its workflow starts it)
            assert patch(client, ticket, {"status": "pending"}).status_code == 200
            assert patch(client, ticket, {"status": "inProgress"}).status_code == 200
            worker.run_once()  # in progress again: sent after the others were
        finally:
            worker.close()

    received, progress, resumed = (mail.message for mail in smtp.received)
    reference = session.get(CustomerRequest, ticket["id"]).reference
    session.commit()
    for mail in (received, progress, resumed):
        assert mail["Subject"].endswith(f"[#{reference}]")
        assert mail["Message-ID"].endswith(f"@{DOMAIN}>")
    # queued together, before either was sent: neither answers the other
    assert "In-Reply-To" not in received and "In-Reply-To" not in progress
    sent_before = {received["Message-ID"], progress["Message-ID"]}
    assert resumed["In-Reply-To"] in sent_before
    assert set(resumed["References"].split()) == sent_before
    # each recorded once the outbox had sent it, with the request it is about
    recorded = list(session.scalars(select(EmailThreadMessage)))
    session.commit()
    assert {row.message_id for row in recorded} == {
        m["Message-ID"] for m in (received, progress, resumed)
    }
    assert {(r.direction, r.request_id, r.address) for r in recorded} == {
        ("out", ticket["id"], "nora@example.org")
    }


def test_only_what_was_delivered_is_recorded(session, client, settings):
    nora = make_customer(client)
    raise_request(client, nora)
    email, _progress = _emails(session)

    record_sent_email(session, email, DEAD, settings)  # the outbox gave up on it
    assert session.scalar(select(EmailThreadMessage.id)) is None

    record_sent_email(session, email, DELIVERED, settings)
    record_sent_email(session, email, DELIVERED, settings)  # told twice: recorded once
    rows = list(session.scalars(select(EmailThreadMessage)))
    assert [(r.message_id, r.outbox_message_id) for r in rows] == [
        (email.payload["headers"]["Message-ID"], email.id)
    ]


def test_a_message_naming_a_request_that_is_not_there_is_sent_unthreaded(session, client, as_user):
    response = client.post(
        "/tmf-api/communicationManagement/v4/communicationMessage",
        json={
            "@type": "CommunicationMessage",
            "messageType": "email",
            "subject": "Hello",
            "content": "A word from us.",
            "receiver": [{"email": "kai@example.net"}],
            "sender": {},
            "characteristic": [{"name": "aboutRequest", "value": "no-such-request"}],
        },
        headers=as_user("admin", "administrator"),
    )

    assert response.status_code == 201, response.text
    (email,) = _emails(session)
    assert email.payload == {"subject": "Hello", "body": "A word from us."}


def test_a_long_message_id_is_kept_as_its_digest():
    long = "<" + "a" * 300 + "@example.org>"

    assert stored_id("<short@example.org>") == "<short@example.org>"
    assert stored_id(long).startswith("<sha256.") and len(stored_id(long)) < 250
    assert stored_id(long) == stored_id(long)
