"""Rendering message templates: Jinja2 in a sandbox, strict about what it is given, bounded.

Templates are written by administrators and filled with data about customers: the sandbox keeps
a template from reaching Python internals, and a variable the template names but the caller did
not give is an error when the message is made (or previewed), never a blank in a sent message.
A rendering is bounded in time, memory, output and arithmetic (``sandbox.py``) and runs in a
child process (``renderer.py``), so that a template asking for too much is a 400 naming the
bound, never a stalled or killed API process.
"""

from dataclasses import dataclass

from jinja2 import TemplateSyntaxError, meta

from parley.errors import InvalidInput, Unavailable
from parley.notifications.renderer import (
    BOUND,
    REFUSED,
    UNDEFINED,
    RendererUnavailable,
    RenderProblem,
    renderers,
)
from parley.notifications.sandbox import environment
from parley.outbox.sms import text_problem

_ENVIRONMENT = environment()  # parsing only: templates are rendered by the renderers
SMS_PARTS = 10  # concatenated segments an SMS may take, unless the caller knows the setting


class TemplateLimitExceeded(InvalidInput):
    """A template asked for more than a rendering bound allows (time, memory, output size,
    arithmetic): a 400 at preview and when it is saved; a message made from it at send time
    fails with this reason."""


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def _parsed(field: str, text: str):
    try:
        return _ENVIRONMENT.parse(text)
    except TemplateSyntaxError as error:
        raise InvalidInput(f"{field}: line {error.lineno}: {error.message}", field) from None
    except RecursionError:
        raise InvalidInput(f"{field}: nested too deeply to be read", field) from None


def check_syntax(field: str, text: str) -> None:
    _parsed(field, text)


def variables_of(*texts: str | None) -> list[str]:
    """The variables the texts use, which whoever sends such a message must give."""
    found: set[str] = set()
    for text in texts:
        if text:
            found |= meta.find_undeclared_variables(_parsed("template", text))
    return sorted(found)


def check_bounds(subject: str | None, body: str) -> None:
    """A trial rendering of a template being saved, with whatever it names standing in for the
    variables: a template that breaks a bound whatever it is given (``{{ 10**5000 }}``, loops
    for minutes) is refused now (400), not when a message is made from it. Other problems
    depend on the values given and wait for a preview or a message."""
    try:
        renderers().render(_texts(subject, body), {}, trial=True)
    except RenderProblem as problem:
        if problem.kind == BOUND:
            raise _invalid(problem) from None
    except RendererUnavailable as busy:
        raise Unavailable(str(busy)) from None


def render(
    channel: str, subject: str | None, body: str, variables: dict, sms_parts: int = SMS_PARTS
) -> Rendered:
    if not isinstance(variables, dict):
        raise InvalidInput("variables: must be an object of names and values", "variables")
    missing = [name for name in variables_of(subject, body) if name not in variables]
    if missing:
        raise InvalidInput(
            f"variables: the template needs {', '.join(missing)}, which were not given",
            "variables",
        )
    try:
        made = renderers().render(_texts(subject, body), variables, trial=False)
    except RenderProblem as problem:
        raise _invalid(problem) from None
    except RendererUnavailable as busy:
        raise Unavailable(str(busy)) from None
    rendered = Rendered(made[0] if subject else None, made[-1])
    problem = text_problem({"text": rendered.body}, sms_parts) if channel == "sms" else None
    if problem:
        raise InvalidInput(problem.replace("payload.text", "body"), "body")
    return rendered


def _texts(subject: str | None, body: str) -> list[tuple[str, str]]:
    return [("subject", subject), ("body", body)] if subject else [("body", body)]


def _invalid(problem: RenderProblem) -> InvalidInput:
    field, message = problem.field, problem.message
    if problem.kind == BOUND:
        return TemplateLimitExceeded(f"{field}: {message}", field)
    if problem.kind == UNDEFINED:  # e.g. an attribute the given value does not have
        return InvalidInput(f"{field}: {message}", "variables")
    if problem.kind == REFUSED:
        return InvalidInput(f"{field}: not allowed in a template ({message})", field)
    return InvalidInput(f"{field}: the template failed on the values given ({message})", field)
