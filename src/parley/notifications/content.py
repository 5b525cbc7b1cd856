"""What a TMF681 message says and where each copy goes: its content (literal, or a template's
with variables from the message's characteristics), and one receiver's address."""

from dataclasses import dataclass
from datetime import datetime

from parley.errors import InvalidInput
from parley.notifications.rendering import Rendered
from parley.notifications.templates import LANGUAGE as LANGUAGE_TAG
from parley.notifications.templates import TemplateCatalogue
from parley.outbox.sms import text_problem

TEMPLATE_KIND = "templateKind"
# The language a templated message is worded in where its receiver names none (its content as
# shown; requests/notify.py words its variables in it). Unset: the installation's default.
LANGUAGE = "language"
# Characteristics that steer the message rather than fill its template.
# ``aboutRequest``: the request an email is about, threaded with it (notifications/shaping.py).
STEERING = {TEMPLATE_KIND, "category", LANGUAGE, "aboutRequest"}


@dataclass(frozen=True)
class Target:
    address: str
    customer_id: str | None
    language: str | None
    not_before: datetime | None  # quiet hours

    def destination(self, sender: dict, channel: str) -> dict:
        """The outbox destination: the address, and the sender's own if the message names one
        (else the channel's configured sender)."""
        destination = {"to": self.address}
        given = sender.get("email") if channel == "email" else sender.get("phoneNumber")
        if given:
            destination["from"] = given
        return destination


@dataclass(frozen=True)
class Content:
    subject: str | None
    text: str

    def payload(self, channel: str) -> dict:
        if channel == "email":
            return {"subject": self.subject, "body": self.text}
        return {"text": self.text}


def message_content(
    templates: TemplateCatalogue,
    document: dict,
    channel: str,
    language: str | None,
    sms_parts: int,
) -> Content:
    """The text to send, rendered now: a template variable the message lacks is a 400 when the
    message is made, never a blank in what the customer reads."""
    characteristics = document.get("characteristic") or []
    kind = next((c.get("value") for c in characteristics if c.get("name") == TEMPLATE_KIND), None)
    if kind:
        own = next((c.get("value") for c in characteristics if c.get("name") == LANGUAGE), None)
        template = templates.choose(str(kind), channel, language or _language(own))
        variables = {
            c["name"]: c.get("value")
            for c in characteristics
            if c.get("name") and c["name"] not in STEERING
        }
        rendered: Rendered = templates.render(template, variables, sms_parts)
        # The template words all of it: content and subject shown on the message are copies.
        return Content(rendered.subject, rendered.body)
    text = document.get("content")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("content: the text to send, or a templateKind characteristic", "content")
    problem = text_problem({"text": text}, sms_parts) if channel == "sms" else None
    if problem:
        raise InvalidInput(problem.replace("payload.text", "content"), "content")
    subject = document.get("subject")
    if channel == "email" and not (isinstance(subject, str) and subject.strip()):
        raise InvalidInput("subject: an email needs one", "subject")
    return Content(subject.strip() if channel == "email" else None, text)


def _language(value) -> str | None:
    return value if isinstance(value, str) and LANGUAGE_TAG.fullmatch(value) else None


def parse_moment(value, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{field}: a date and time such as 2026-12-01T09:00:00Z", field
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{field}: give a time zone (e.g. Z)", field)
    return moment
