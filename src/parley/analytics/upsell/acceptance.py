"""The KPI "up-sell acceptance" (docs/analytics.md): of the offers first shown in a period,
how many customers accepted, refused, asked to be asked later, or never answered, by rule
and by offering. An offer counts in the period it was shown, with the answer it has now (an
answer given after the period still counts for it)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from parley.analytics.upsell.models import ACCEPTED, EXPIRED, LATER, REFUSED, SHOWN
from parley.analytics.upsell.repository import UpsellRepository
from parley.changes import UnitOfWork
from parley.errors import InvalidInput, NotFound
from parley.offers import OfferCatalogue

GROUPS = ("rule", "offering")
COUNTS = ("shown", ACCEPTED, REFUSED, LATER, "unanswered")
UNANSWERED = (SHOWN, EXPIRED)


@dataclass(frozen=True)
class Figures:
    shown: int = 0
    accepted: int = 0
    refused: int = 0
    later: int = 0
    unanswered: int = 0

    def plus(self, status: str, offers: int) -> "Figures":
        counts = {name: getattr(self, name) for name in COUNTS}
        counts["shown"] += offers
        counts["unanswered" if status in UNANSWERED else status] += offers
        return Figures(**counts)

    def document(self) -> dict:
        decided = self.accepted + self.refused
        return {
            **{name: getattr(self, name) for name in COUNTS},
            "acceptanceRate": _share(self.accepted, self.shown),
            "acceptanceOfAnswered": _share(self.accepted, decided),
        }


class UpsellAcceptance:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = UpsellRepository(uow.session)

    def figures(self, start: date, end: date, group_by: list[str]) -> dict:
        """Acceptance of the offers shown from ``start`` up to (not including) ``end``,
        grouped by ``rule`` and/or ``offering`` (none: the totals only)."""
        if end <= start:
            raise InvalidInput("to: after from", "to")
        unknown = [name for name in group_by if name not in GROUPS]
        if unknown:
            raise InvalidInput(
                f"groupBy: {unknown[0]} is not one of {', '.join(GROUPS)}", "groupBy"
            )
        since, until = _moment(start), _moment(end)
        total, groups = Figures(), {}
        for rule_code, offering_id, status, offers in self.repo.acceptance_counts(since, until):
            total = total.plus(status, offers)
            key = (
                rule_code if "rule" in group_by else None,
                offering_id if "offering" in group_by else None,
            )
            groups[key] = groups.get(key, Figures()).plus(status, offers)
        names = self._names({offering for _, offering in groups if offering}, since, until)
        shown = []
        for (rule_code, offering_id), figures in sorted(groups.items(), key=_order):
            group = {}
            if "rule" in group_by:
                group["rule"] = rule_code
            if "offering" in group_by:
                group["productOffering"] = {"id": offering_id, "name": names.get(offering_id)}
            shown.append({**group, **figures.document()})
        return {
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "groupBy": list(group_by),
            "total": total.document(),
            "groups": shown if group_by else [],
        }

    def _names(self, offering_ids: set[str], since: datetime, until: datetime) -> dict:
        catalogue, names = OfferCatalogue(self.uow), {}
        for offering_id in offering_ids:
            try:
                names[offering_id] = catalogue.get(offering_id).name
            except NotFound:  # gone from the catalogue: the name it was offered under
                names[offering_id] = self.repo.offering_name(offering_id, since, until)
        return names


def _order(item) -> tuple:
    (rule_code, offering_id), figures = item
    return (-figures.shown, rule_code or "", offering_id or "")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
