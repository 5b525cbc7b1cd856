"""The handler of the ``email`` source: what a worker does with a mail in the inbound store.

``parse`` reads the raw mail (``reading``, ``replies``) into what it says, kept with the
message as its command; a mail that cannot be read is refused with the reason (rejected, kept
raw). ``apply`` acts on it, in the worker's transaction, as the sender (``email:<address>``,
channel ``email``):

- mail from one of Parley's own addresses is not logged (applied, ``ignored`` saying why):
  two of Parley's mailboxes never talk to each other through it;
- a reply in a request's thread (``threads``) becomes a note on the request and an inbound
  email interaction about it;
- any other mail becomes an inbound email interaction of the customer it identifies
  (``senders``; unidentified: of no one, for an agent to assign), with a request raised in it
  where the mailbox says so (classified as on any channel); a new mail is acknowledged unless
  the loop rules say no (``acknowledgement``).

Attachments stay in the raw message; the interaction lists them.
"""

import copy

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.errors import InvalidInput
from parley.interactions.service import InteractionService
from parley.mediation.email import acknowledgement
from parley.mediation.email.options import EmailOptions
from parley.mediation.email.reading import read_mail
from parley.mediation.email.replies import signature_phones, visible_reply
from parley.mediation.email.senders import Sender, identify_sender
from parley.mediation.email.threads import Threads, answering
from parley.mediation.handlers import Parsed
from parley.mediation.models import InboundMessage
from parley.mediation.references import customer_party
from parley.requests.catalogue import RequestTypeCatalogue, notifies_on
from parley.requests.service import RequestService

CHANNEL = "email"
MAX_NOTE = 10_000
ENVELOPE_FROM = "envelope-from"  # the stored header of LMTP's MAIL FROM (mediation/email/lmtp)


class EmailHandler:
    def parse(self, uow: UnitOfWork, message: InboundMessage) -> Parsed:
        read = read_mail(message.content, (message.headers or {}).get(ENVELOPE_FROM))
        reply = visible_reply(read.text)
        region = uow.options(EmailOptions).phone_region
        return Parsed(
            {
                "email": {
                    "messageId": read.message_id,
                    "from": read.sender,
                    "fromName": read.sender_name,
                    "replyTo": read.reply_to,
                    "returnPath": read.return_path,
                    "to": read.to,
                    "subject": read.subject,
                    "date": read.date,
                    "answers": read.answered_ids(),
                    "text": reply.text[:MAX_NOTE],
                    "quotedLeftOut": len(reply.text) < len(read.text.strip()),
                    "htmlOnly": read.html_only,
                    "phones": signature_phones(reply, region),
                    "attachments": [a.as_json() for a in read.attachments],
                    "defects": read.defects,
                    "automatic": read.automatic,
                }
            }
        )

    def apply(self, uow: UnitOfWork, message: InboundMessage, command: dict) -> dict:
        mail = command.get("email")
        if not isinstance(mail, dict) or not mail.get("from"):
            raise InvalidInput("command: not a parsed email; replay it to read it again")
        options = uow.options(EmailOptions)
        sender = mail["from"]
        if sender in options.own_addresses:
            return {"ignored": f"sent from Parley's own address {sender}"}
        uow = uow.acting_as(Actor(f"email:{sender}"[:150], CHANNEL))
        threads = Threads(uow)
        who = identify_sender(uow, sender, mail.get("phones") or [])
        request_id = threads.request_answered(mail.get("answers") or [])
        threaded_by = "answers" if request_id else None
        if request_id is None:
            request_id = threads.request_of_token(mail.get("subject") or "", who.customer_id)
            threaded_by = "subject" if request_id else None
        if request_id is not None:
            return self._reply(uow, message, mail, request_id, threaded_by, sender)
        return self._new(uow, message, mail, who, options.mailbox(message.received_by))

    # -- a reply in a request's thread ---------------------------------------------------

    def _reply(self, uow, message, mail, request_id, threaded_by, sender) -> dict:
        requests = RequestService(uow)
        request = requests.get(request_id)
        requests.add_note(request.id, _note_text(mail))
        interaction = InteractionService(uow).create(
            _interaction(mail, request.customer_id, f"Reply on request {request.reference}")
            | {"interactionItem": [_request_item(request.id)]}
        )
        Threads(uow).record_received(
            mail.get("messageId"), request.id, request.customer_id, sender, message.id
        )
        return {
            "request": request.id,
            "threadedBy": threaded_by,
            "interaction": interaction.id,
            "acknowledged": None,
            "notAcknowledged": "a reply in a request's thread",
        }

    # -- a new mail ----------------------------------------------------------------------

    def _new(self, uow, message, mail, who: Sender, mailbox) -> dict:
        interactions = InteractionService(uow)
        # A program's mail (an absence notice, a report) is logged, never made a request of.
        raising = (
            mailbox is not None
            and mailbox.raise_requests
            and who.customer_id is not None
            and not mail.get("automatic")
        )
        document = _interaction(mail, who.customer_id, "Email", who.note)
        if raising:
            document["status"] = "inProgress"  # a request is raised within it, then completed
        interaction = interactions.create(document)
        outcome: dict = {"interaction": interaction.id, "customer": who.customer_id}
        outcome["identifiedBy"] = who.by
        request = self._raise(uow, mail, who, interaction.id, outcome) if raising else None
        Threads(uow).record_received(
            mail.get("messageId"), request.id if request else None, who.customer_id,
            mail["from"], message.id,
        )  # fmt: skip
        if request is not None and notifies_on(
            RequestTypeCatalogue(uow).get(request.type_id), "received"
        ):
            decision = acknowledgement.Decision(None, "the request's own notice acknowledges it")
        else:
            decision = acknowledgement.decide(uow, mail, mailbox)
        outcome["notAcknowledged"] = decision.why_not
        outcome["acknowledged"] = None
        if decision.to is not None:
            outcome["acknowledged"] = acknowledgement.acknowledge(
                uow,
                mail,
                decision.to,
                mailbox,
                message.id,
                (who.customer_id, who.name or "") if who.customer_id else None,
                (request.id, request.reference) if request else None,
            )
        return outcome

    def _raise(self, uow, mail, who: Sender, interaction_id: str, outcome: dict):
        """A request raised within the interaction, classified by its text and channel; one
        that cannot be classified leaves the interaction alone, saying why."""
        document = {
            "@type": "TroubleTicket",
            "name": (mail.get("subject") or "Email")[:200],
            "description": (mail.get("text") or mail.get("subject") or "(no text)")[:4000],
            "channel": {"@type": "ChannelRef", "id": CHANNEL, "name": CHANNEL},
            "relatedParty": [customer_party(who.customer_id)],
            "relatedEntity": [
                {
                    "@type": "RelatedEntity",
                    "role": "interaction",
                    "entity": {
                        "@type": "EntityRef",
                        "id": interaction_id,
                        "@referredType": "PartyInteraction",
                    },
                }
            ],
        }
        interactions = InteractionService(uow)
        try:
            with uow.session.begin_nested(), answering(mail.get("messageId")):
                request = RequestService(uow).create(document)
        except InvalidInput as refusal:
            outcome["requestNotRaised"] = refusal.message
            request = None
        else:
            outcome["request"] = request.id
        done = copy.deepcopy(interactions.get(interaction_id).document)
        done["status"] = "completed"
        interactions.replace(interaction_id, done)
        return request


