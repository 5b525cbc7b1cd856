"""Name words for search as you type (PostgreSQL; SQLite's FTS5 table already serves it).

A trigram look for three or four typed letters matches tens of thousands of names at a million
parties ("mar" is in Maria, Martin, Markus, ...), and ranking them all by distance took 100 to
800 ms. ``party_name_word`` holds each word of a party's folded name (``parley_name_key``) in
a btree of C-collated text, so the names with a word starting with what was typed are one index
range scan that stops at the limit. It is kept by the same trigger as ``party_name_search``.

Revision ID: 0039
Revises: 0029
Create Date: 2026-12-07
"""

from alembic import op

revision = "0039"
down_revision = "0029"
branch_labels = None
depends_on = None

# The words of a folded name: split on anything that is not a letter or digit.
_WORDS = "regexp_split_to_table(parley_name_key({name}), '[^[:alnum:]]+')"


def _sync_function(with_words: bool) -> str:
    words = (
        "IF TG_OP = 'UPDATE' THEN DELETE FROM party_name_word WHERE party_id = NEW.id; END IF; "
        "INSERT INTO party_name_word (word, party_id) "
        f"SELECT DISTINCT w, NEW.id FROM {_WORDS.format(name='NEW.display_name')} AS w "
        "WHERE length(w) > 0; "
        if with_words
        else ""
    )
    return (
        "CREATE OR REPLACE FUNCTION parley_party_name_search_sync() RETURNS trigger "
        "LANGUAGE plpgsql AS $sync$ BEGIN "
        "INSERT INTO party_name_search (party_id, name_key, city_key) VALUES "
        "(NEW.id, parley_name_key(NEW.display_name), parley_name_key(NEW.city)) "
        "ON CONFLICT (party_id) DO UPDATE "
        "SET name_key = EXCLUDED.name_key, city_key = EXCLUDED.city_key; "
        f"{words}RETURN NULL; END $sync$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        'CREATE TABLE party_name_word (word text COLLATE "C" NOT NULL, '
        "party_id varchar(36) NOT NULL REFERENCES party (id) ON DELETE CASCADE, "
        "PRIMARY KEY (word, party_id))"
    )
    op.execute(
        "INSERT INTO party_name_word (word, party_id) "
        f"SELECT DISTINCT w, id FROM party, {_WORDS.format(name='display_name')} AS w "
        "WHERE length(w) > 0"
    )
    op.execute("CREATE INDEX ix_party_name_word_party ON party_name_word (party_id, word)")
    op.execute(_sync_function(with_words=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_sync_function(with_words=False))
    op.execute("DROP TABLE party_name_word")
