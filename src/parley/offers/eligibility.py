"""Whether a customer may select an offering: sellable (Active or Launched), within its
validity, and offered to the customer's segment. The answer names why not, in words the
customer or the agent can act on."""

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


def refusal(
    offering: ProductOffering, segments: list[str], segment: str | None, now: datetime
) -> str | None:
    """Why a customer of ``segment`` may not select ``offering`` now, or None when it may."""
    if offering.lifecycle_status not in SELLABLE:
        if offering.lifecycle_status in ("Retired", "Obsolete"):
            return f"{offering.name} is retired and can no longer be ordered"
        return f"{offering.name} is not on sale yet"
    if offering.valid_from and _utc(offering.valid_from) > now:
        return f"{offering.name} can be ordered from {iso(_utc(offering.valid_from))}"
    if offering.valid_to and _utc(offering.valid_to) <= now:
        return f"{offering.name} could be ordered until {iso(_utc(offering.valid_to))}"
    if segments and segment not in segments:
        return (
            f"{offering.name} is offered to {' and '.join(segments)} customers only, "
            f"not to {segment or 'customers without a segment'}"
        )
    return None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
