"""Full-text search for every feature: one document per (kind, object id), ranked and highlighted.

The documents live in the `search_document` table (migration 0005). SQLite indexes it with an
FTS5 table (unicode61, accents removed) ranked by bm25; PostgreSQL with a weighted tsvector
column (accents folded, GIN index) ranked by ts_rank_cd. On both, a lower rank is better and a
document whose title alone satisfies the query comes first, then one whose tags do, then the
rest by relevance. User text never reaches a query syntax unchecked: FTS5 gets peewee's
web-search translation (quoted terms, OR, -exclusion), PostgreSQL websearch_to_tsquery.
Snippets and highlights are made here, the same way on both engines, and are escaped HTML.

A search ranks and counts bounded candidates: the newest SEARCH_CANDIDATES matches (highest
document id; a document keeps its id when re-indexed) that the viewer may see. Neither engine
can rank tens of thousands of matches in a few milliseconds; both can walk the matches newest
first and stop. More matches than that: the count is the cap, flagged as a lower bound.
"""
import re
import unicodedata
from collections import Counter
from itertools import chain, islice, pairwise

from flask import current_app
from markupsafe import Markup, escape
from peewee import (JOIN, SQL, Case, Column, Entity, Expression, PostgresqlDatabase, Select,
                    Table, fn)
from playhouse import fts_parser

from r2pnet import statements
from r2pnet.catalogue import Memo
from r2pnet.extensions import db, is_postgres

# SQLite also indexes each field's adjacent words as one token ("early" + PAIR_JOINER +
# "warning" in the field's pairs column; migration 0017), so a phrase of two words reads one
# short list instead of checking positions in every document that holds both words.
PAIR_JOINER = "\ue000"  # a Private Use character: FTS5 reads it as part of a word
FIELDS = ("title", "body", "tags")
PAIR_FIELDS = tuple(f"{field}_pairs" for field in FIELDS)
TOKENIZER = "unicode61 remove_diacritics 2"  # the FTS5 table's (migrations 0005 and 0017)
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 16
MAX_DOCUMENT_CHARS = 200_000  # far above any lesson; keeps a tsvector under its 1 MB limit
SNIPPET_CHARS = 240
MAX_SCORED_MATCHES = 100
# bm25 weights of the FTS5 columns (title, body, tags, then their pairs).
BM25_WEIGHTS = (10.0, 1.0, 4.0, 10.0, 1.0, 4.0)
# How far a title-only or tags-only match lifts a document: more than any relevance score.
TITLE_TIER, TAGS_TIER = 2, 1
HITS = "search_hits"
# How many of the newest visible matches a search ranks and counts (app config
# SEARCH_CANDIDATES overrides it). At 100,000 lessons, ranking every match of a common word
# took hundreds of milliseconds; walking and ranking 1,000 takes tens (docs/performance.md).
SEARCH_CANDIDATES = 1000
# PostgreSQL: how many of the newest matches, per candidate, are sorted before their
# visibility is checked (Candidates._postgres_newest); past them, the walk checks as it goes.
NEAREST_MATCHES = 4

WORD = re.compile(r"[^\W_]+")
ASCII_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
ASCII_WORD = re.compile(r"[a-z0-9]+")  # FTS5 unicode61's words in lowercase ASCII text
# Control characters, and the pair joiner: no word of a text may hold it.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000]")
# Per connection, for fts_words: an FTS5 table with the index's tokenizer and its words' offsets.
WORD_TABLES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words USING fts5("
    f"title, body, tags, tokenize='{TOKENIZER}')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_word_offsets USING fts5vocab("
    "temp, search_words, instance)")
# A term of an FTS5 expression as playhouse's fts_parser writes it (it never holds a quote).
FTS_TERM = re.compile(r'"([^"]*)"(\*?)')
INNER_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
DIACRITICS = re.compile("[\u0300-\u036f]")
SPACE = re.compile(r"\s")
# A quoted word in a tsquery's text ('it''s'), as PostgreSQL writes it.
LEXEME = "'(?:[^']|'')*'"
# websearch_to_tsquery's reading, given to FTS5 too: "or" in any case means either; "and" and
# "not" are plain words (exclusion is "-word"); parentheses do not group.
OPERATOR_WORD = re.compile(r"(?<!\S)(?:or|and|not)(?!\S)", re.IGNORECASE)

