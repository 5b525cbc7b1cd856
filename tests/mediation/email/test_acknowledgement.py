"""Automatic acknowledgements and the rules against mail loops (RFC 3834): a new mail is
acknowledged, marked auto-replied and threaded with it; a program's mail, one bound for
Parley's own address and one past the sender's limit are not."""

import pytest

from parley.mediation.email.threads import with_token
from parley.outbox.channels import Message
from parley.outbox.email import payload_problem, render
from parley.outbox.models import OutboxMessage
from parley.settings import Mailbox
from tests.mediation.email.conftest import (
    STRANGER,
    SUPPORT,
    make_mail,
    outcome_of,
    support_mailbox,
)
from tests.web.helpers import make_customer


def _ack(session, outcome) -> OutboxMessage:
    assert outcome["notAcknowledged"] is None
    return session.get(OutboxMessage, outcome["acknowledged"])


def test_the_acknowledgement_answers_the_mail_and_says_it_is_automatic(session, applied):
    outcome = applied(
        make_mail(sender=STRANGER, subject="Prices?", Message_ID="<q1@example.net>",
                  Return_Path="<bounces+kai@lists.example.net>")
    )  # fmt: skip

    ack = _ack(session, outcome)
    # RFC 3834 section 4: to the Return-Path, not the From
    assert ack.destination == {"to": "bounces+kai@lists.example.net", "from": SUPPORT}
    headers = ack.payload["headers"]
    assert headers["In-Reply-To"] == "<q1@example.net>"
    assert headers["References"] == "<q1@example.net>"
    assert headers["Message-ID"].endswith("@parley.example.com>")
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["X-Auto-Response-Suppress"] == "All"
    assert ack.payload["body"].startswith("Hello,\n\nthank you for your message.")
    assert ack.payload["body"].endswith("This is an automatic acknowledgement.\n")
    assert ack.idempotency_key == f"mail-ack:{ack.subject_id}"
    # What the outbox's email channel makes of it
    assert payload_problem(ack.payload) is None
    email = render(Message(ack.id, "email", ack.destination, ack.payload, "k", 1), SUPPORT)
    assert email["Message-ID"] == headers["Message-ID"]
    assert email["In-Reply-To"] == "<q1@example.net>"
    assert email["Auto-Submitted"] == "auto-replied"


def test_a_customer_is_greeted_by_name_in_the_installations_language(
    client, session, applied, mail_settings, apply_mail, receive_mail
):
    make_customer(client)
    german = mail_settings.model_copy(update={"default_language": "de"})

    received = receive_mail(make_mail(subject="Hallo", body="Nur ein Gruß."))
    apply_mail(german)

    ack = _ack(session, outcome_of(session, received))
    assert ack.payload["subject"] == "AW: Hallo"
    assert ack.payload["body"].startswith("Guten Tag Nora Keller,\n\nvielen Dank")


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Auto_Submitted": "auto-replied"}, "a program sent it: Auto-Submitted: auto-replied"),
        ({"Auto_Submitted": "auto-generated"}, "a program sent it: Auto-Submitted: auto-gen"),
        ({"Precedence": "junk"}, "a program sent it: Precedence: junk"),
        ({"List_Id": "<l.example.net>"}, "a program sent it: a mailing list's mail (list-id)"),
        ({"Return_Path": "<>"}, "a program sent it: a bounce (empty Return-Path)"),
        ({"Return_Path": f"<{SUPPORT}>"}, f"{SUPPORT} is Parley's own address"),
    ],
)
def test_no_acknowledgement_where_it_could_start_a_loop(session, applied, headers, why):
    outcome = applied(make_mail(sender=STRANGER, **headers))

    assert outcome["acknowledged"] is None
    assert outcome["notAcknowledged"].startswith(why)


def test_a_mailer_daemon_gets_no_acknowledgement(session, applied):
    outcome = applied(make_mail(sender="MAILER-DAEMON@mx.example.net", subject="Undelivered"))

    assert outcome["acknowledged"] is None and "mailer-daemon" in outcome["notAcknowledged"]


def test_each_sender_gets_a_limited_number_of_acknowledgements(session, applied):
    outcomes = [applied(make_mail(sender=STRANGER, subject=f"Try {n}")) for n in range(5)]

    assert [o["acknowledged"] is not None for o in outcomes] == [True, True, True, False, False]
    assert outcomes[3]["notAcknowledged"] == (
        f"{STRANGER} had the acknowledgements it may have (3/hour, 10/day)"
    )
    # another sender has a limit of their own
    assert applied(make_mail(sender="eva@example.net"))["acknowledged"] is not None


def test_a_mailbox_may_acknowledge_nothing(session, applied, apply_mail, receive_mail, settings):
    quiet = settings.model_copy(
        update={"mail_mailboxes": [Mailbox(**support_mailbox(acknowledge=False))]}
    )
    received = receive_mail(make_mail(sender=STRANGER))
    apply_mail(quiet)

    assert outcome_of(session, received)["notAcknowledged"] == (
        "acknowledgements are off for this mailbox"
    )


def test_a_customers_absence_notice_is_logged_but_raises_no_request(client, session, applied):
    nora = make_customer(client)

    outcome = applied(
        make_mail(subject="Out of office: outage", body="I am away, no internet.",
                  Auto_Submitted="auto-replied")
    )  # fmt: skip

    assert outcome["customer"] == nora["id"] and "request" not in outcome
    assert outcome["acknowledged"] is None


def test_the_token_is_added_to_a_subject_once():
    assert with_token("Your request", "R-4821-77349") == "Your request [#R-4821-77349]"
    assert with_token("Re: x [#R-4821-77349]", "R-4821-77349") == "Re: x [#R-4821-77349]"


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"Subject": "x"}, "payload.headers: Subject is not one of"),
        ({"References": "<a@b>\r\nBcc: x@y"}, "payload.headers.References: one line"),
        ({"In-Reply-To": "<ä@b>"}, "one line of printable ASCII"),
        ({"Message-ID": ""}, "1 to 2000 characters"),
        ("nope", "payload.headers: an object"),
    ],
)
def test_the_outbox_sends_only_threading_headers(headers, problem):
    assert problem in payload_problem({"subject": "s", "body": "b", "headers": headers})
