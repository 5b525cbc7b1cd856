"""The Jinja2 sandbox message templates are rendered in, with bounds on what a template may make.

Jinja2's sandbox keeps a template from reaching Python internals, not from asking for a great
deal of work: ``{{ 'x' * 10**9 }}`` builds a gigabyte, ``{{ 10**10**8 }}`` a number that takes
minutes, nested ``range`` loops run for hours. Here the operators that can grow without bound
(``*``, ``**``, ``+``, ``%``) check what they would make before they make it, ``range`` is
shorter, and the output is counted while it is produced. Each bound broken is a
``TemplateBound`` naming it.

What these checks cannot see (a filter padding a text to a billion characters, a loop doubling a
text by ``~``) is bounded by the process the rendering runs in (``renderer.py``): a time budget
and a memory limit, so that no template can hold or kill an API process.
"""

import math
import re

from jinja2 import ChainableUndefined, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 100_000  # characters a rendered subject or body may have
MAX_SEQUENCE = 100_000  # characters of a text, or items of a list, that one operator may make
MAX_INTEGER_BITS = 1_024  # about 308 decimal digits: more than any amount or count in a message
MAX_RANGE = 10_000  # items of one range()
MAX_FORMAT_WIDTH = 1_000  # the widest field of a '%' format
_FORMAT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateBound(Exception):
    """A template asked for more than a bound allows; the message names the bound."""


def _sized(value) -> bool:
    return isinstance(value, str | list | tuple)


def _integer(value) -> bool:
    return isinstance(value, int)  # bool included: True * 'x' is 'x'


def check_power(base, exponent) -> None:
    growing = _integer(base) and _integer(exponent) and exponent > 0 and abs(base) > 1
    if growing and exponent * math.log2(abs(base)) > MAX_INTEGER_BITS:
        raise TemplateBound(
            f"'**' would make a number of more than {MAX_INTEGER_BITS} bits (the limit)"
        )


def check_product(left, right) -> None:
    for sequence, count in ((left, right), (right, left)):
        if _sized(sequence) and _integer(count) and len(sequence) * count > MAX_SEQUENCE:
            raise TemplateBound(
                f"'*' would make {len(sequence) * count} characters or items; "
                f"at most {MAX_SEQUENCE}"
            )
    numbers = _integer(left) and _integer(right)
    if numbers and abs(left).bit_length() + abs(right).bit_length() > MAX_INTEGER_BITS + 1:
        raise TemplateBound(
            f"'*' would make a number of more than {MAX_INTEGER_BITS} bits (the limit)"
        )


def check_sum(left, right) -> None:
    if _sized(left) and _sized(right) and len(left) + len(right) > MAX_SEQUENCE:
        raise TemplateBound(
            f"'+' would make {len(left) + len(right)} characters or items; at most {MAX_SEQUENCE}"
        )


def check_format(template, _values) -> None:
    if not isinstance(template, str):
        return
    for match in _FORMAT_FIELD.finditer(template):
        for width in match.groups():
            if width == "*" or (width and int(width) > MAX_FORMAT_WIDTH):
                raise TemplateBound(
                    f"'%': a field wider than {MAX_FORMAT_WIDTH} characters (the limit)"
                )


CHECKS = {"**": check_power, "*": check_product, "+": check_sum, "%": check_format}


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateBound(f"range() of {len(numbers)} numbers; at most {MAX_RANGE}")
    return numbers


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox with the operators that can grow without bound checked first (an
    intercepted operator is also never folded into a constant when the template is compiled,
    which would do the work before any check)."""

    intercepted_binops = frozenset(CHECKS)

    def __init__(self, **options):
        super().__init__(**options)
        self.globals["range"] = bounded_range

    def call_binop(self, context, operator: str, left, right):
        CHECKS[operator](left, right)
        return self.binop_table[operator](left, right)


class _Anything(ChainableUndefined):
    """A variable no one gave, in a trial rendering: it takes part in whatever the template does
    with it (arithmetic, comparisons, loops over nothing), so the rest of the template runs."""

    __slots__ = ()

    def _self(self, *_args, **_kwargs):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _self
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _self
    __mod__ = __rmod__ = __pow__ = __rpow__ = __pos__ = __neg__ = __call__ = _self

    def _false(self, _other) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false

    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0


def environment(trial: bool = False) -> BoundedSandbox:
    """Text messages, not HTML: nothing is escaped (an email body is sent as text/plain). A
    trial rendering (when a template is saved) fills what was not given with ``_Anything``."""
    return BoundedSandbox(
        undefined=_Anything if trial else StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def render_text(env: BoundedSandbox, field: str, text: str, variables: dict) -> str:
    """One text rendered, its output counted while it is made."""
    made, size = [], 0
    for piece in env.from_string(text).generate(variables):
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateBound(f"renders to more than {MAX_OUTPUT} characters (the limit)")
        made.append(piece)
    return "".join(made).strip()
