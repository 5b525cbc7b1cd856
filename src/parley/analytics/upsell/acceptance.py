"""The KPI "up-sell acceptance" (docs/analytics.md): of the offers first shown in a period,
how many customers accepted, refused, asked to be asked later, or never answered, by rule
and by offering. An offer counts in the period it was shown, with the answer it has now (an
answer given after the period still counts for it).

An offer can be answered only within the period (``PARLEY_UPSELL_PERIOD_DAYS``) after it
was shown, so the figures of older days no longer change: the workers roll them up
(``roll_up``, one row per day, rule and offering), and the KPI reads those rows for the
settled days and the offers themselves only for the recent ones.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from parley.analytics.upsell.models import EXPIRED, SHOWN
from parley.analytics.upsell.options import UpsellOptions
from parley.analytics.upsell.repository import BUCKETS, UpsellRepository, moment
from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.errors import InvalidInput, NotFound
from parley.offers import OfferCatalogue

GROUPS = ("rule", "offering")
COUNTS = BUCKETS  # shown, accepted, refused, later, unanswered
UNANSWERED = (SHOWN, EXPIRED)
MOST_DAYS_A_RUN = 400  # a first run over a long history rolls it up over a few runs


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
        counts[bucket(status)] += offers
        return Figures(**counts)

    def add(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, n) + getattr(other, n) for n in COUNTS))

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
        total, groups = Figures(), {}
        for rule_code, offering_id, figures in self._counts(start, end):
            total = total.add(figures)
            key = (
                rule_code if "rule" in group_by else None,
                offering_id if "offering" in group_by else None,
            )
            groups[key] = groups.get(key, Figures()).add(figures)
        names = self._names({o for _, o in groups if o}, moment(start), moment(end))
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

    def _counts(self, start: date, end: date):
        """(rule code, offering id, Figures): the rolled-up days' rows, then the offers of
        the days after them."""
        settled = self.repo.settled_until()
        if settled is not None and start < settled:
            rolled_up = self.repo.settled_counts(start, min(end, settled))
            for rule_code, offering_id, *counts in rolled_up:
                yield rule_code, offering_id, Figures(*(int(n) for n in counts))
        recent = max(start, settled) if settled is not None else start
        if recent < end:
            for rule_code, offering_id, status, offers in self.repo.acceptance_counts(
                moment(recent), moment(end)
            ):
                yield rule_code, offering_id, Figures().plus(status, offers)

    def roll_up(self, today: date | None = None) -> int:
        """Roll up the days whose offers can no longer be answered (shown more than the
        period ago) and are not yet; how many days. Safe to run in several workers at once:
        a day another rolled up meanwhile is left to theirs."""
        today = today or utcnow().date()
        final = today - timedelta(days=self.uow.options(UpsellOptions).period_days + 1)
        known = self.repo.settled_until(for_update=True)  # workers rolling up take turns
        start = known or self.repo.first_offer_day()
        if start is None or start >= final:
            return 0
        end = min(final, start + timedelta(days=MOST_DAYS_A_RUN))
        rows, day = [], start
        while day < end:
            counts: dict[tuple[str, str], Figures] = {}
            after = day + timedelta(days=1)
            for rule_code, offering_id, status, offers in self.repo.acceptance_counts(
                moment(day), moment(after)
            ):
                key = (rule_code, offering_id)
                counts[key] = counts.get(key, Figures()).plus(status, offers)
            rows += [
                {"day": day, "rule_code": rule, "offering_id": offering, **vars(figures)}
                for (rule, offering), figures in counts.items()
            ]
            day = after
        try:
            with self.uow.session.begin_nested():
                self.repo.settle(rows, end, known)
        except IntegrityError:  # another worker's first run, at the same moment
            return 0
        return (end - start).days

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


def bucket(status: str) -> str:
    """Where an offer of this status counts."""
    return "unanswered" if status in UNANSWERED else status


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
