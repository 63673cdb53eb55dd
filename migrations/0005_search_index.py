"""Full-text search: the search_document table, indexed by SQLite FTS5 or PostgreSQL tsvector.

Not a peewee model: r2pnet/search.py reads and writes it, whatever the feature (its `kind`).
"""
from peewee import PostgresqlDatabase

# Accents folded inside the database, as r2pnet.search folds the query: NFD, drop the
# combining diacritical marks (U+0300-U+036F), NFC. normalize() needs a UTF8 database.
_FOLD = "normalize(regexp_replace(normalize({0}, NFD), '[\\u0300-\\u036f]', '', 'g'), NFC)"

POSTGRES_UP = [
    f"""CREATE TABLE search_document (
        kind VARCHAR(40) NOT NULL,
        object_id BIGINT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        document TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, {_FOLD.format('title')}), 'A')
            || setweight(to_tsvector('simple'::regconfig, {_FOLD.format('tags')}), 'B')
            || setweight(to_tsvector('simple'::regconfig, {_FOLD.format('body')}), 'C')
        ) STORED,
        CONSTRAINT search_document_kind_object_id PRIMARY KEY (kind, object_id))""",
    "CREATE INDEX search_document_document ON search_document USING GIN (document)",
]
POSTGRES_DOWN = ["DROP TABLE IF EXISTS search_document"]

# The documents live in a plain table (unique on kind + object_id, so replacing one is an
# indexed lookup); the FTS5 index takes its content from it, kept in step by triggers.
SQLITE_UP = [
    """CREATE TABLE search_document (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        object_id INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        UNIQUE (kind, object_id))""",
    """CREATE VIRTUAL TABLE search_document_fts USING fts5(
        title, body, tags, content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_document_after_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts (rowid, title, body, tags)
        VALUES (new.id, new.title, new.body, new.tags);
    END""",
    """CREATE TRIGGER search_document_after_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts (search_document_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
    END""",
    """CREATE TRIGGER search_document_after_update AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_document_fts (search_document_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
        INSERT INTO search_document_fts (rowid, title, body, tags)
        VALUES (new.id, new.title, new.body, new.tags);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_after_update",
    "DROP TRIGGER IF EXISTS search_document_after_delete",
    "DROP TRIGGER IF EXISTS search_document_after_insert",
    "DROP TABLE IF EXISTS search_document_fts",
    "DROP TABLE IF EXISTS search_document",
]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        encoding = db.execute_sql("SHOW server_encoding").fetchone()[0]
        if encoding.upper() not in ("UTF8", "UTF-8"):
            raise RuntimeError(f"r2pnet needs a UTF8 PostgreSQL database, not {encoding}")
        statements = POSTGRES_UP
    else:
        statements = SQLITE_UP
    for sql in statements:
        db.execute_sql(sql)


def down(migrator, db):
    for sql in POSTGRES_DOWN if isinstance(db, PostgresqlDatabase) else SQLITE_DOWN:
        db.execute_sql(sql)