_documents = Table("search_document",
                   ("id", "kind", "object_id", *FIELDS, "document", "pairs",
                    *PAIR_FIELDS),  # document and pairs: PostgreSQL; *_pairs: SQLite
                   _database=db)
_fts = Table("search_document_fts", ("rowid",), _database=db)
# {(query, fields): FTS5 expression}: written once per process (a phrase's words are read by
# FTS5's tokenizer, a statement).
_expressions = Memo(1024)


# --- writing ---------------------------------------------------------------------------------

def index(kind, object_id, title, body, tags=""):
    """Insert or replace one object's search document, inside the writer's transaction."""
    fields = {"title": _plain(title), "body": _plain(body)[:MAX_DOCUMENT_CHARS],
              "tags": _plain(tags)}
    with_word_pairs(db, [fields])
    (_documents
     .insert(kind=kind, object_id=int(object_id), **fields)
     .on_conflict(conflict_target=(_documents.kind, _documents.object_id),
                  preserve=[getattr(_documents, column) for column in fields])
     .execute())


def with_word_pairs(database, documents):
    """The documents (dicts of their fields as stored), each given, on SQLite, its fields'
    adjacent words as FTS5 reads them, joined two by two (`title_pairs`, `body_pairs`...)."""
    if isinstance(getattr(database, "obj", database), PostgresqlDatabase):
        return documents
    texts = [[document[field] for field in FIELDS] for document in documents]
    for document, fields in zip(documents, fts_words(database, texts), strict=True):
        for pairs, words in zip(PAIR_FIELDS, fields, strict=True):
            document[pairs] = " ".join(PAIR_JOINER.join(pair) for pair in pairwise(words))
    return documents


def fts_words(database, texts):
    """SQLite: the words FTS5 reads in each text, folded as it indexes them, in order.

    `texts` holds, per document, up to three texts (its fields); the answer holds, per
    document, a list of words per text. FTS5's own tokenizer reads them (a temporary table of
    this connection), so a pair is exactly two words that a phrase would find side by side.
    """
    if not texts:
        return []
    for sql in WORD_TABLES:
        database.execute_sql(sql)
    database.execute_sql("DELETE FROM temp.search_words")
    connection = database.connection()
    connection.executemany(
        "INSERT INTO temp.search_words (rowid, title, body, tags) VALUES (?, ?, ?, ?)",
        [(n, *row, *[""] * (3 - len(row))) for n, row in enumerate(texts, 1)])
    words = [[[] for _ in FIELDS] for _ in texts]
    column = {field: n for n, field in enumerate(FIELDS)}
    for doc, field, _, word in database.execute_sql(
            "SELECT doc, col, offset, term FROM temp.search_word_offsets "
            "ORDER BY doc, col, offset"):
        words[doc - 1][column[field]].append(word)
    database.execute_sql("DELETE FROM temp.search_words")
    return [row[:len(text)] for row, text in zip(words, texts, strict=True)]


def remove(kind, object_id):
    """Drop an object's document."""
    (_documents
     .delete()
     .where((_documents.kind == kind) & (_documents.object_id == int(object_id)))
     .execute())


def clear():
    """Drop every document of every kind (tests start from an empty index)."""
    _documents.delete().execute()


# --- finding ---------------------------------------------------------------------------------

def matching(kind, text):
    """A peewee subquery of (object_id, rank) for every document of `kind` matching user text.

    None when the text has no searchable words. Lower rank = better, on both engines:
        hits = search.matching("lesson", q)
        Lesson.select().join(hits, on=(hits.c.object_id == Lesson.id)).order_by(hits.c.rank)
        Lesson.select().where(Lesson.id.in_(hits.select(hits.c.object_id)))
    """
    found = terms(text)
    if found is None:
        return None
    if is_postgres():
        return _postgres_matching(kind, found)
    return _sqlite_matching(kind, found)


def terms(text):
    """What the engine is asked for user text, as plain strings, or None (no words to search).

    PostgreSQL: (the text, accents folded), read by websearch_to_tsquery. SQLite: the FTS5
    expressions of every field, the title and the tags. The SQL of a search is built from
    these alone, so a statement built once for one search serves any other (its values).
    """
    query = _query_text(text)
    if query is None:
        return None
    if is_postgres():
        return (_fold(query),)
    return tuple(_fts_expression(query, fields) for fields in (FIELDS, ("title",), ("tags",)))


