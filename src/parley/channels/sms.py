"""SMS keywords, as Kannel's MO (mobile-originated) ``sms-service`` hands them over.

``STATUS`` answers the latest request's status, ``HELP`` (and anything not understood) the
help text, ``STOP`` and ``START`` withdraw and give marketing consent (a preference change,
audited). Each message is one inbound interaction; the answer goes out through the outbox's
SMS channel. A message Kannel hands over twice (the same id) is answered once: its id keys a
(closed) session.
"""

from datetime import timedelta

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.channels.actions import Context, latest_requests
from parley.channels.caller import identify_caller
from parley.channels.models import ENDED, ChannelSession
from parley.channels.options import ChannelOptions
from parley.channels.recording import SessionLog
from parley.channels.repository import ChannelRepository
from parley.db.base import new_id, utcnow
from parley.notifications.preferences import PreferenceService, as_dict
from parley.outbox.service import OutboxService

KEYWORDS = ("STATUS", "HELP", "STOP", "START")
ANSWERS = {
    "en": {
        "help": "Send STATUS for your latest request, STOP to end offers, START to get them.",
        "stop": "You will get no more offers. Send START to get them again.",
        "start": "You will get our offers again. Send STOP to end them.",
        "unknown": "We cannot match your number to a customer. Please call customer care.",
    },
    "de": {
        "help": "STATUS: Ihre letzte Anfrage. STOP: keine Angebote mehr. START: wieder Angebote.",
        "stop": "Sie erhalten keine Angebote mehr. Senden Sie START, um sie wieder zu erhalten.",
        "start": "Sie erhalten wieder unsere Angebote. Senden Sie STOP, um sie zu beenden.",
        "unknown": "Wir können Ihre Nummer keinem Kunden zuordnen. Bitte rufen Sie uns an.",
    },
}


class SmsKeywords:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = ChannelRepository(uow.session)
        self.options = uow.options(ChannelOptions)

    def handle(self, msisdn: str, text: str, message_id: str) -> str | None:
        """Answer one message (None: already answered)."""
        if self.repo.last_session("sms", message_id) is not None:
            return None
        uow = self.uow.acting_as(Actor(f"sms:{msisdn}"[:150], "sms"))
        caller = identify_caller(uow, msisdn)
        language = self.options.language
        preferences = PreferenceService(uow)
        if caller.customer_id is not None:
            preferred = (preferences.get(caller.customer_id).language or "")[:2]
            language = preferred if preferred in ANSWERS else language
        keyword = (text.strip().split() or [""])[0].upper()
        words = ANSWERS[language]
        if keyword not in KEYWORDS or keyword == "HELP":
            answer = words["help"]
        elif caller.customer_id is None:
            answer = words["unknown"]
        elif keyword == "STATUS":
            context = Context("sms", msisdn, caller.customer_id, None, language)
            answer = latest_requests(uow, {}, context).text.split("\n")[0]
        else:
            values = as_dict(preferences.get(caller.customer_id))
            values["marketingOptOut"] = keyword == "STOP"
            preferences.replace(
                caller.customer_id, {k: v for k, v in values.items() if v is not None}
            )
            answer = words[keyword.lower()]
        self._log(uow, msisdn, caller.customer_id, language, message_id, text, keyword, answer)
        OutboxService(uow).enqueue(
            "sms", {"to": msisdn}, {"text": answer}, idempotency_key=f"sms-mo:{message_id}"[:200]
        )
        return answer

    def _log(self, uow, msisdn, customer_id, language, message_id, text, keyword, answer):
        now = utcnow()
        row = ChannelSession(
            id=new_id(),
            channel="sms",
            gateway="kannel",
            session_key=message_id[:200],
            msisdn=msisdn[:32],
            menu_code="keywords",
            language=language,
            customer_id=customer_id,
            status=ENDED,
            step=1,
            state={
                "path": [
                    {"screen": keyword or "(empty)", "input": text[:160], "at": now.isoformat()}
                ]
            },
            expires_at=now + timedelta(seconds=1),
            created_at=now,
            updated_at=now,
        )
        log = SessionLog(uow)
        row.interaction_id = log.open(row).id
        self.repo.add(row)
        log.close(row, ENDED, note=f"Answered: {answer}")
