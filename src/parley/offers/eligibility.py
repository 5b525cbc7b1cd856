"""Whether a customer may select an offering: sellable (Active or Launched), within its
validity, offered to the customer's segment, and fitting the products the customer holds (an
offering's ``productOfferingRelationship`` of type ``requires`` names an offering whose product
the customer must hold, one of type ``excludes`` an offering whose product they must not).
The answer names why not, in words the customer or the agent can act on."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

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
    ``RETIRED``, ``NOT_RELEASED``, ``NOT_YET``, ``ENDED``, ``SEGMENT``, ``REQUIRES``,
    ``EXCLUDES``), ``text`` for the API, ``other`` the name of the product a product rule is
    about."""

    kind: str
    text: str
    other: str | None = None


UNKNOWN, RETIRED, NOT_RELEASED, NOT_YET, ENDED, SEGMENT = (
    "unknown",
    "retired",
    "notReleased",
    "notYet",
    "ended",
    "segment",
)
REQUIRES, EXCLUDES = "requires", "excludes"
PRODUCT_RULES = (REQUIRES, EXCLUDES)  # the relationshipTypes eligibility reads


@dataclass(frozen=True)
class ProductRule:
    """One of an offering's relationships eligibility reads: ``kind`` REQUIRES or EXCLUDES the
    offering ``offering`` (its id or its BSS id), called ``name``."""

    kind: str
    offering: str
    name: str


class HeldProduct(Protocol):
    """What eligibility needs of a product the customer holds (offers.products.Held)."""

    @property
    def name(self) -> str: ...

    def is_of(self, offering: str) -> bool: ...


def product_rules(document: dict) -> list[ProductRule]:
    """The ``requires`` and ``excludes`` relationships of an offering's document."""
    rules = []
    for related in document.get("productOfferingRelationship") or []:
        kind = str(related.get("relationshipType") or "").strip()
        if kind in PRODUCT_RULES and related.get("id"):
            rules.append(ProductRule(kind, related["id"], related.get("name") or related["id"]))
    return rules


def product_refusal(
    name: str, rules: Sequence[ProductRule], held: Sequence[HeldProduct]
) -> Refusal | None:
    """Why a customer holding ``held`` may not select the offering ``name`` with ``rules``."""
    for rule in rules:
        holding = [p for p in held if p.is_of(rule.offering)]
        if rule.kind == REQUIRES and not holding:
            return Refusal(
                REQUIRES,
                f"{name} requires {rule.name}, which the customer does not have",
                rule.name,
            )
        if rule.kind == EXCLUDES and holding:
            return Refusal(
                EXCLUDES,
                f"{name} can't be combined with {holding[0].name}, which the customer has",
                holding[0].name,
            )
    return None


def refusal(
    offering: ProductOffering,
    segments: list[str],
    segment: str | None,
    now: datetime,
    rules: Sequence[ProductRule] = (),
    held: Sequence[HeldProduct] = (),
) -> Refusal | None:
    """Why a customer of ``segment`` holding ``held`` may not select ``offering`` (with its
    product ``rules``) now, or None when it may."""
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
    return product_refusal(name, rules, held)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
