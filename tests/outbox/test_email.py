"""The email channel through the real outbox worker to a real SMTP server (aiosmtpd): the
rendered message and its headers, refusals, temporary failures, a server that is down or
restarts, STARTTLS with a verified certificate and AUTH."""

import pytest
from pydantic import SecretStr, ValidationError

from parley.errors import InvalidInput
from parley.outbox.channels import Attachment
from parley.outbox.models import DEAD, DELIVERED, PENDING
from parley.settings import Settings
from tests.outbox.conftest import drain, free_port, outbox_service, reloaded
from tests.outbox.smtp_server import SmtpServer, self_signed_certificate

SENDER = "Parley Service <service@example.net>"
CUSTOMER = "kunde@example.de"
GREETING = "Grüße aus Köln: Ihre Rechnung über 12,50 € ist da.\nÄÖÜ äöü ß"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def _enqueue(session, destination=None, payload=None, key=None):
    made = outbox_service(session).enqueue(
        "email",
        destination or {"to": CUSTOMER},
        payload or {"subject": "Ihre Rechnung", "body": GREETING},
        idempotency_key=key,
    )
    session.commit()
    return made


def _worker(make_worker, port, **overrides):
    return make_worker(smtp_host="127.0.0.1", smtp_port=port, smtp_from=SENDER, **overrides)


@pytest.mark.parametrize(
    "destination",
    [{}, {"to": "not-an-address"}, {"to": 42}, {"to": CUSTOMER, "replyTo": "x@"},
     {"to": CUSTOMER, "from": "no at sign"}],
)  # fmt: skip
def test_a_bad_address_is_refused_at_enqueue(session, destination):
    with pytest.raises(InvalidInput, match="destination"):
        outbox_service(session).enqueue("email", destination, {"subject": "s", "body": "b"})


def test_the_rendered_email_arrives_with_its_headers(session, make_worker, smtp):
    destination = {"to": CUSTOMER, "replyTo": "hilfe@example.net"}
    made = _enqueue(session, destination, {"subject": "Grüße, Ihre Rechnung", "body": GREETING},
                    key="invoice-2024-0042")  # fmt: skip

    assert _worker(make_worker, smtp.port).run_once() == 1

    (got,) = smtp.received
    assert got.mail_from == "service@example.net" and got.rcpt_tos == [CUSTOMER]
    headers = got.message
    assert headers["Message-ID"] == "<invoice-2024-0042@example.net>"
    assert headers["X-Parley-Idempotency-Key"] == "invoice-2024-0042"
    assert headers["From"] == SENDER and headers["To"] == CUSTOMER
    assert headers["Reply-To"] == "hilfe@example.net"
    assert headers["Subject"] == "Grüße, Ihre Rechnung"
    assert headers["Date"] is not None
    assert got.message.get_content_type() == "text/plain"
    assert got.message.get_content_charset() == "utf-8"
    assert got.message.get_content().rstrip("\n") == GREETING
    assert reloaded(session, made.id).status == DELIVERED


def test_a_destination_sender_wins_and_an_odd_key_gives_a_stable_message_id(
    session, make_worker, smtp
):
    _enqueue(session, {"to": CUSTOMER, "from": "billing@example.org"}, key="a key with spaces")
    _worker(make_worker, smtp.port).run_once()

    (got,) = smtp.received
    assert got.mail_from == "billing@example.org"
    message_id = got.message["Message-ID"]
    assert message_id.startswith("<sha256.") and message_id.endswith("@example.org>")
    assert got.message["X-Parley-Idempotency-Key"] == "a key with spaces"


def test_a_refused_recipient_is_a_dead_letter_at_once(session, make_worker, smtp):
    smtp.refuse_rcpt[CUSTOMER] = "550 5.1.1 <kunde@example.de>: mailbox unavailable"
    made = _enqueue(session)

    drain(_worker(make_worker, smtp.port))

    row = reloaded(session, made.id)
    assert (row.status, row.attempts) == (DEAD, 1)
    assert "550" in row.last_error and "mailbox unavailable" in row.last_error
    assert smtp.received == []


