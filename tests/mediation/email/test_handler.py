"""Mail in the inbound store, applied by the workers: the sender identified as a customer (by
address, then by a phone number in the signature), a new mail logged as an inbound email
interaction (with a request raised where the mailbox says so), an answer to Parley's mail
added to its request, Parley's own mail left alone, a malformed mail rejected and kept."""

from email.message import EmailMessage

from sqlalchemy import func, select

from parley.interactions.models import Interaction
from parley.mediation import REJECTED, InboundService
from parley.mediation.email import mail_key
from parley.mediation.models import InboundMessage
from parley.outbox.models import DELIVERED, OutboxMessage
from parley.requests.models import CustomerRequest
from parley.requests.service import RequestService
from parley.wiring import record_sent_email
from tests.mediation.conftest import reloaded
from tests.mediation.email.conftest import NORA, STRANGER, SUPPORT, make_mail, outcome_of
from tests.web.helpers import make_customer


def _sent(session, outbox_id: str, settings) -> OutboxMessage:
    """The outbox reports the email delivered (what its worker tells the listener)."""
    row = session.get(OutboxMessage, outbox_id)
    row.status = DELIVERED
    record_sent_email(session, row, DELIVERED, settings)
    session.commit()
    return row


def test_a_customers_mail_becomes_an_interaction_and_a_request(
    client, session, receive_mail, apply_mail
):
    nora = make_customer(client)
    mail = make_mail(subject="Internet not working", Message_ID="<first@example.org>")

    received = receive_mail(mail)
    apply_mail()
    apply_mail()  # nothing is applied twice
    outcome = outcome_of(session, received)

    assert outcome["customer"] == nora["id"] and outcome["identifiedBy"] == "email"
    interaction = session.get(Interaction, outcome["interaction"])
    assert (interaction.direction, interaction.channel, interaction.status) == (
        "inbound", "email", "completed",
    )  # fmt: skip
    assert interaction.customer_id == nora["id"]
    assert interaction.description == "Email: Internet not working"
    assert "my internet has been down" in interaction.document["note"][0]["text"]
    request = session.get(CustomerRequest, outcome["request"])
    assert request.customer_id == nora["id"] and request.interaction_id == interaction.id
    assert request.document["channel"]["id"] == "email"
    assert request.document["troubleTicketSpecification"]["name"] == "Fault repair"
    items = interaction.document["interactionItem"]
    assert [i["item"]["entity"]["id"] for i in items] == [request.id]
    # fault.repair tells the customer it was received: that notice is the acknowledgement
    assert outcome["notAcknowledged"] == "the request's own notice acknowledges it"
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1
    assert reloaded(session, received.id).command["email"]["messageId"] == "<first@example.org>"


def test_a_phone_number_in_the_signature_identifies_the_sender(client, session, applied):
    nora = make_customer(client)
    body = "Hi,\n\nplease call me back.\n\n-- \nNora K.\nMobil: 0171 333 4440\n"

    outcome = applied(make_mail(sender="nk@work.example", body=body))

    assert (outcome["customer"], outcome["identifiedBy"]) == (nora["id"], "phone")
    note = session.get(Interaction, outcome["interaction"]).document["note"]
    assert "Identified by the phone number +491713334440 in the mail." in [n["text"] for n in note]


def test_an_unknown_sender_is_logged_for_an_agent_and_acknowledged(session, applied):
    outcome = applied(make_mail(sender=STRANGER, subject="Prices?"))

    interaction = session.get(Interaction, outcome["interaction"])
    assert interaction.customer_id is None and outcome["customer"] is None
    assert f"No customer has the address {STRANGER}." in [
        n["text"] for n in interaction.document["note"]
    ]
    assert "request" not in outcome  # requests only for customers
    ack = session.get(OutboxMessage, outcome["acknowledged"])
    assert ack.destination == {"to": STRANGER, "from": SUPPORT}
    assert ack.payload["subject"] == "Re: Prices?"
    assert ack.payload["headers"]["Auto-Submitted"] == "auto-replied"


def test_an_answer_to_parleys_mail_goes_to_its_request(client, session, applied, mail_settings):
    nora = make_customer(client)
    first = applied(make_mail(subject="Hello", body="Just saying hi."))
    assert first["requestNotRaised"].startswith("ticketType: the request could not be classified")
    # A request of Nora's, and Parley's notice about it (an email through the outbox)
    request_id = applied(make_mail(subject="Outage again", body="No internet at all."))["request"]
    notice = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "email").order_by(
            OutboxMessage.created_at.desc())
    ).first()  # fmt: skip
    sent = _sent(session, notice.id, mail_settings)
    # She answers from another address, quoting the notice
    answer = make_mail(
        sender="nora.keller@elsewhere.example",
        subject="Re: " + sent.payload["subject"].replace("[#", "[ #"),  # the token spoiled
        body="It works again, thanks!\n\nOn Mon, Parley wrote:\n> Your request ...\n",
        In_Reply_To=sent.payload["headers"]["Message-ID"],
    )

    outcome = applied(answer)

    assert (outcome["request"], outcome["threadedBy"]) == (request_id, "answers")
    request = session.get(CustomerRequest, request_id)
    note = request.document["note"][-1]
    assert note["text"].startswith("Email from nora.keller@elsewhere.example: Re: ")
    assert note["text"].endswith("It works again, thanks!")  # the quote left out
    assert note["author"] == "email:nora.keller@elsewhere.example"
    interaction = session.get(Interaction, outcome["interaction"])
    assert interaction.customer_id == nora["id"]
    assert interaction.document["interactionItem"][0]["item"]["entity"]["id"] == request_id
    assert outcome["notAcknowledged"] == "a reply in a request's thread"


