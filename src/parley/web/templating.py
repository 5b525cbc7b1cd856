"""Jinja2 templates of the web edge: autoescaped, translated with gettext, dates in the
reader's time zone; a whole page, or one of its blocks for an htmx partial
(``jinja2-fragments``), from the same template.

Templates are looked up in the application's own folder first (``console/templates``), then
in the shared one (``web/templates``: the layout, error page and macros a portal reuses).
"""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block, render_blocks

from parley.web.i18n import CURRENT, PageLocale

SHARED_TEMPLATES = Path(__file__).parent / "templates"


def _gettext(message: str) -> str:
    return CURRENT.get().gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return CURRENT.get().ngettext(singular, plural, n)


def _when(value, form: str = "medium") -> str:
    return CURRENT.get().when(value, form)


def _day(value, form: str = "medium") -> str:
    return CURRENT.get().day(value, form)


def _clock(value, form: str = "short") -> str:
    return CURRENT.get().clock(value, form)


def _money(value, currency: str) -> str:
    return CURRENT.get().money(value, currency)


class Templates:
    def __init__(self, *directories: Path, **globals_):
        self.env = Environment(
            loader=FileSystemLoader([*directories, SHARED_TEMPLATES]),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,  # a misspelt name fails the render, not shows nothing
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # newstyle: {{ _("Hello %(name)s", name=x) }} escapes x and formats after translating.
        self.env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
        self.env.filters.update(when=_when, day=_day, clock=_clock, money=_money)
        self.env.globals.update(globals_)

    def render(
        self,
        locale: PageLocale,
        name: str,
        context: dict,
        block: str | tuple[str, ...] | None = None,
    ) -> str:
        """The template ``name`` whole, or only its ``block`` (or blocks, one after another:
        an htmx partial with out-of-band parts)."""
        token = CURRENT.set(locale)
        try:
            if isinstance(block, tuple):
                return render_blocks(self.env, name, block, context)
            if block is not None:
                return render_block(self.env, name, block, context)
            return self.env.get_template(name).render(context)
        finally:
            CURRENT.reset(token)