def test_a_temporary_failure_is_retried_then_delivered(session, make_worker, smtp):
    smtp.data_replies = ["451 4.3.0 Try again later"]
    made = _enqueue(session)
    worker = _worker(make_worker, smtp.port)

    worker.run_once()
    row = reloaded(session, made.id)
    assert row.status == PENDING and "451" in row.last_error and "Try again" in row.last_error

    drain(worker)
    row = reloaded(session, made.id)
    assert (row.status, row.attempts) == (DELIVERED, 2)
    assert len(smtp.received) == 1


def test_a_payload_without_a_subject_is_permanent(session, make_worker, smtp):
    made = _enqueue(session, payload={"body": "no subject"})
    _worker(make_worker, smtp.port).run_once()

    row = reloaded(session, made.id)
    assert row.status == DEAD and "payload.subject" in row.last_error


def test_a_server_that_is_down_is_retried_until_it_is_up(session, make_worker):
    port = free_port()
    made = _enqueue(session)
    worker = _worker(make_worker, port)

    worker.run_once()
    row = reloaded(session, made.id)
    assert row.status == PENDING and "refused" in row.last_error.lower()

    with SmtpServer(port) as server:
        drain(worker)
        assert len(server.received) == 1
    assert reloaded(session, made.id).status == DELIVERED


def test_the_connection_is_kept_and_made_again_after_the_server_restarts(session, make_worker):
    port = free_port()
    worker = _worker(make_worker, port)
    with SmtpServer(port) as server:
        _enqueue(session, key="first")
        _enqueue(session, key="second")
        drain(worker)
        connection = worker.adapters["email"].smtp
        assert [r.message["X-Parley-Idempotency-Key"] for r in server.received] == [
            "first", "second"
        ]  # fmt: skip
    with SmtpServer(port) as restarted:
        made = _enqueue(session, key="third")
        drain(worker)
        assert len(restarted.received) == 1
    assert connection is not worker.adapters["email"].smtp
    assert reloaded(session, made.id).status == DELIVERED


def test_starttls_with_a_trusted_certificate_and_auth(session, make_worker, certificate):
    cert, _key = certificate
    with SmtpServer(certificate=certificate, login=("parley", "s3cret")) as server:
        made = _enqueue(session)
        worker = _worker(
            make_worker, server.port, smtp_security="starttls", smtp_ca_file=str(cert),
            smtp_username="parley", smtp_password=SecretStr("s3cret"),
        )  # fmt: skip
        worker.run_once()
        worker.close()  # QUIT while the server runs: aiosmtpd leaks a TLS session cut off

        assert server.logins == ["parley"] and len(server.received) == 1
    assert reloaded(session, made.id).status == DELIVERED


def test_an_untrusted_certificate_is_never_accepted(session, make_worker, certificate):
    with SmtpServer(certificate=certificate) as server:
        made = _enqueue(session)
        _worker(make_worker, server.port, smtp_security="starttls").run_once()

        assert server.received == []
    row = reloaded(session, made.id)
    assert row.status == PENDING and "CERTIFICATE_VERIFY_FAILED" in row.last_error


def test_wrong_credentials_are_retried_not_dead(session, make_worker, certificate):
    cert, _key = certificate
    with SmtpServer(certificate=certificate, login=("parley", "s3cret")) as server:
        made = _enqueue(session)
        worker = _worker(
            make_worker, server.port, smtp_security="starttls", smtp_ca_file=str(cert),
            smtp_username="parley", smtp_password=SecretStr("wrong"),
        )  # fmt: skip
        worker.run_once()

        assert server.received == []
    row = reloaded(session, made.id)
    assert row.status == PENDING and "authentication failed" in row.last_error
    assert "535" in row.last_error


@pytest.mark.parametrize(
    ("values", "error"),
    [({"smtp_username": "parley"}, "smtp_security"),
     ({"smtp_from": "no address"}, "email address"),
     ({"outbox_lease_seconds": 12, "smtp_timeout_seconds": 15}, "webhook, SMTP, SMS")],
)  # fmt: skip
def test_settings_that_could_not_work_safely_are_refused(values, error):
    with pytest.raises(ValidationError, match=error):
        Settings(_env_file=None, **values)


# -- the default sender (issue 18: a default run dead-lettered every email) -----------------


