"""Fuzzy name candidates from the trigram index: the one place that differs by database.

PostgreSQL: pg_trgm word similarity over a GIN index. SQLite: the FTS5 trigram table,
matching any of the query's trigrams, best BM25 rank first. Either way the caller re-scores
the few hundred candidates with rapidfuzz.
"""

from sqlalchemy import text
from sqlalchemy.orm import Session

_PG_CANDIDATES = text(
    "SELECT id FROM party WHERE :q <% search_text ORDER BY :q <<-> search_text LIMIT :limit"
)
_SQLITE_CANDIDATES = text(
    "SELECT party.id FROM party_search JOIN party ON party.rowid = party_search.rowid "
    "WHERE party_search MATCH :match ORDER BY party_search.rank LIMIT :limit"
)


def name_candidates(session: Session, query: str, limit: int) -> list[str]:
    """Ids of parties whose name (and city) resemble ``query`` (already normalised)."""
    if len(query) < 3:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(_PG_CANDIDATES, {"q": query, "limit": limit}))
    trigrams = sorted({query[i : i + 3] for i in range(len(query) - 2)} - {"   "})
    match = " OR ".join('"' + t.replace('"', '""') + '"' for t in trigrams)
    return list(session.scalars(_SQLITE_CANDIDATES, {"match": match, "limit": limit}))