class MatchCount(int):
    """How many objects a search found; `capped`: more match, and this is how many it ranked."""

    def __new__(cls, value, capped=False):
        count = super().__new__(cls, value)
        count.capped = capped
        return count

    @classmethod
    def walked(cls, found, cap):
        """The count of a search whose walk found `found` matches, one past `cap` at most."""
        return cls(min(found, cap), found > cap)


def searchable(text):
    """Whether user text has words to search for (else `candidates` gives None)."""
    return _query_text(text) is not None


def candidate_cap():
    """How many of the newest visible matches a search ranks (read at query time)."""
    return current_app.config.get("SEARCH_CANDIDATES", SEARCH_CANDIDATES)


def candidates(kind, text, visible):
    """The newest documents of `kind` matching user text whose objects `visible` holds, or None.

    `visible` is a query of the objects the viewer may see (with any filters); each match is
    checked against it before it takes a place, so hidden objects never fill the candidates:
        found = search.candidates("lesson", q, Lesson.visible_to(viewer))
        hits = found.ranked()  # subquery: object_id, rank (lower = better), found
        ... join hits, order by hits.c.rank, read hits.c.found of any row ...
        total = found.total(row.found) if rows else found.count()
    """
    found = terms(text)
    if found is None:
        return None
    return Candidates(kind, found, visible, candidate_cap())