@pytest.mark.parametrize(
    ("base_url", "sender"),
    [("https://cim.example-telco.de", "Parley <parley@cim.example-telco.de>"),
     ("http://Service.Example.NET:8080/parley/", "Parley <parley@service.example.net>"),
     ("https://care.example.com.", "Parley <parley@care.example.com>"),
     ("http://127.0.0.1:8000", None), ("http://[::1]:8000", None), ("http://10.1.2.3", None),
     ("http://localhost:8000", None), ("http://parley.localhost", None),
     ("http://testserver", None), ("http://printer.local", None)],
)  # fmt: skip
def test_the_default_sender_is_made_from_the_base_urls_domain_name(base_url, sender):
    settings = Settings(_env_file=None, base_url=base_url)
    assert settings.email_sender() == sender
    warned = any("emails have no sender" in w for w in settings.startup_warnings())
    assert warned == (sender is None)


def test_a_configured_sender_wins_over_the_derived_one():
    settings = Settings(
        _env_file=None, base_url="https://cim.example.com", smtp_from="Care <care@example.org>"
    )
    assert settings.email_sender() == "Care <care@example.org>"
    assert settings.startup_warnings() == []


def test_without_a_configured_sender_emails_go_from_the_base_urls_domain(
    session, make_worker, smtp
):
    made = _enqueue(session)
    worker = make_worker(
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from=None,
        base_url="https://cim.example-telco.de",
    )  # fmt: skip

    worker.run_once()

    (got,) = smtp.received
    assert got.mail_from == "parley@cim.example-telco.de"
    assert got.message["From"] == "Parley <parley@cim.example-telco.de>"
    assert reloaded(session, made.id).status == DELIVERED


def test_with_no_sender_to_be_had_emails_wait_instead_of_dying(session, make_worker, smtp):
    made = _enqueue(session)
    worker = make_worker(
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from=None, base_url="http://127.0.0.1:8000"
    )

    worker.run_once()

    row = reloaded(session, made.id)
    assert row.status == PENDING and "PARLEY_SMTP_FROM" in row.last_error
    assert smtp.received == []
    # Once the operator sets a sender, the waiting message goes.
    drain(_worker(make_worker, smtp.port))
    assert reloaded(session, made.id).status == DELIVERED


def test_the_start_up_warning_names_what_to_set(settings, capsys):
    from parley.app import create_app

    create_app(settings.model_copy(update={"base_url": "http://10.0.0.5:8000"}),
               check_schema=False).state.engine.dispose()  # fmt: skip

    (warning,) = [line for line in capsys.readouterr().out.splitlines() if "no sender" in line]
    assert "[warning" in warning and "PARLEY_SMTP_FROM" in warning and "10.0.0.5" in warning


def test_an_email_carries_its_attachments_whole(session, make_worker, smtp):
    report = bytes(range(256)) * 4096  # 1 MiB of every byte value: binary, not text
    table = "Gebiet,Größe\n10115,4\n".encode()
    made = outbox_service(session).enqueue(
        "email",
        {"to": CUSTOMER},
        {"subject": "Ihr Bericht", "body": GREETING},
        attachments=[
            Attachment("bericht.pdf", "application/pdf", report),
            Attachment("tabelle.csv", "text/csv", table),
        ],
    )
    session.commit()
    listed = reloaded(session, made.id).payload["attachments"]
    assert listed == [
        {"filename": "bericht.pdf", "contentType": "application/pdf", "size": len(report)},
        {"filename": "tabelle.csv", "contentType": "text/csv", "size": len(table)},
    ]

    drain(_worker(make_worker, smtp.port))

    (got,) = smtp.received
    assert got.message.get_content_type() == "multipart/mixed"
    body, *files = got.message.iter_parts()
    assert body.get_content().rstrip("\n") == GREETING
    assert [(f.get_filename(), f.get_content_type()) for f in files] == [
        ("bericht.pdf", "application/pdf"),
        ("tabelle.csv", "text/csv"),
    ]
    assert files[0].get_payload(decode=True) == report
    assert files[1].get_payload(decode=True) == table
    assert reloaded(session, made.id).status == DELIVERED


def test_only_an_email_carries_attachments(session):
    with pytest.raises(InvalidInput, match="attachments"):
        outbox_service(session).enqueue(
            "webhook",
            {"url": "https://crm.example.net/hook"},
            {"n": 1},
            attachments=[Attachment("a.csv", "text/csv", b"a")],
        )
