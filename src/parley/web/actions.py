"""What every form of the console does with what the agent sent: run the change through the
services in a savepoint of the page's unit of work, and either keep it (committed with the
page) or undo all of it and say, beside the field it concerns, why it was refused.

A refusal is a domain error the services raise (``InvalidInput``, ``Conflict``,
``PreconditionFailed``, ``NotFound`` of something the form named) or a row another agent
changed meanwhile (the ORM's version check): nothing of the attempt is kept, and the page is
shown again with the message. The messages are the console's own, translated; a form maps
the service's field names to its own fields and to what to say (``Wording``), and what it has
no words for is said in general terms with the service's own detail.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm.exc import StaleDataError

from parley.errors import Conflict, DomainError, InvalidInput, NotFound, PreconditionFailed
from parley.web.access import Visitor
from parley.web.i18n import N_

T = TypeVar("T")
STALE = N_(
    "Someone else changed this since you opened it. Nothing was changed: the page now shows "
    "the current state; check it and try again."
)
CONFLICT = N_("This is not possible now: %(detail)s")
INVALID = N_("This is not valid: %(detail)s")
GONE = N_("Not found: %(detail)s")


@dataclass
class Refused(Exception):
    """What a form says when the change was refused: per field (``""``: the whole form)."""

    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Wording:
    """How a form speaks of the services' errors: ``fields`` maps a service's field name (or
    its first part, before a dot) to the form's field; ``messages`` a form field to the msgid
    said beside it (else the service's detail in general terms)."""

    fields: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    default_field: str = ""


def attempt(visitor: Visitor, change: Callable[[], T], wording: Wording = Wording()) -> T:
    """``change()`` in a savepoint, flushed; on a refusal everything it did is undone and
    ``Refused`` says why (translated)."""
    session = visitor.uow.session
    try:
        with session.begin_nested():
            result = change()
            session.flush()
    except StaleDataError:
        raise Refused({wording.default_field: visitor.locale.gettext(STALE)}) from None
    except (InvalidInput, Conflict, PreconditionFailed, NotFound) as error:
        raise Refused(say(visitor, error, wording)) from None
    return result


def say(visitor: Visitor, error: DomainError, wording: Wording = Wording()) -> dict[str, str]:
    """The form's field the error concerns, and what to say there."""
    gettext = visitor.locale.gettext
    if isinstance(error, PreconditionFailed):
        return {wording.default_field: gettext(STALE)}
    named = error.field or ""
    form_field = wording.fields.get(named)
    if form_field is None:
        form_field = wording.fields.get(named.split(".")[0].split("[")[0], wording.default_field)
    message = wording.messages.get(form_field)
    if message is not None and isinstance(error, InvalidInput):
        return {form_field: gettext(message)}
    general = (
        CONFLICT
        if isinstance(error, Conflict)
        else GONE
        if isinstance(error, NotFound)
        else INVALID
    )
    return {form_field: gettext(general) % {"detail": _detail(error)}}


def _detail(error: DomainError) -> str:
    """The service's message without its leading field name ("status: ...")."""
    text = error.message
    head, _, rest = text.partition(": ")
    if rest and " " not in head:
        return rest
    return text


def too_long(visitor: Visitor, text: str, longest: int) -> str | None:
    """The message for a text over ``longest`` characters (None: it fits)."""
    if len(text) <= longest:
        return None
    message = visitor.locale.gettext("At most %(count)s characters, please (this is %(given)s).")
    return message % {"count": longest, "given": len(text)}


def printable(text: str) -> str:
    """A one-line field as typed, without control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def text_block(text: str) -> str:
    """A multi-line field: line breaks kept, other control characters dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = ("".join(ch for ch in line if ch.isprintable() or ch == "\t") for line in lines)
    return "\n".join(line.rstrip() for line in kept).strip()