def test_a_subject_token_threads_only_the_requests_own_customer(client, session, applied):
    make_customer(client)
    request_id = applied(make_mail(body="Outage since noon."))["request"]
    reference = session.get(CustomerRequest, request_id).reference

    hers = applied(make_mail(subject=f"More [#{reference}]"))
    theirs = applied(make_mail(sender=STRANGER, subject=f"Spam [#{reference}]"))

    assert (hers["request"], hers["threadedBy"]) == (request_id, "subject")
    assert "threadedBy" not in theirs and theirs["customer"] is None


def test_mail_from_parleys_own_address_is_not_logged(session, applied):
    interactions = session.scalar(select(func.count()).select_from(Interaction))

    outcome = applied(make_mail(sender=SUPPORT, to=SUPPORT))

    assert outcome == {"ignored": f"sent from Parley's own address {SUPPORT}"}
    assert session.scalar(select(func.count()).select_from(Interaction)) == interactions


def test_a_malformed_mail_is_stored_rejected_with_the_reason_and_kept(
    session, receive_mail, apply_mail, uow
):
    broken = (
        b"From: Nora <nora@example.org>\nSubject: parts\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="BOUNDARY"\n\n'
        b"no boundary ever starts here\n"
    )
    no_sender = b"Subject: who am I\n\nnobody\n"

    first, second = receive_mail(broken), receive_mail(no_sender)
    done = apply_mail()

    assert (done.rejected, done.applied) == (2, 0)
    message = reloaded(session, first.id)
    assert message.state == REJECTED
    assert message.reason == (
        "content: malformed: a multipart mail whose boundary never starts "
        "(StartBoundaryNotFoundDefect)"
    )
    assert message.content == broken and message.source == "email"
    assert reloaded(session, second.id).reason == "from: malformed: no sender address"
    listed, total = InboundService(uow).find(_page(), state=REJECTED, source="email")
    assert total == 2 and {m.id for m in listed} == {first.id, second.id}


def test_the_same_mail_twice_is_one_message(store, receive_mail):
    with_id = make_mail(Message_ID="<once@example.org>")
    without_id = b"From: nora@example.org\nSubject: x\n\nno Message-ID\n"

    assert receive_mail(with_id).duplicate is False
    assert receive_mail(with_id + b"\n").duplicate is True  # the same Message-ID
    assert receive_mail(without_id).duplicate is False
    assert receive_mail(without_id).duplicate is True  # the same bytes
    assert mail_key(with_id) == "message-id:<once@example.org>"
    assert mail_key(without_id).startswith("sha256:")
    long_id = make_mail(Message_ID="<" + "x" * 300 + "@example.org>")
    assert len(mail_key(long_id)) < 200 and receive_mail(long_id).duplicate is False


def test_attachments_are_kept_in_the_mail_and_listed_on_the_interaction(client, session, applied):
    make_customer(client)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = NORA, SUPPORT, "My bill"
    message.set_content("The bill is attached.\n")
    message.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf",
                           filename="Rechnung März.pdf")  # fmt: skip

    outcome = applied(message.as_bytes())

    interaction = session.get(Interaction, outcome["interaction"])
    (attachment,) = interaction.document["attachment"]
    assert attachment["name"] == "Rechnung März.pdf"
    assert attachment["mimeType"] == "application/pdf"
    assert attachment["size"] == {"amount": 13, "units": "bytes"}
    assert (
        "Attachments (kept with the mail): Rechnung März.pdf"
        in (interaction.document["note"][0]["text"])
    )


def _page():
    from parley.db.repository import Page

    return Page({}, 0, 50)


def test_an_answer_to_a_request_deleted_since_is_a_new_mail(
    client, session, applied, mail_settings, uow
):
    make_customer(client)
    request_id = applied(make_mail(subject="Outage", body="No internet."))["request"]
    notice = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject_type == "communicationMessage")
    ).first()
    sent = _sent(session, notice.id, mail_settings)
    RequestService(uow).delete(request_id)
    session.commit()

    outcome = applied(make_mail(In_Reply_To=sent.payload["headers"]["Message-ID"]))

    assert "threadedBy" not in outcome and outcome["interaction"]
