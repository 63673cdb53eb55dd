"""Each field's adjacent words are indexed as one more word, so phrases are quick.

A phrase of two common words ("early warning") made FTS5 check the positions of both words in
every document holding them, four times a search (the walk, bm25's document count and the two
tiers): 28 ms at 100,000 lessons, where single words took 12. Now `title_pairs`,
`body_pairs` and `tags_pairs` hold each field's words two by two as FTS5 reads them (joined by
r2pnet.search.PAIR_JOINER), written by r2pnet.search.with_word_pairs, and the FTS5 table
indexes them as three more columns. r2pnet/search.py asks a phrase of two words as its pair.
Existing documents get their pairs here.

PostgreSQL (140-210 ms for that phrase: GIN cannot check positions, so every document holding
both words was read again): a second tsvector, `pairs`, holds each two lexemes at side-by-side
positions of the document as one lexeme ('early warning'), computed by `search_word_pairs` from
the document's own positions, without positions itself, and has its own GIN index. The
document is unchanged (kept in its row: holding the pairs too, it went to the TOAST table and
every search slowed). `search_phrase_filter` gives, for a query without OR, the pairs of its
phrases that are not excluded: every match holds them, so `pairs @@ filter` finds the few
documents to check for the phrase; for any other query it is NULL, and no filter is added.
"""
from peewee import PostgresqlDatabase

FIELDS = ("title", "body", "tags")
PAIRS = ("title_pairs", "body_pairs", "tags_pairs")
BATCH = 500
# The weighted words of migration 0005, accents folded as r2pnet.search folds the query.
_FOLD = r"normalize(regexp_replace(normalize({0}, NFD), '[\u0300-\u036f]', '', 'g'), NFC)"
WORDS = " || ".join(f"setweight(to_tsvector('simple'::regconfig, {_FOLD.format(field)}), "
                    f"'{weight}')" for field, weight in (("title", "A"), ("tags", "B"),
                                                         ("body", "C")))
# A lexeme is at most 2,046 bytes: a longer pair is left out (its phrase gets no filter).
POSTGRES_UP = [
    r"""CREATE FUNCTION search_word_pairs(words tsvector) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH at AS (
            SELECT w.lexeme, p.position
            FROM unnest(words) AS w, unnest(w.positions) AS p(position))
        SELECT coalesce(array_to_tsvector(array_agg(DISTINCT first.lexeme || ' '
                                                              || second.lexeme)),
                        ''::tsvector)
        FROM at AS first JOIN at AS second ON second.position = first.position + 1
        WHERE octet_length(first.lexeme) + octet_length(second.lexeme) < 2046
    $$""",
    # The tsquery's text as PostgreSQL writes it, read token by token: a quoted lexeme (with
    # a weight or prefix mark), an operator or a parenthesis. Any OR: no filter. A negated
    # lexeme or group is skipped; each chain of lexemes joined by <-> gives its pairs.
    r"""CREATE FUNCTION search_phrase_filter(query tsquery) RETURNS tsquery
       LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            token text;
            previous text := NULL;
            pairs text[] := '{}';
            negated int := 0;
            depth int := 0;
            chained boolean := false;
        BEGIN
            FOR token IN SELECT m[1] FROM regexp_matches(
                    query::text, '(''(?:[^'']|'''')*''(?::\*?[A-D]*)?|<[0-9-]+>|[&|!()])', 'g')
                    AS m LOOP
                IF token = '|' THEN
                    RETURN NULL;
                ELSIF token = '!' THEN
                    IF negated = 0 THEN
                        negated := depth + 1;
                    END IF;
                    previous := NULL;
                    chained := false;
                ELSIF token IN ('(', ')') THEN
                    depth := depth + CASE WHEN token = '(' THEN 1 ELSE -1 END;
                    IF token = ')' AND negated > depth THEN
                        negated := 0;
                    END IF;
                    previous := NULL;
                    chained := false;
                ELSIF token = '<->' THEN
                    chained := previous IS NOT NULL;
                ELSIF left(token, 1) = '''' THEN
                    IF negated > 0 THEN
                        -- excluded: a lexeme alone ends its negation, a group at its ')'
                        IF negated > depth THEN
                            negated := 0;
                        END IF;
                        previous := NULL;
                    ELSIF right(token, 1) <> '''' THEN
                        previous := NULL;  -- a weight or a prefix: not a plain word
                    ELSE
                        token := substring(token FROM 2 FOR length(token) - 2);
                        IF chained AND octet_length(previous) + octet_length(token) < 2046 THEN
                            pairs := pairs || ('''' || previous || ' ' || token || '''');
                        END IF;
                        previous := token;
                    END IF;
                    chained := false;
                ELSE
                    previous := NULL;
                    chained := false;
                END IF;
            END LOOP;
            IF cardinality(pairs) = 0 THEN
                RETURN NULL;
            END IF;
            RETURN array_to_string(pairs, ' & ')::tsquery;
        END $$""",
    f"""ALTER TABLE search_document ADD COLUMN pairs TSVECTOR
        GENERATED ALWAYS AS (search_word_pairs({WORDS})) STORED""",
    "CREATE INDEX search_document_pairs ON search_document USING GIN (pairs)",
]
POSTGRES_DOWN = [
    "ALTER TABLE search_document DROP COLUMN pairs",
    "DROP FUNCTION search_phrase_filter(tsquery)",
    "DROP FUNCTION search_word_pairs(tsvector)",
]