class Candidates:
    """The newest visible matches of one search (its `terms`), at most `cap` of them."""

    def __init__(self, kind, terms, visible, cap):
        self.kind, self.terms, self.visible, self.cap = kind, terms, visible, cap

    def ranked(self):
        """A subquery of (object_id, rank, found) over the candidates, in one walk.

        The engine walks the matches newest first and stops one past the cap; `found`, the
        same on every row, is how many it walked (give it to total()).
        """
        hits = _documents.alias(HITS)
        ctes = []
        if is_postgres():
            # Ranked after the walk: a plan that fetches every match and sorts them by id
            # (for rare words) would otherwise rank them all.
            walk, ctes = self._postgres_newest(self.cap + 1)
            newest = walk.cte("newest", materialized=True)
            document = _documents.alias("candidate")
            rank = _postgres_rank(document, *self.terms)
        else:
            bm25 = fn.bm25(Entity(_fts.__name__), *BM25_WEIGHTS)  # <= 0, lower is better
            newest = self._sqlite_newest(hits, self.cap + 1, bm25.alias("relevance")).cte(
                "newest", materialized=True)
            rank = _sqlite_candidate_rank(newest, *self.terms[1:])
        found = Select([newest], [fn.COUNT(SQL("*"))])
        oldest = Select([newest], [fn.MIN(newest.c.document_id)])
        ranked = Select([newest], [newest.c.object_id, rank.alias("rank"), found.alias("found")])
        if is_postgres():
            # By the row's place (a TID scan), read in the same statement as the walk.
            ranked = ranked.join(document, on=(Column(document, "ctid") == newest.c.place))
        return (ranked
                .with_cte(*ctes, newest)
                # One past the cap was walked only to know that more match: drop it.
                .where((found <= self.cap) | (newest.c.document_id > oldest))
                # No row more, but a LIMIT keeps PostgreSQL from folding the walk into the
                # query that joins it, where stale row counts could repeat it for every row.
                .limit(self.cap)
                .alias(HITS))

    def best(self, limit):
        """A subquery of the `limit` best candidates (object_id, rank, found), to join the
        objects to and order by its rank, then id (descending).

        Its LIMIT keeps PostgreSQL from folding the walk into the outer query: planned on stale
        row counts (just after a bulk load), the walk was repeated for every row of the outer
        table, and a page of replies never finished.
        """
        hits = self.ranked()
        return (Select([hits], [hits.c.object_id, hits.c.rank, hits.c.found])
                .order_by(hits.c.rank, hits.c.object_id.desc()).limit(limit).alias("best"))

    def total(self, found):
        """The MatchCount of a search whose walk found `found` matches (ranked()'s column)."""
        return MatchCount.walked(found, self.cap)

    def count(self):
        """The MatchCount on its own, in one statement (when no row of ranked() was read)."""
        if is_postgres():
            walk, ctes = self._postgres_newest(self.cap + 1)
            newest = walk.alias("newest")
            counted = Select([newest], [fn.COUNT(SQL("*"))]).with_cte(*ctes)
        else:
            newest = self._sqlite_newest(_documents.alias(HITS), self.cap + 1).alias("newest")
            counted = Select([newest], [fn.COUNT(SQL("*"))])
        return self.total(counted.bind(db).scalar())

    def object_ids(self):
        """A subquery of the candidates' object ids (facets count over it)."""
        if is_postgres():
            walk, ctes = self._postgres_newest(self.cap)
            newest = walk.alias("newest")
            return Select([newest], [newest.c.object_id]).with_cte(*ctes)
        hits = _documents.alias(HITS)
        return self._sqlite_newest(hits, self.cap).select(hits.object_id)

    def _postgres_newest(self, limit):
        """((document_id, object_id, place) of the first `limit` visible matches, newest
        first; the CTEs it reads): on PostgreSQL, the visibility of a match is checked once it
        is among the newest. `place` is the row's ctid, where the ranking reads the document
        again without looking its id up in an index.

        Checking each match as the walk finds it cost more than finding it: for a word in a
        few thousand documents, the plan fetches them all, checks each, then sorts. Here the
        newest NEAREST_MATCHES times `limit` matches are found and sorted first (the planner
        still walks the id index for common words), and checked in that order until `limit`
        are visible. Fewer visible among them (a viewer who may see few): the walk goes on
        below the oldest of them, checking as it goes.
        """
        def match(hits):
            return _postgres_condition(hits, self.kind, *self.terms)

        nearest = _documents.alias("nearest")
        sorted_matches = (nearest.select(nearest.id.alias("document_id"), nearest.object_id,
                                         Column(nearest, "ctid").alias("place"))
                          .where(match(nearest))
                          .order_by(nearest.id.desc())
                          .limit(limit * NEAREST_MATCHES))
        among = sorted_matches.alias("among")
        first = (Select([among], [among.c.document_id, among.c.object_id, among.c.place])
                 .where(self._visible(among.c.object_id))
                 .order_by(among.c.document_id.desc())
                 .limit(limit)
                 .cte("first_visible", materialized=True))
        short = Select([first], [fn.COUNT(SQL("*"))]) < limit
        # The oldest of those matches, or NULL when there were fewer (none is left to walk).
        boundary = (sorted_matches.clone().select(nearest.id)
                    .offset(limit * NEAREST_MATCHES - 1).limit(1))
        hits = _documents.alias(HITS)
        rest = (hits.select(hits.id.alias("document_id"), hits.object_id,
                            Column(hits, "ctid").alias("place"))
                .where(short & Expression(boundary, "IS NOT", SQL("NULL")) & match(hits)
                       & (hits.id < boundary) & self._visible(hits.object_id))
                .order_by(hits.id.desc())
                .limit(limit))
        newest = Select([first], [first.c.document_id, first.c.object_id, first.c.place]) + rest
        return newest.order_by(SQL('"document_id"').desc()).limit(limit), [first]

    def _sqlite_newest(self, hits, limit, *columns):
        """SQLite: (document_id, object_id, *columns) of the first `limit` visible matches,
        newest first: FTS5 gives the matches from the highest rowid down, each is checked as
        it comes, and the walk stops."""
        return (_fts
                .select(_fts.rowid.alias("document_id"), hits.object_id, *columns)
                .join(hits, JOIN.CROSS, on=(hits.id == _fts.rowid))
                .where(_fts_match(self.terms[0]) & (hits.kind == self.kind)
                       & self._visible(hits.object_id))
                .order_by(_fts.rowid.desc())
                .limit(limit))

    def _visible(self, object_id):
        """EXISTS: the object is among the visible (and filtered) ones."""
        key = self.visible.model._meta.primary_key
        return fn.EXISTS(self.visible.select(SQL("1")).where(key == object_id))


def _sqlite_candidate_rank(newest, in_title, in_tags):
    """bm25 of the walk, lifted by the tiers (the FTS5 expressions of the title and the tags);
    their MATCHes read only the candidates' range."""
    oldest = Select([newest], [fn.MIN(newest.c.document_id)])

    def among_candidates(expression):
        return newest.c.document_id.in_(_fts_rowids(expression).where(_fts.rowid >= oldest))

    relevance = newest.c.relevance
    return (relevance / (1.0 - relevance)
            - _tier(among_candidates(in_title), TITLE_TIER)
            - _tier(among_candidates(in_tags), TAGS_TIER))


