"""Fuzzy name candidates from the trigram index: the one place that differs by database.

PostgreSQL: pg_trgm word similarity over a GIN index of accent-folded display names (table
``party_name_search``, kept by a trigger; see migration 0002). The threshold follows
from the query's length and the number of slips allowed: a long name is held to a high threshold
(a cheap index scan), a short one to a lower one, and no right name is cut off by a fixed one.
SQLite: the FTS5 trigram table over "name city": every word of the query must share a trigram
with the row, best BM25 rank first (an OR of all the query's trigrams ranks far too many rows at
a million parties).
Either way the caller re-scores the candidates with rapidfuzz.

As the agent types, the first letters of one word are a prefix, not a name with slips in it:
``name_prefix_candidates`` finds the names with a word starting with them (PostgreSQL: a range
scan of ``party_name_word``, migration 0039), which a trigram look can only do by ranking every
name that shares a trigram with them.
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
# The LIMIT inside: only the nearest names are joined to their (wide) party rows.
_PG_CANDIDATES = text(
    "SELECT p.id, p.display_name, p.city, p.search_text FROM ("
    "SELECT party_id, parley_name_key(:q) <<-> name_key AS distance FROM party_name_search "
    "WHERE parley_name_key(:q) <% name_key ORDER BY distance, party_id LIMIT :limit"
    ") AS n JOIN party AS p ON p.id = n.party_id ORDER BY n.distance, n.party_id"
)
# Words sort by code point (COLLATE "C"): those starting with the prefix lie between it and it
# followed by the last code point. A party with two words that start alike ("Maria Marquez")
# comes twice; it is kept once.
_PG_WORD_STARTS = (
    'w.word >= parley_name_key(:prefix) COLLATE "C" '
    'AND w.word < (parley_name_key(:prefix) || chr(1114111)) COLLATE "C" '
)
# The same test on one party's own words: ``w.word || ''`` is no column the (word, party_id)
# key can range over, so each party's words are read through (party_id, word), a few entries,
# instead of the whole prefix range once per party (for "Valentin Vinc" at 1,000,000 customers:
# 2,600 buffers instead of 16,300).
_PG_OWN_WORD_STARTS = (
    "(w.word || '') >= parley_name_key(:prefix) COLLATE \"C\" "
    "AND (w.word || '') < (parley_name_key(:prefix) || chr(1114111)) COLLATE \"C\" "
)
_PG_PREFIX_CANDIDATES = text(
    "SELECT p.id, p.display_name, p.city, p.search_text FROM ("
    f"SELECT w.word, w.party_id FROM party_name_word AS w WHERE {_PG_WORD_STARTS}"
    "ORDER BY w.word, w.party_id LIMIT :limit"
    ") AS n JOIN party AS p ON p.id = n.party_id ORDER BY n.word, n.party_id"
)
# With whole words typed before the last: the parties holding all of them as words (an
# index-only scan each), each with its first word starting with the last (looked up by party:
# the prefix alone may be one letter, which a tenth of all words start with).
_PG_ANCHORED_PREFIX_CANDIDATES = text(
    'WITH anchor AS (SELECT DISTINCT parley_name_key(x) COLLATE "C" AS word '
    "FROM unnest(CAST(:anchors AS text[])) AS x) "
    "SELECT p.id, p.display_name, p.city, p.search_text FROM ("
    "SELECT w.word, a.party_id FROM ("
    "SELECT party_id FROM party_name_word WHERE word IN (SELECT word FROM anchor) "
    "GROUP BY party_id HAVING count(*) = (SELECT count(*) FROM anchor)"
    ") AS a CROSS JOIN LATERAL ("
    "SELECT w.word FROM party_name_word AS w "
    f"WHERE w.party_id = a.party_id AND {_PG_OWN_WORD_STARTS}"
    "ORDER BY w.word LIMIT 1) AS w "
    "ORDER BY w.word, a.party_id LIMIT :limit"
    ") AS n JOIN party AS p ON p.id = n.party_id ORDER BY n.word, n.party_id"
)
_PG_CITY_WORDS = text(
    "SELECT max(s.words) FROM unnest(CAST(:suffixes AS text[])) WITH ORDINALITY AS s(city, words) "
    "WHERE EXISTS (SELECT 1 FROM party_name_search WHERE city_key = parley_name_key(s.city))"
)
_SQLITE_CANDIDATES = text(
    "SELECT party.id, party.display_name, party.city, party.search_text "
    "FROM party_search JOIN party ON party.rowid = party_search.rowid "
    "WHERE party_search MATCH :match ORDER BY party_search.rank LIMIT :limit"
)
_WORD = re.compile(r"[^\W_]+")
# A slip (a wrong, missing, extra or swapped letter) changes at most 4 of a name's trigrams.
_TRIGRAMS_PER_SLIP = 4
_MIN_THRESHOLD, _MAX_THRESHOLD = 0.35, 0.8
_MAX_CITY_WORDS = 4  # "Bad Sankt Leonhard im Lavanttal" is rare enough


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


def name_prefix_candidates(session: Session, query: str, limit: int) -> list[NameCandidate]:
    """Parties whose name has a word starting with the last word of ``query`` (normalised)
    and, when words come before it, each of those as a whole word: what a search box
    has while its words are being typed. On SQLite, the trigram look (its FTS5 index is quick
    at it)."""
    if session.get_bind().dialect.name != "postgresql":
        return name_candidates(session, query, limit)
    *whole, prefix = query.split(" ")
    if not prefix:
        return []
    params = {"prefix": prefix, "limit": limit}
    statement = _PG_PREFIX_CANDIDATES
    if whole:
        params["anchors"] = whole
        statement = _PG_ANCHORED_PREFIX_CANDIDATES
    seen: dict[str, NameCandidate] = {}
    for row in session.execute(statement, params):
        seen.setdefault(row[0], NameCandidate(*row))
    return list(seen.values())


def widens(session: Session, query: str) -> bool:
    """Whether a look allowing two slips can find more than one allowing one (on PostgreSQL a
    short query is held to the lowest threshold either way, so the second look repeats the
    first)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return word_similarity_threshold(query, 2) < word_similarity_threshold(query, 1)


def city_words(session: Session, query: str) -> int:
    """How many of the last words of ``query`` name a city that some party lives in.

    Always 0 on SQLite, whose index holds the city along with the name. The name left in
    front keeps at least two words.
    """
    words = query.split(" ")
    if session.get_bind().dialect.name != "postgresql" or len(words) < 3:
        return 0
    longest = min(_MAX_CITY_WORDS, len(words) - 2)
    suffixes = [" ".join(words[-k:]) for k in range(1, longest + 1)]
    return session.scalar(_PG_CITY_WORDS, {"suffixes": suffixes}) or 0


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
    "a s", are in most rows), and words of one or two letters are left out; with two, the
    trigrams reaching into the neighbouring words too, so a word whose own trigrams were all hit
    by a slip still has some left. In three words or more the last may be a city the party no
    longer lives in: it only adds to the rank.
    """
    words = query.split(" ")
    groups, start = [], 0
    for word in words:
        end = start + len(word)
        inner = _trigrams(word)
        reach = _trigrams(query[max(0, start - 2) : end + 2])
        # A word too short to hold a trigram of its own ("an", "Li") narrows nothing down.
        group = reach if typos > 1 else inner
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
