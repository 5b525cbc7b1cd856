"""The catalogue of message templates: one per kind of message, channel and language.

A kind names what a message is about (``request.received``, ``bill.issued``), so that the code
that sends it never holds its wording; administrators word it per channel and language, and the
language a customer prefers is chosen when the message is made, falling back to the base
language (``de`` for ``de-AT``) and then to the installation's default.
"""

import re

from parley.changes import CREATE, UPDATE, UnitOfWork
from parley.db.base import utcnow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.notifications.models import CATEGORIES, CHANNELS, MessageTemplate
from parley.notifications.options import NotificationOptions
from parley.notifications.rendering import (
    Rendered,
    check_bounds,
    check_syntax,
    render,
    variables_of,
)
from parley.notifications.repository import NotificationRepository

KIND = re.compile(r"[a-z][a-zA-Z0-9]*(?:[._-][a-zA-Z0-9]+)*")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?")
RESOURCE = "messageTemplate"
EDITABLE = {"subject", "body", "category", "active"}


class TemplateCatalogue:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = NotificationRepository(uow.session)

    def list_templates(self, kind=None, channel=None, language=None) -> list[MessageTemplate]:
        return self.repo.templates(kind, channel, language)

    def get(self, template_id: str) -> MessageTemplate:
        template = self.repo.template(template_id)
        if template is None:
            raise NotFound(f"No message template with id {template_id}")
        return template

    def create(self, values: dict) -> MessageTemplate:
        kind = _text("kind", values.get("kind"), 64)
        if not KIND.fullmatch(kind):
            raise InvalidInput("kind: letters and digits in parts joined by '.', '-' or '_'")
        channel = _choice("channel", values.get("channel"), CHANNELS)
        language = check_language(values.get("language"))
        if self.repo.template_for(kind, channel, language) is not None:
            raise Conflict(f"a template for {kind} by {channel} in {language} exists already")
        now = utcnow()
        template = MessageTemplate(
            kind=kind,
            channel=channel,
            language=language,
            category=_choice("category", values.get("category", "service"), CATEGORIES),
            active=True,
            created_at=now,
            updated_at=now,
        )
        self._word(template, values.get("subject"), values.get("body"))
        self.repo.add(template)
        self.uow.record(RESOURCE, CREATE, template.id, after=plain(template))
        return template

    def update(self, template_id: str, changes: dict) -> MessageTemplate:
        template = self.get(template_id)
        unknown = sorted(set(changes) - EDITABLE)
        if unknown:
            raise InvalidInput(f"{unknown[0]}: cannot be changed (only {', '.join(EDITABLE)})")
        before = plain(template)
        if "category" in changes:
            template.category = _choice("category", changes["category"], CATEGORIES)
        if "active" in changes:
            if not isinstance(changes["active"], bool):
                raise InvalidInput("active: true or false", "active")
            template.active = changes["active"]
        self._word(
            template, changes.get("subject", template.subject), changes.get("body", template.body)
        )
        template.updated_at = utcnow()
        self.repo.add(template)
        self.uow.record(RESOURCE, UPDATE, template.id, before=before, after=plain(template))
        return template

    def choose(self, kind: str, channel: str, language: str | None) -> MessageTemplate:
        """The active template of this kind and channel in the best language there is."""
        # The installation's language last (read here: listing and editing need no options).
        default = self.uow.options(NotificationOptions).default_language
        for candidate in _languages(language, default):
            template = self.repo.template_for(kind, channel, candidate)
            if template is not None and template.active:
                return template
        raise InvalidInput(f"no active {channel} template for {kind}", "kind")

    def render(self, template: MessageTemplate, variables: dict, sms_parts: int = 10) -> Rendered:
        return render(template.channel, template.subject, template.body, variables, sms_parts)

    def _word(self, template: MessageTemplate, subject, body) -> None:
        template.subject, template.body = check_wording(template.channel, subject, body)
        check_bounds(template.subject, template.body)  # what breaks a bound whatever it is given


def check_wording(channel: str, subject, body) -> tuple[str | None, str]:
    """A template's subject and body, checked: Jinja2 that parses, a subject for email only."""
    channel = _choice("channel", channel, CHANNELS)
    body = _text("body", body, 20_000)
    check_syntax("body", body)
    if channel == "email":
        subject = _text("subject", subject, 500)
        check_syntax("subject", subject)
    elif subject is not None:
        raise InvalidInput("subject: only an email template has one", "subject")
    return subject, body


def check_language(value) -> str:
    if not isinstance(value, str) or not LANGUAGE.fullmatch(value):
        raise InvalidInput("language: a language tag such as en, de or de-AT", "language")
    return value


def plain(template: MessageTemplate) -> dict:
    return {
        "id": template.id,
        "kind": template.kind,
        "channel": template.channel,
        "language": template.language,
        "category": template.category,
        "subject": template.subject,
        "body": template.body,
        "active": template.active,
        "variables": variables_of(template.subject, template.body),
    }


def _languages(wanted: str | None, default: str) -> list[str]:
    order = []
    if wanted:
        order += [wanted, wanted.split("-", 1)[0]]
    order.append(default)
    return list(dict.fromkeys(order))


def _text(name: str, value, longest: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name}: required text", name)
    if len(value) > longest:
        raise InvalidInput(f"{name}: at most {longest} characters", name)
    if "\x00" in value:
        raise InvalidInput(f"{name}: must not hold NUL characters", name)
    return value.strip()


def _choice(name: str, value, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"{name}: one of {', '.join(choices)}", name)
    return value
