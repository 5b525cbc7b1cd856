"""Identify Contact: who is calling, from whatever the caller says.

Exact keys are tried first (customer number, phone in E.164, email, national id, account),
then fuzzy name (and city) candidates from the trigram index, re-scored with rapidfuzz.
Each candidate says why it matched. Customers who are disconnected or closed, and owners of a
number whose validity has ended, are found too but flagged and ranked after current ones.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from parley.changes import UnitOfWork
from parley.db.base import utcnow
from parley.db.search import (
    NameCandidate,
    city_words,
    name_candidates,
    name_prefix_candidates,
    widens,
)
from parley.parties.identification.repository import (
    CustomerBrief,
    IdentificationRepository,
    PartyBrief,
)
from parley.parties.models import INACTIVE_CUSTOMER_STATUSES
from parley.parties.normalize import (
    email_key,
    identifier_key,
    is_customer_number,
    phone_candidates,
    search_text,
)
from parley.parties.options import PartyOptions

EXACT, FORMER_KEY = 100.0, 85.0
FUZZY_CEILING = 95.0  # a fuzzy match never outranks an exact key
MIN_FUZZY_SCORE = 60.0
ONE_WORD_SHARE = 0.9
CITY_NAMED_SCORE = 85.0
CANDIDATE_POOL = 100  # per look at the trigram index, nearest first
CONVINCING_SCORE = 85.0  # a look that finds a name this close is not widened
MAX_FUZZY_CANDIDATES = 50
# As the agent types, the last word is looked up as a prefix (after whole words typed before
# it). The trigram looks (names with slips) follow when that finds nobody, or fewer than
# ENOUGH_BY_PREFIX once the last word has SLIPS_FROM letters (likely whole: "Greta Lindqvist"
# then also shows Greta Lindkvist, as the API's identification does). Not for one word of
# fewer letters, where a slip can't be told from a name not yet typed, and a trigram look
# ranks tens of thousands of names.
SLIPS_FROM, ENOUGH_BY_PREFIX = 5, 10
TYPED_CEILING = 90.0  # a name that starts as typed is a good guess, not an exact match


@dataclass
class Reason:
    field: str
    match: str  # "exact" or "fuzzy"
    value: str
    score: float
    historical: bool = False


@dataclass
class Candidate:
    party: PartyBrief
    customer: CustomerBrief | None
    relation: str = "engagedParty"
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> float:
        return max(r.score for r in self.reasons)

    @property
    def historical(self) -> bool:
        inactive = self.customer is not None and self.customer.status in INACTIVE_CUSTOMER_STATUSES
        return inactive or all(r.historical for r in self.reasons)


class Identifier:
    def __init__(self, uow: UnitOfWork):
        self.session = uow.session
        self.repo = IdentificationRepository(uow.session)
        self.options = uow.options(PartyOptions)

    def identify(
        self,
        query: str,
        limit: int = 10,
        now: datetime | None = None,
        as_you_type: bool = False,
    ) -> list[Candidate]:
        """Candidates for what a caller said, best first. ``as_you_type``: the query may end
        in the first letters of a word (a search box answering each key)."""
        now = now or utcnow()
        found: dict[tuple[str, str | None], Candidate] = {}
        self._exact(query.strip(), found, now)
        if "@" not in query and any(c.isalpha() for c in query):
            self._fuzzy(query, found, as_you_type)
        ranked = sorted(
            found.values(), key=lambda c: (c.historical, -c.score, c.party.display_name)
        )
        return ranked[:limit]

    # -- exact keys ----------------------------------------------------------------------

    def _exact(self, query: str, found: dict, now: datetime) -> None:
        """Every exact key the query could be, looked up in one statement."""
        phones = None
        if _phone_like(query):
            phones = phone_candidates(query, self.options.phone_region)
        ident = identifier_key(query)
        # Identifiers have digits; a name never reaches the national id or account lookup.
        ident = ident if ident and any(ch.isdigit() for ch in ident) else None
        rows = self.repo.exact(
            number=is_customer_number(query),
            phones=phones,
            email=email_key(query) if "@" in query else None,
            ident=ident,
            account=query if ident else None,
        )
        for row in rows:
            former = row.valid_to is not None and row.valid_to <= now
            score = FORMER_KEY if former else EXACT
            reason = Reason(row.field, "exact", row.value, score, former)
            self._add(found, row.party, row.customer, reason, row.relation)

    # -- fuzzy names ---------------------------------------------------------------------

    def _fuzzy(self, query: str, found: dict, as_you_type: bool) -> None:
        wanted = search_text(query)
        scored: dict[str, tuple[float, bool, NameCandidate]] = {}

        def score(rows: list[NameCandidate]) -> None:
            for row in rows:
                if row.id not in scored:
                    name_score = _similarity(wanted, search_text(row.display_name))
                    if as_you_type:
                        name = search_text(row.display_name)
                        name_score = max(name_score, _typed_similarity(wanted, name))
                    with_city = _similarity(wanted, row.search_text) if row.city else 0
                    scored[row.id] = (max(name_score, with_city), with_city > name_score, row)

        if as_you_type:
            score(name_prefix_candidates(self.session, wanted, CANDIDATE_POOL))
        last_word = wanted.rsplit(" ", 1)[-1]
        whole = len(last_word) >= SLIPS_FROM
        if (
            not as_you_type
            or (whole and len(scored) < ENOUGH_BY_PREFIX)
            or (not scored and (whole or " " in wanted))
        ):
            for text, typos in self._fuzzy_looks(wanted):
                if typos > 1 and as_you_type and scored:
                    break  # the next key is sooner than this slowest look
                score(name_candidates(self.session, text, CANDIDATE_POOL, typos))
                if max((s for s, _, _ in scored.values()), default=0) >= CONVINCING_SCORE:
                    break
        best = sorted(
            (item for item in scored.values() if item[0] >= MIN_FUZZY_SCORE),
            key=lambda item: -item[0],
        )[:MAX_FUZZY_CANDIDATES]
        if not best:
            return
        related: dict[str, list] = {}
        for row in self.repo.parties([r.id for _, _, r in best]):
            related.setdefault(row.party.id, []).append(row)
        for score, via_city, name_row in best:
            match = "exact" if score == 100 else "fuzzy"
            for row in related.get(name_row.id, []):
                party = row.party
                name_score = round(score * FUZZY_CEILING / 100, 1)
                self._add(
                    found,
                    party,
                    row.customer,
                    Reason("name", match, party.display_name, name_score),
                    row.relation,
                )
                if via_city and _names_city(wanted, party.city):
                    reason = Reason("city", match, party.city or "", name_score)
                    self._add(found, party, row.customer, reason, row.relation)

    def _fuzzy_looks(self, wanted: str) -> Iterator[tuple[str, int]]:
        """Ever wider looks at the name index, each taken only if those before found no close
        name: without a city at the end (PostgreSQL's index holds names only), allowing one
        slip; the whole query allowing one slip; allowing two."""
        city = city_words(self.session, wanted)
        if city:
            yield " ".join(wanted.split(" ")[:-city]), 1
        yield wanted, 1
        if widens(self.session, wanted):
            yield wanted, 2

    # -- collecting ----------------------------------------------------------------------

    @staticmethod
    def _add(found, party, customer, reason, relation) -> None:
        key = (party.id, customer.id if customer else None)
        candidate = found.setdefault(key, Candidate(party, customer, relation or "engagedParty"))
        candidate.reasons.append(reason)


def _phone_like(query: str) -> bool:
    digits = sum(ch.isdigit() for ch in query)
    return digits >= 6 and all(ch.isdigit() or ch in "+-()/. " for ch in query)


def _similarity(wanted: str, text: str) -> float:
    # ratio keeps a slip in a first letter from reordering the words (as token_sort_ratio
    # would); token_sort_ratio forgives "family, given" order.
    score = max(fuzz.ratio(wanted, text), fuzz.token_sort_ratio(wanted, text))
    if " " not in wanted:
        # One word ("Brandt", "Stadtwerke") is a part of the name: it matches a word of it,
        # a little below what the whole name would score.
        best_word = max((fuzz.ratio(wanted, word) for word in text.split()), default=0)
        score = max(score, best_word * ONE_WORD_SHARE)
    return score


def _typed_similarity(wanted: str, text: str) -> float:
    """How well ``wanted`` matches ``text`` with its last word read as the start of a word (the
    rest of it not typed yet); a guess below an exact match whatever it is."""
    last = wanted.rsplit(" ", 1)[-1]
    words = text.split()
    started = [word[: len(last)] if word.startswith(last) else word for word in words]
    if started == words and last not in words:
        return 0.0
    return min(TYPED_CEILING, _similarity(wanted, " ".join(started)))


def _names_city(wanted: str, city: str | None) -> bool:
    """Whether the query names the candidate's city (so a namesake elsewhere gets no city
    reason just because any city scored better than none)."""
    return bool(city) and fuzz.partial_ratio(search_text(city), wanted) >= CITY_NAMED_SCORE