def _note_text(mail: dict) -> str:
    text = (mail.get("text") or "").strip() or "(no text)"
    head = f"Email from {mail['from']}: {mail.get('subject') or '(no subject)'}"
    if mail.get("date"):
        head += f" (written {mail['date']})"
    names = [a["filename"] for a in mail.get("attachments") or []]
    tail = f"\n\nAttachments (kept with the mail): {', '.join(names)}" if names else ""
    return f"{head}\n\n{text}{tail}"[:MAX_NOTE]


def _interaction(mail: dict, customer_id: str | None, what: str, said: str = "") -> dict:
    subject = mail.get("subject") or "(no subject)"
    notes = [_note_text(mail)]
    if said:
        notes.append(said)
    if mail.get("automatic"):
        notes.append(f"Sent by a program: {mail['automatic']}.")
    if mail.get("defects"):
        notes.append("Read despite defects: " + ", ".join(mail["defects"]) + ".")
    document: dict = {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "status": "completed",
        "description": f"{what}: {subject}"[:500],
        "relatedChannel": [
            {
                "@type": "RelatedChannel",
                "role": "contact",
                "channel": {"@type": "ChannelRef", "id": CHANNEL, "name": CHANNEL},
            }
        ],
        "note": [{"@type": "Note", "text": text} for text in notes],
    }
    if customer_id is not None:
        document["relatedParty"] = [customer_party(customer_id)]
    attachments = mail.get("attachments") or []
    if attachments:
        document["attachment"] = [
            {
                "@type": "Attachment",
                "name": item["filename"],
                "mimeType": item["contentType"],
                "size": {"amount": item["size"], "units": "bytes"},
                "description": "kept in the raw mail (inbound message)",
            }
            for item in attachments
        ]
    return document


def _request_item(request_id: str) -> dict:
    return {
        "@type": "InteractionItem",
        "item": {
            "@type": "RelatedEntityRefOrValue",
            "role": "request",
            "entity": {"@type": "EntityRef", "id": request_id, "@referredType": "TroubleTicket"},
        },
    }