def _sqlite_matching(kind, terms):
    # The hits alias names both the documents table inside and the subquery outside, so
    # hits.c.object_id is valid in a join on the subquery and in hits.select(...) alike.
    hits = _documents.alias(HITS)
    bm25 = fn.bm25(Entity(_fts.__name__), *BM25_WEIGHTS)  # <= 0, lower is better
    rank = (bm25 / (1.0 - bm25)
            - _tier(_fts.rowid.in_(_fts_rowids(terms[1])), TITLE_TIER)
            - _tier(_fts.rowid.in_(_fts_rowids(terms[2])), TAGS_TIER))
    # The full-text index must lead, or SQLite runs the MATCH once per row of another table:
    # CROSS JOIN puts it before the documents, and OFFSET 0 keeps the planner from flattening
    # this subquery into the caller's join (the hits are computed once, then joined).
    return (_fts
            .select(hits.object_id, rank.alias("rank"))
            .join(hits, JOIN.CROSS, on=(hits.id == _fts.rowid))
            .where(_fts_match(terms[0]) & (hits.kind == kind))
            .limit(-1)
            .offset(0)
            .alias(HITS))


def _fts_expression(query, fields):
    """The FTS5 expression of a search in `fields` (a tuple of FIELDS): each word asked of those
    columns, a phrase of two words as one pair of their pairs columns, a longer phrase as
    itself and its pairs (which find its few documents without reading every position)."""
    return _expressions.get((query, fields), _written_expression, query, fields)


def _written_expression(query, fields):
    expression = fts_parser.parse(query, ())
    found = iter(_words_of_terms([match.group(1) for match in FTS_TERM.finditer(expression)]))
    # Every field: no column filter, which would make FTS5 read each match's positions (a
    # word is never in a pairs column, and a pair only there).
    in_words = "" if fields == FIELDS else "{%s} : " % " ".join(fields)
    in_pairs = "" if fields == FIELDS else "{%s} : " % " ".join(f"{f}_pairs" for f in fields)

    def written(match):
        text, star = match.groups()
        words = next(found)
        if star or len(words) < 2:
            return f'{in_words}"{text}"{star}'
        pairs = " AND ".join(f'"{PAIR_JOINER.join(pair)}"' for pair in pairwise(words))
        if len(words) == 2:
            return f"{in_pairs}{pairs}"
        return f'({in_words}"{text}" AND {in_pairs}({pairs}))'
    return FTS_TERM.sub(written, expression)


def _words_of_terms(terms):
    """Each term's words as FTS5 reads them: for ASCII text its runs of letters and digits (as
    FTS5's table for ASCII has it), else asked of FTS5 (statements, on a search's first run)."""
    others = [term for term in terms if not term.isascii()]
    asked = dict(zip(others, fts_words(db, [[term] for term in others]), strict=True))
    return [ASCII_WORD.findall(term.lower()) if term.isascii() else asked[term][0]
            for term in terms]


def _fts_match(expression):
    return Expression(Entity(_fts.__name__), "MATCH", expression)


def _fts_rowids(expression):
    return _fts.select(_fts.rowid).where(_fts_match(expression))


def _postgres_matching(kind, terms):
    hits = _documents.alias(HITS)
    return (hits
            .select(hits.object_id, _postgres_rank(hits, *terms).alias("rank"))
            .where(_postgres_condition(hits, kind, *terms))
            .alias(HITS))


def _tsquery(folded):
    return fn.websearch_to_tsquery(SQL("'simple'::regconfig"), folded)


def _postgres_condition(hits, kind, folded):
    tsquery = _tsquery(folded)
    # The pairs every match of the query's phrases holds (migration 0017), or NULL: GIN finds
    # the documents that hold them, and only those are checked for the phrases.
    pairs = fn.search_phrase_filter(tsquery)
    # The filter is computed once, as the statement is planned, which then reads either the
    # documents' index or, for a phrase, the pairs' index alone: with both, it also read every
    # document holding each word of the phrase (tens of thousands) to intersect them.
    return ((hits.kind == kind)
            & ((pairs.is_null() & _ts_match(hits.document, tsquery))
               | (pairs.is_null(False) & _ts_match(hits.pairs, pairs)
                  & _not_indexed(_ts_match(hits.document, tsquery))))
            # Only negated words ("-word") would match nearly everything: match nothing.
            & (fn.querytree(tsquery) != "T"))


