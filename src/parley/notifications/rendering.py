"""Rendering message templates: Jinja2 in a sandbox, strict about what it is given.

Templates are written by administrators and filled with data about customers: the sandbox keeps
a template from reaching Python internals, and a variable the template names but the caller did
not give is an error when the message is made (or previewed), never a blank in a sent message.
"""

from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from parley.errors import InvalidInput
from parley.outbox.sms import text_problem

# Text messages, not HTML: nothing is escaped (an email body is sent as text/plain).
_ENVIRONMENT = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)
MAX_RENDERED = 100_000  # characters: a loop in a template must not make a message of megabytes
SMS_PARTS = 10  # concatenated segments an SMS may take, unless the caller knows the setting


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def check_syntax(field: str, text: str) -> None:
    try:
        _ENVIRONMENT.parse(text)
    except TemplateSyntaxError as error:
        raise InvalidInput(f"{field}: line {error.lineno}: {error.message}", field) from None


def variables_of(*texts: str | None) -> list[str]:
    """The variables the texts use, which whoever sends such a message must give."""
    found: set[str] = set()
    for text in texts:
        if text:
            found |= meta.find_undeclared_variables(_ENVIRONMENT.parse(text))
    return sorted(found)


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
    rendered = Rendered(
        _render("subject", subject, variables) if subject else None,
        _render("body", body, variables),
    )
    problem = text_problem({"text": rendered.body}, sms_parts) if channel == "sms" else None
    if problem:
        raise InvalidInput(problem.replace("payload.text", "body"), "body")
    return rendered


def _render(field: str, text: str, variables: dict) -> str:
    try:
        result = _ENVIRONMENT.from_string(text).render(variables)
    except UndefinedError as error:  # e.g. an attribute the given value does not have
        raise InvalidInput(f"{field}: {error.message}", "variables") from None
    except SecurityError as error:
        raise InvalidInput(f"{field}: not allowed in a template ({error})", field) from None
    except (TypeError, ValueError, ArithmeticError, OverflowError) as error:
        raise InvalidInput(f"{field}: the template failed on the values given ({error})") from None
    if len(result) > MAX_RENDERED:
        raise InvalidInput(f"{field}: renders to more than {MAX_RENDERED} characters", field)
    return result.strip()
