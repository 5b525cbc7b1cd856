"""Whether a customer may select an offering: sellable (Active or Launched), within its
validity, and offered to the customer's segment. The answer names why not, in words the
customer or the agent can act on."""

from dataclasses import dataclass
from datetime import UTC, datetime

from parley.db.base import iso
from parley.offers.models import SELLABLE, ProductOffering

SEGMENT = "segment"  # the customer characteristic naming its segment (residential, business)


def segment_of(customer_document: dict) -> str | None:
    value = next(
        (
            c.get("value")
            for c in customer_document.get("characteristic") or []
            if c.get("name") == SEGMENT
        ),
        None,
    )
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Refusal:
    """Why not: ``kind`` for the screens to say in the reader's language (``UNKNOWN``,
    ``RETIRED``, ``NOT_RELEASED``, ``NOT_YET``, ``ENDED``, ``SEGMENT``), ``text`` for the API."""

    kind: str
    text: str


UNKNOWN, RETIRED, NOT_RELEASED, NOT_YET, ENDED, SEGMENT = (
    "unknown",
    "retired",
    "notReleased",
    "notYet",
    "ended",
    "segment",
)


def refusal(
    offering: ProductOffering, segments: list[str], segment: str | None, now: datetime
) -> Refusal | None:
    """Why a customer of ``segment`` may not select ``offering`` now, or None when it may."""
    name = offering.name
    if offering.lifecycle_status not in SELLABLE:
        if offering.lifecycle_status in ("Retired", "Obsolete"):
            return Refusal(RETIRED, f"{name} is retired and can no longer be ordered")
        return Refusal(NOT_RELEASED, f"{name} is not on sale yet")
    if offering.valid_from and _utc(offering.valid_from) > now:
        return Refusal(NOT_YET, f"{name} can be ordered from {iso(_utc(offering.valid_from))}")
    if offering.valid_to and _utc(offering.valid_to) <= now:
        return Refusal(ENDED, f"{name} could be ordered until {iso(_utc(offering.valid_to))}")
    if segments and segment not in segments:
        return Refusal(
            SEGMENT,
            f"{name} is offered to {' and '.join(segments)} customers only, "
            f"not to {segment or 'customers without a segment'}",
        )
    return None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