def _postgres_rank(hits, folded):
    tsquery = _tsquery(folded)
    # 0 - x, not -x: peewee reads a unary minus as DESC. Flag 32 scales the rank into [0, 1).
    return (0 - fn.ts_rank_cd(hits.document, tsquery, 32)
            - _tier(_ts_match(hits.document, _weighted(tsquery, "A")), TITLE_TIER)
            - _tier(_ts_match(hits.document, _weighted(tsquery, "B")), TAGS_TIER))


def _weighted(tsquery, weight):
    """The tsquery with each of its words restricted to one weight (A title, B tags): the
    document matches it when that part alone satisfies the query, as `ts_filter` would tell,
    without copying the document."""
    return fn.regexp_replace(tsquery.cast("text"), LEXEME, rf"\&:{weight}", "g").cast("tsquery")


def _not_indexed(condition):
    """The condition, in a form the planner does not look up in an index (IS TRUE)."""
    return Expression(condition, "IS", SQL("TRUE"))


def _ts_match(document, tsquery):
    return Expression(document, "@@", tsquery)


def _tier(condition, points):
    return Case(None, [(condition, points)], 0)


# --- snippets and highlights -----------------------------------------------------------------

def snippets(kind, object_ids, text):
    """{object_id: html} for the given ids: the best fragment of the body, matched words in <mark>.

    Every other character is escaped, so the values are safe to render with |safe.
    """
    ids = tuple(int(object_id) for object_id in object_ids)
    if not ids:
        return {}
    pattern = _highlighter(text)
    # A page's statement is built once per number of ids; a longer list's each time.
    rows = (statements.run("search bodies", _bodies, kind, ids, raw=True)
            if len(ids) <= statements.MAX_LISTED else _bodies(kind, ids))
    return {object_id: _snippet(body, pattern) for object_id, body in rows}


def _bodies(kind, ids):
    return (_documents
            .select(_documents.object_id, _documents.body)
            .where((_documents.kind == kind) & _documents.object_id.in_(ids))
            .tuples())


def highlight_title(kind, object_id_to_title, text):
    """{object_id: html}: each title escaped, with the words the text matches in <mark>."""
    pattern = _highlighter(text)
    return {object_id: _marked(_plain(title), pattern)
            for object_id, title in object_id_to_title.items()}


def _snippet(body, pattern):
    # Only the first matches are scored: stop looking after them.
    matches = list(islice(pattern.finditer(body), MAX_SCORED_MATCHES)) if pattern else []
    start = _fragment_start(body, matches)
    end = _fragment_end(body, start)
    html = _marked(body, pattern, start, end)
    if start > 0:
        html = Markup("…") + html
    if end < len(body):
        html += Markup("…")
    return html