def _index(columns):
    """The FTS5 table over `columns` of search_document and the triggers that keep it."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    remove = (f"INSERT INTO search_document_fts (search_document_fts, rowid, {names}) "
              f"VALUES ('delete', old.id, {old});")
    add = f"INSERT INTO search_document_fts (rowid, {names}) VALUES (new.id, {new});"
    return [
        f"""CREATE VIRTUAL TABLE search_document_fts USING fts5(
            {names}, content='search_document', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')""",
        f"CREATE TRIGGER search_document_after_insert AFTER INSERT ON search_document "
        f"BEGIN {add} END",
        f"CREATE TRIGGER search_document_after_delete AFTER DELETE ON search_document "
        f"BEGIN {remove} END",
        f"CREATE TRIGGER search_document_after_update AFTER UPDATE ON search_document "
        f"BEGIN {remove} {add} END",
        "INSERT INTO search_document_fts (search_document_fts) VALUES ('rebuild')",
    ]


def _drop_index(db):
    for event in ("insert", "delete", "update"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS search_document_after_{event}")
    db.execute_sql("DROP TABLE IF EXISTS search_document_fts")


def _write_pairs(db):
    from r2pnet.search import with_word_pairs
    last = 0
    while True:
        rows = db.execute_sql("SELECT id, title, body, tags FROM search_document WHERE id > ? "
                              "ORDER BY id LIMIT ?", (last, BATCH)).fetchall()
        if not rows:
            return
        documents = with_word_pairs(db, [dict(zip(FIELDS, row[1:], strict=True))
                                         for row in rows])
        db.connection().executemany(
            "UPDATE search_document SET title_pairs = ?, body_pairs = ?, tags_pairs = ? "
            "WHERE id = ?",
            [(*(document[pairs] for pairs in PAIRS), row[0])
             for document, row in zip(documents, rows, strict=True)])
        last = rows[-1][0]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in POSTGRES_UP:
            db.execute_sql(sql)
        return
    _drop_index(db)
    for pairs in PAIRS:
        db.execute_sql(f"ALTER TABLE search_document ADD COLUMN {pairs} TEXT NOT NULL DEFAULT ''")
    _write_pairs(db)
    for sql in _index(FIELDS + PAIRS):
        db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in POSTGRES_DOWN:
            db.execute_sql(sql)
        return
    _drop_index(db)
    for pairs in PAIRS:
        db.execute_sql(f"ALTER TABLE search_document DROP COLUMN {pairs}")
    for sql in _index(FIELDS):
        db.execute_sql(sql)
