"""Each field's adjacent words are indexed as one more word, so phrases are quick.

A phrase of two common words ("early warning") made FTS5 check the positions of both words in
every document holding them, four times a search (the walk, bm25's document count and the two
tiers): 28 ms at 100,000 lessons, where single words took 12. Now `title_pairs`,
`body_pairs` and `tags_pairs` hold each field's words two by two as FTS5 reads them (joined by
r2pnet.search.PAIR_JOINER), written by r2pnet.search.with_word_pairs, and the FTS5 table
indexes them as three more columns. r2pnet/search.py asks a phrase of two words as its pair.
Existing documents get their pairs here.

PostgreSQL (140-210 ms for that phrase: GIN cannot check positions, so every document holding
both words was read again): the document's tsvector also holds each two words at side-by-side
positions as one lexeme ('early warning', at the first one's position and weight), computed by
`search_word_pairs` from the tsvector itself, so a pair is exactly what a phrase finds there.
`search_phrase_pairs` gives a query's phrases their pairs (`'a' <-> 'b'` becomes
`( 'a b' & 'a' <-> 'b' )`): GIN finds the few documents holding the pair, and only those are
checked for the phrase. Ranking reads the query without pairs, so ranks do not move.
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
# A lexeme is at most 2,046 bytes: a longer pair is left out (its phrase is checked as before).
POSTGRES_FUNCTIONS = [
    r"""CREATE FUNCTION search_word_pairs(words tsvector) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH at AS (
            SELECT w.lexeme, p.position, p.weight
            FROM unnest(words) AS w, unnest(w.positions, w.weights) AS p(position, weight))
        SELECT coalesce(string_agg(
            '''' || replace(replace(first.lexeme || ' ' || second.lexeme, '\', '\\'),
                            '''', '''''')
            || ''':' || first.position || first.weight, ' ')::tsvector, ''::tsvector)
        FROM at AS first JOIN at AS second ON second.position = first.position + 1
        WHERE octet_length(first.lexeme) + octet_length(second.lexeme) < 2046
    $$""",
    # The document: its words and their pairs, the words computed once.
    f"""CREATE FUNCTION search_document_words(title text, tags text, body text)
       RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT words || search_word_pairs(words) FROM (SELECT {WORDS} AS words) AS document
    $$""",
    r"""CREATE FUNCTION search_phrase_pairs(query tsquery) RETURNS tsquery
       LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            chain CONSTANT text := '''(?:[^'']|'''')*''(?: <-> ''(?:[^'']|'''')*'')+';
            pieces text[] := regexp_split_to_array(query::text, chain);
            written text := pieces[1];
            found text;
            words text[];
            pairs text;
            n int := 1;
        BEGIN
            FOR found IN SELECT m[1] FROM regexp_matches(query::text, '(' || chain || ')', 'g')
                         AS m LOOP
                words := ARRAY(SELECT w[1] FROM regexp_matches(
                    found, '''((?:[^'']|'''')*)''', 'g') AS w);
                n := n + 1;
                -- Only pairs short enough for a document to hold (measured quoted, so longer).
                pairs := (SELECT string_agg('''' || words[i] || ' ' || words[i + 1] || '''',
                                            ' & ')
                          FROM generate_series(1, array_length(words, 1) - 1) AS i
                          WHERE octet_length(words[i]) + octet_length(words[i + 1]) < 2046);
                written := written || CASE WHEN pairs IS NULL THEN found
                                           ELSE '( ' || pairs || ' & ' || found || ' )' END
                           || pieces[n];
            END LOOP;
            RETURN written::tsquery;
        END $$""",
]


def _postgres_document(db, words):
    db.execute_sql("ALTER TABLE search_document DROP COLUMN document")
    db.execute_sql(f"ALTER TABLE search_document ADD COLUMN document TSVECTOR "
                   f"GENERATED ALWAYS AS ({words}) STORED")
    db.execute_sql("ALTER TABLE search_document ALTER COLUMN document SET STORAGE MAIN")
    db.execute_sql("CREATE INDEX search_document_document ON search_document "
                   "USING GIN (document)")


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
        for sql in POSTGRES_FUNCTIONS:
            db.execute_sql(sql)
        _postgres_document(db, "search_document_words(title, tags, body)")
        return
    _drop_index(db)
    for pairs in PAIRS:
        db.execute_sql(f"ALTER TABLE search_document ADD COLUMN {pairs} TEXT NOT NULL DEFAULT ''")
    _write_pairs(db)
    for sql in _index(FIELDS + PAIRS):
        db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        _postgres_document(db, WORDS)
        db.execute_sql("DROP FUNCTION search_document_words(text, text, text)")
        db.execute_sql("DROP FUNCTION search_word_pairs(tsvector)")
        db.execute_sql("DROP FUNCTION search_phrase_pairs(tsquery)")
        return
    _drop_index(db)
    for pairs in PAIRS:
        db.execute_sql(f"ALTER TABLE search_document DROP COLUMN {pairs}")
    for sql in _index(FIELDS):
        db.execute_sql(sql)
