"""Name search tuned for a million parties (PostgreSQL; SQLite keeps its FTS5 table).

The trigram index moves from party."name city" to a narrow table of accent-folded display
names, party_name_search, kept in step with party by a trigger (as SQLite's FTS5 table is):
- names only: common city trigrams no longer swell every posting list (a third faster);
- narrow rows: a trigram index rechecks every row it returns, and at low thresholds that is
  thousands of rows, which from party's wide rows means as many page reads;
- folded once, on write: `parley_name_key()` folds stored names and queries alike but costs
  ~13 µs a call, too much to repeat for every row rechecked.
The folded city, with a btree, tells whether a query ends in a city ("... Krems an der Donau"),
which the name index doesn't hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import unicodedata

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Letters without a Unicode decomposition that people still write without their mark.
_EXTRA_FOLDS = {"ø": "o", "ł": "l", "đ": "d", "ı": "i", "ħ": "h", "ŧ": "t", "ŀ": "l"}


def _accent_folds() -> tuple[str, str]:
    """translate() arguments mapping accented Latin letters (either case) to plain lower case."""
    source, target = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        plain = _EXTRA_FOLDS.get(char.lower(), base.lower())
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and plain != char:
            source.append(char)
            target.append(plain)
    return "".join(source), "".join(target)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    source, target = _accent_folds()
    # PL/pgSQL rather than SQL: an inlined SQL function would put its 500-letter translate()
    # into every plan that uses it, costing a millisecond of planning each time.
    op.execute(
        "CREATE FUNCTION parley_name_key(name text) RETURNS text "
        "LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fold$ BEGIN RETURN translate("
        "replace(replace(replace(replace(lower(name), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), "
        f"'þ', 'th'), '{source}', '{target}'); END $fold$"
    )
    op.execute(
        "CREATE TABLE party_name_search ("
        "party_id varchar(36) PRIMARY KEY REFERENCES party (id) ON DELETE CASCADE, "
        "name_key text NOT NULL, city_key text)"
    )
    op.execute(
        "CREATE FUNCTION parley_party_name_search_sync() RETURNS trigger "
        "LANGUAGE plpgsql AS $sync$ BEGIN "
        "INSERT INTO party_name_search (party_id, name_key, city_key) VALUES "
        "(NEW.id, parley_name_key(NEW.display_name), parley_name_key(NEW.city)) "
        "ON CONFLICT (party_id) DO UPDATE "
        "SET name_key = EXCLUDED.name_key, city_key = EXCLUDED.city_key; "
        "RETURN NULL; END $sync$"
    )
    op.execute(
        "CREATE TRIGGER party_name_search_sync AFTER INSERT OR UPDATE OF display_name, city "
        "ON party FOR EACH ROW EXECUTE FUNCTION parley_party_name_search_sync()"
    )
    op.execute(
        "INSERT INTO party_name_search (party_id, name_key, city_key) "
        "SELECT id, parley_name_key(display_name), parley_name_key(city) FROM party"
    )
    op.execute(
        "CREATE INDEX ix_party_name_search_name_key ON party_name_search "
        "USING gin (name_key gin_trgm_ops)"
    )
    op.execute("CREATE INDEX ix_party_name_search_city_key ON party_name_search (city_key)")
    op.execute("DROP INDEX ix_party_search_text_trgm")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_party_search_text_trgm ON party USING gin (search_text gin_trgm_ops)"
    )
    op.execute("DROP TRIGGER party_name_search_sync ON party")
    op.execute("DROP FUNCTION parley_party_name_search_sync()")
    op.execute("DROP TABLE party_name_search")
    op.execute("DROP FUNCTION parley_name_key(text)")