def _fragment_start(body, matches):
    """Start of the window with the most distinct matched words, a little before them
    (`matches`: the first MAX_SCORED_MATCHES, in order)."""
    best, best_score = 0, (0, 0)
    scored = matches
    words = [_fold(m.group()).lower() for m in scored]
    # The window of matches i..end-1 slides forward (matches are in order and do not overlap),
    # `seen` counting its words: linear, where a window per match was quadratic.
    seen, end = Counter(), 0
    for i, first in enumerate(scored):
        end = max(end, i)
        while end < len(scored) and scored[end].end() <= first.start() + SNIPPET_CHARS:
            seen[words[end]] += 1
            end += 1
        score = (len(seen), end - i)
        if score > best_score:
            best, best_score = first.start(), score
        if end > i:
            seen[words[i]] -= 1
            if not seen[words[i]]:
                del seen[words[i]]
    start = max(0, best - SNIPPET_CHARS // 4)
    if start == 0:
        return 0
    space = SPACE.search(body, start, best)  # begin on a whole word
    return space.end() if space else best


def _fragment_end(body, start):
    end = start + SNIPPET_CHARS
    if end >= len(body):
        return len(body)
    space = SPACE.search(body, end, end + SNIPPET_CHARS // 8)
    return space.start() if space else end


def _marked(text, pattern, start=0, end=None):
    """text[start:end] escaped, with every whole match of pattern wrapped in <mark>."""
    end = len(text) if end is None else end
    parts, position = [], start
    for match in pattern.finditer(text, start) if pattern else ():
        if match.end() > end:
            break
        parts += [escape(text[position:match.start()]),
                  Markup("<mark>%s</mark>") % match.group()]
        position = match.end()
    parts.append(escape(text[position:end]))
    return Markup("").join(parts)


def _highlighter(text):
    """The text's words as whole words, ignoring case and accents (a _Words), or None."""
    query = _query_text(text)
    if query is None:
        return None
    terms = {_fold(word).lower()
             for chunk in query.split() if not chunk.startswith("-") and chunk != "OR"
             for word in WORD.findall(chunk)}
    if not terms:
        return None
    return _Words(terms)


class _Words:
    """Finds whole words in a text, ignoring case and accents (`finditer`, as a regex).

    An ASCII text (most lessons) is searched for the ASCII words in lower case, then each
    find is checked for letters on either side: the same finds as the regex, which tries an
    accent class at every character of the text, in a third of the time.
    """

    def __init__(self, terms):
        alternatives = sorted((_accent_insensitive(term) for term in terms), key=len,
                              reverse=True)
        self.pattern = re.compile(r"(?<![^\W_])(?:%s)(?![^\W_])" % "|".join(alternatives),
                                  re.IGNORECASE)
        # Longest first: a shorter word found where a longer one is would end inside a word.
        self.ascii = (re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))
                      if all(term.isascii() for term in terms) else None)

    def finditer(self, text, start=0):
        """The whole-word finds in `text` from `start` (objects with start, end and group)."""
        if self.ascii is None or not text.isascii():
            return self.pattern.finditer(text, start)
        return self._ascii_finds(text, start)

    def _ascii_finds(self, text, start):
        lowered = text.lower()  # the same length and places: every character is ASCII
        for found in self.ascii.finditer(lowered, start):
            begin, end = found.span()
            if not ((begin and lowered[begin - 1] in ASCII_WORD_CHARACTERS)
                    or lowered[end:end + 1] in ASCII_WORD_CHARACTERS):
                yield _Find(text, begin, end)


class _Find:
    """A word found in a text, as a regex match gives it (start, end, group)."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text, start, end):
        self._text, self._start, self._end = text, start, end

    def start(self):
        return self._start

    def end(self):
        return self._end

    def group(self):
        return self._text[self._start:self._end]


def _accent_insensitive(term):
    return "".join(_VARIANTS.get(char, re.escape(char)) + "[\u0300-\u036f]*" for char in term)


def _variants():
    """{base letter: regex class of it and its accented forms}, e.g. "e" -> "[eèéêë...]"."""
    forms = {}
    for code in chain(range(0xC0, 0x250), range(0x370, 0x500), range(0x1E00, 0x2000)):
        char = chr(code).lower()
        base = _fold(char)
        if len(char) == 1 and len(base) == 1 and base != char:
            forms.setdefault(base, {base}).add(char)
    return {base: "[%s]" % "".join(sorted(chars)) for base, chars in forms.items()}


# --- text ------------------------------------------------------------------------------------

def _plain(text):
    """Text as stored and searched: NFC, valid UTF-8, no NUL or other control characters."""
    text = str(text or "").encode("utf-8", "ignore").decode("utf-8")
    return CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def _fold(text):
    """Accents removed as the PostgreSQL index does it (see migration 0005)."""
    return unicodedata.normalize(
        "NFC", DIACRITICS.sub("", unicodedata.normalize("NFD", text)))


def _query_text(text):
    """User text cut to a sane size, or None when it has no searchable words."""
    text = _plain(text)[:MAX_QUERY_CHARS]
    # Both engines read "_", "*" and parentheses as separators here (no prefix search on
    # PostgreSQL), and "focal-point" as the words "focal" and "point".
    text = INNER_HYPHEN.sub(" ", re.sub(r"[_*()]", " ", text))
    text = OPERATOR_WORD.sub(lambda m: "OR" if m.group().lower() == "or" else m.group().lower(),
                             text)
    words = list(WORD.finditer(text))
    if not words:
        return None
    if len(words) > MAX_QUERY_WORDS:
        text = text[:words[MAX_QUERY_WORDS - 1].end()]
    return text.strip()


_VARIANTS = _variants()
