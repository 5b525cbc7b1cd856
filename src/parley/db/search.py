"""Fuzzy name candidates from the trigram index: the one place that differs by database.

PostgreSQL: pg_trgm word similarity over a GIN index of the accent-folded display name
(``parley_name_key``, migration 0002). The threshold follows from the query's length and the
number of slips allowed, so a long name is held to a high threshold (a cheap index scan) and a
short one to a lower one, and the right name is never cut off by a fixed threshold.
SQLite: the FTS5 trigram table over "name city": every word of the query must share a trigram
with the row, best BM25 rank first; an OR of all the query's trigrams ranks far too many rows
at a million parties.
Either way the caller re-scores the candidates with rapidfuzz.
"""

import re
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session


class NameCandidate(NamedTuple):
    id: str
    display_name: str
    city: str | None
    search_text: str


_PG_THRESHOLD = text("SELECT set_config('pg_trgm.word_similarity_threshold', :threshold, true)")
_PG_CANDIDATES = text(
    "SELECT id, display_name, city, search_text FROM party "
    "WHERE parley_name_key(:q) <% parley_name_key(display_name) "
    "ORDER BY parley_name_key(:q) <<-> parley_name_key(display_name), id LIMIT :limit"
)
_SQLITE_CANDIDATES = text(
    "SELECT party.id, party.display_name, party.city, party.search_text "
    "FROM party_search JOIN party ON party.rowid = party_search.rowid "
    "WHERE party_search MATCH :match ORDER BY party_search.rank LIMIT :limit"
)
_WORD = re.compile(r"[^\W_]+")
# A slip (a wrong, missing, extra or swapped letter) changes at most 4 of a name's trigrams.
_TRIGRAMS_PER_SLIP = 4
_MIN_THRESHOLD, _MAX_THRESHOLD = 0.3, 0.8


def name_candidates(
    session: Session, query: str, limit: int, typos: int = 1
) -> list[NameCandidate]:
    """Parties whose name (SQLite: name and city) resemble ``query`` (already normalised).

    ``typos`` is how many slips to allow for: 1 is a quick first look, 2 a wider (slower) one.
    """
    if len(query) < 3:
        return []
    if session.get_bind().dialect.name == "postgresql":
        threshold = word_similarity_threshold(query, typos)
        session.execute(_PG_THRESHOLD, {"threshold": f"{threshold:.3f}"})
        rows = session.execute(_PG_CANDIDATES, {"q": query, "limit": limit})
    else:
        match = fts_match(query, typos)
        if not match:
            return []
        rows = session.execute(_SQLITE_CANDIDATES, {"match": match, "limit": limit})
    return [NameCandidate(*row) for row in rows]


def word_similarity_threshold(query: str, typos: int) -> float:
    """The pg_trgm word similarity a name keeps after ``typos`` slips in ``query``.

    With n distinct trigrams in the query and k slips, the right name still shares n - 4k of
    them and the union grows to at most n + 4k, so its similarity is at least (n-4k)/(n+4k).
    """
    n = len(pg_trigrams(query))
    slack = _TRIGRAMS_PER_SLIP * typos
    bound = (n - slack) / (n + slack) - 0.02  # pg_trgm computes in float4
    return min(_MAX_THRESHOLD, max(_MIN_THRESHOLD, bound))


def pg_trigrams(query: str) -> set[str]:
    """The trigrams pg_trgm extracts: each word padded with two spaces before, one after."""
    found: set[str] = set()
    for word in _WORD.findall(query.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def fts_match(query: str, typos: int) -> str:
    """An FTS5 query: for each word, any of its trigrams (AND across words).

    With one slip allowed only trigrams inside a word count (those spanning a space, such as
    "a s", are in most rows); with two, the trigrams reaching into the neighbouring words too,
    so a word whose own trigrams were all hit by a slip still has some left. In three words or
    more the last may be a city the party no longer lives in: it only adds to the rank.
    """
    words = query.split(" ")
    groups, start = [], 0
    for word in words:
        end = start + len(word)
        inner = _trigrams(word)
        reach = _trigrams(query[max(0, start - 2) : end + 2])
        group = inner if inner and typos <= 1 else reach
        if group:
            groups.append("(" + " OR ".join(_fts_quote(t) for t in sorted(group)) + ")")
        start = end + 1
    if len(groups) >= 3:
        # "(last OR first)" is true whenever the first group is; BM25 still counts the last.
        groups[-1] = f"({groups[-1]} OR {groups[0]})"
    return " AND ".join(groups)


def _trigrams(segment: str) -> set[str]:
    return {segment[i : i + 3] for i in range(len(segment) - 2)} - {"   "}


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
