"""The version a form was made from, for records that carry no version number of their own
(leads, users, request types, templates, reasons): the time of their last change, which
every change sets. A form carries it; one made before the record's last change is refused
as stale, and nothing is overwritten."""

from datetime import datetime
from typing import Protocol

from parley.web.access import Visitor
from parley.web.actions import STALE, Refused
from parley.web.forms import Form

FIELD = "updated"


class Changed(Protocol):
    updated_at: datetime


def stamp(row: Changed) -> str:
    return row.updated_at.isoformat()


def check_fresh(visitor: Visitor, row: Changed, form: Form) -> None:
    if form.value(FIELD) != stamp(row):
        raise Refused({"": visitor.locale.gettext(STALE)})
