"""The up-sell rules a new installation starts with (migration 0034 seeds the same; a test
compares): a data add-on after repeated data-limit enquiries, a roaming pack after repeated
roaming questions. They name their offerings by BSS id (those of the demo catalogue, which
``parley demo`` imports): until the catalogue holds one, its rule offers nothing, and an
administrator points it at the installation's own offering (console: Up-sell rules)."""

from sqlalchemy.orm import Session

from parley.analytics.upsell.models import UpsellRule
from parley.analytics.upsell.repository import UpsellRepository
from parley.db.base import utcnow

DEFAULT_RULES: tuple[dict, ...] = (
    {
        "code": "data-addon",
        "name": "Data add-on after repeated data-limit enquiries",
        "description": "Two or more enquiries about the data allowance within a month",
        "active": True,
        "productOffering": {"externalId": "DEMO-DATA-10"},
        "signals": [{"kind": "interaction", "code": "usage.data", "weight": 1}],
        "windowDays": 30,
        "halfLifeDays": 14,
        "threshold": 1.5,
        "suppressionDays": 90,
    },
    {
        "code": "roaming-pack",
        "name": "Roaming pack after repeated roaming questions",
        "description": "Two or more questions about roaming within a month",
        "active": True,
        "productOffering": {"externalId": "DEMO-ROAM-EU-5"},
        "signals": [{"kind": "interaction", "code": "roaming", "weight": 1}],
        "windowDays": 30,
        "halfLifeDays": 10,
        "threshold": 1.5,
        "suppressionDays": 90,
    },
)


def ensure_default_rules(session: Session) -> None:
    """Add any default rule that is missing (the migration seeds them; tests empty tables)."""
    repo = UpsellRepository(session)
    for document in DEFAULT_RULES:
        if repo.rule_by_code(document["code"]) is None:
            now = utcnow()
            repo.add(
                UpsellRule(
                    code=document["code"],
                    name=document["name"],
                    active=document["active"],
                    document=dict(document),
                    created_at=now,
                    updated_at=now,
                    updated_by="parley",
                )
            )
