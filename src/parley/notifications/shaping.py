"""Emails shaped by a domain above notifications before they are queued: mediation's email
channel gives an email about a request its threading headers and the request's token in the
subject (``parley.wiring`` registers it). Notifications knows nothing of requests or threads:
a shaper gets the TMF681 message's document and the payload, and answers the payload to send.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.changes import UnitOfWork

# (unit of work, the message's document, the email payload) -> the payload to queue
EmailShaper = Callable[["UnitOfWork", dict, dict], dict]

_SHAPERS: list[EmailShaper] = []


def shape_emails_with(shaper: EmailShaper) -> None:
    if shaper not in _SHAPERS:
        _SHAPERS.append(shaper)


def shaped_email(uow: "UnitOfWork", document: dict, payload: dict) -> dict:
    for shaper in _SHAPERS:
        payload = shaper(uow, document, payload)
    return payload
