"""Phrases: found side by side only, the same on both engines; on SQLite through word pairs."""
import importlib
import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r2pnet import search
from r2pnet.extensions import db
from tests.conftest import BACKEND
from tests.test_search import hits_of

sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="word pairs index SQLite's FTS5")


@pytest.fixture
def notes(app):
    search.index("lesson", 1, "Desk", "An early warning desk opened in May.")
    search.index("lesson", 2, "Late", "The warning came early, then again.")
    search.index("lesson", 3, "Apart", "Early signs, and a warning later.")
    search.index("lesson", 4, "Spread", "An early warning. Later a warning desk.")
    search.index("lesson", 5, "Hyphen", "The early-warning unit and Côte d'Ivoire's desk.")


def test_a_phrase_finds_only_its_words_side_by_side_in_order(notes):
    assert sorted(hits_of("lesson", '"early warning"')) == [1, 4, 5]
    assert sorted(hits_of("lesson", '"warning early"')) == []


def test_a_phrase_of_three_words_needs_all_three_together(notes):
    # Lesson 4 holds "early warning" and "warning desk", but not the three in a row.
    assert hits_of("lesson", '"early warning desk"') == [1]


def test_a_phrase_ignores_case_accents_and_punctuation_as_words_do(notes):
    assert hits_of("lesson", '"COTE D IVOIRE"') == [5]
    assert hits_of("lesson", '"côte d\'ivoire\'s desk"') == [5]


def test_a_phrase_can_be_excluded_or_be_one_side_of_or(notes):
    assert sorted(hits_of("lesson", 'warning -"early warning"')) == [2, 3]
    assert sorted(hits_of("lesson", '"warning desk" OR "came early"')) == [1, 2, 4]


def test_a_phrase_in_the_title_ranks_first(notes):
    search.index("lesson", 6, "Early warning in the Sahel", "Nothing else here.")
    assert hits_of("lesson", '"early warning"')[0] == 6


@sqlite_only
def test_a_phrase_does_not_run_from_one_field_into_the_next(app):
    search.index("lesson", 1, "Signs come early", "Warning offices opened.")
    assert hits_of("lesson", '"early warning"') == []


@sqlite_only
def test_each_field_is_indexed_with_its_words_two_by_two(app):
    search.index("lesson", 1, "Éarly Warning", "A b-c.", tags="one")
    row = db.execute_sql("SELECT title_pairs, body_pairs, tags_pairs FROM search_document"
                         ).fetchone()
    joined = search.PAIR_JOINER
    assert row == (f"early{joined}warning", f"a{joined}b b{joined}c", "")


def test_the_pair_joiner_never_reaches_a_stored_text(app):
    search.index("lesson", 1, f"early{search.PAIR_JOINER}warning", "x")
    title = db.execute_sql("SELECT title FROM search_document").fetchone()[0]
    assert title == "early warning"
    assert hits_of("lesson", f'"early{search.PAIR_JOINER}warning"') == [1]


VOCABULARY = ["early", "warning", "desk", "signs", "hate", "speech", "radio", "Côte"]


@sqlite_only
def test_pairs_find_exactly_what_fts5_phrases_find(app):
    """Against a plain FTS5 table without pairs, over random texts and random phrases."""
    rng = random.Random(7)
    reference = db.connection()
    reference.execute("CREATE VIRTUAL TABLE temp.plain USING fts5(title, body, tags, "
                      f"tokenize='{search.TOKENIZER}')")
    try:
        for object_id in range(1, 121):
            fields = [" ".join(rng.choices(VOCABULARY, k=rng.randint(0, n)))
                      for n in (4, 30, 3)]
            search.index("lesson", object_id, *fields)
            reference.execute("INSERT INTO temp.plain (rowid, title, body, tags) "
                              "VALUES (?, ?, ?, ?)", (object_id, *fields))
        for _ in range(60):
            phrase = " ".join(rng.choices(VOCABULARY, k=rng.randint(2, 3)))
            expected = sorted(rowid for (rowid,) in reference.execute(
                "SELECT rowid FROM temp.plain WHERE plain MATCH ?", (f'"{phrase}"',)))
            assert sorted(hits_of("lesson", f'"{phrase}"')) == expected, phrase
    finally:
        reference.execute("DROP TABLE temp.plain")


@sqlite_only
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(st.characters(exclude_categories=("Cs", "Cn")), min_size=1,
                              max_size=6), min_size=2, max_size=4))
def test_a_document_is_found_by_any_two_of_its_words_side_by_side(app, words):
    """Whatever the characters, a pair is one word to FTS5, and a phrase finds its text."""
    text = search._plain(" ".join(words))
    search.index("lesson", 1, "", text)
    body_pairs = db.execute_sql("SELECT body_pairs FROM search_document").fetchone()[0]
    found = search.fts_words(db, [[text]])[0][0]
    for pair in body_pairs.split(" ") if body_pairs else ():
        assert search.fts_words(db, [[pair]]) == [[[pair]]]
    for first, second in pairwise(found):
        phrase = f'"{first} {second}"'
        if search.searchable(phrase):  # else no search finds it, a phrase or not
            assert hits_of("lesson", phrase) == [1], phrase


def test_the_migration_gives_existing_documents_their_pairs(app):
    migration = importlib.import_module("migrations.0017_search_word_pairs")
    migration.down(None, db.obj)
    try:
        db.execute_sql("INSERT INTO search_document (kind, object_id, title, body, tags) "
                       "VALUES ('lesson', 1, 'Old', 'An early warning desk.', '')")
    finally:
        migration.up(None, db.obj)
    assert hits_of("lesson", '"early warning"') == [1]
    assert hits_of("lesson", "desk") == [1]
    search.index("lesson", 2, "New", "early warning")
    assert sorted(hits_of("lesson", '"early warning"')) == [1, 2]


postgres_only = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's tsvector")


@postgres_only
def test_the_pairs_hold_each_two_words_side_by_side(app):
    search.index("lesson", 1, "Early warning", "It's an early-warning desk.", tags="x")
    pairs = db.execute_sql("SELECT pairs::text FROM search_document").fetchone()[0]
    # As a phrase reads the document (title, tags, body): hyphenated words also as their
    # parts, and the fields run on.
    assert pairs == ("'an early-warning' 'early warning' 'early-warning early' 'it s' 's an' "
                     "'warning desk' 'warning x' 'x it'")


@postgres_only
@pytest.mark.parametrize(("query", "pairs"), [
    ('"early warning"', "'early warning'"),
    ('"early warning desk" genocide', "'early warning' & 'warning desk'"),
    ('"it\'s a" -"hate speech"', "'it s' & 's a'"),
    ('"early warning" OR genocide', None),
    ('-"early warning" genocide', None),
    ("early warning", None),
])
def test_a_query_filters_by_the_pairs_of_its_phrases_that_every_match_holds(app, query, pairs):
    found = db.execute_sql("SELECT search_phrase_filter(websearch_to_tsquery('simple', %s))"
                           "::text", (query,)).fetchone()[0]
    assert found == pairs


@postgres_only
def test_words_too_long_to_pair_are_indexed_without_their_pair(app):
    long_word = "a" * 1500  # two make a lexeme over PostgreSQL's 2 kB limit
    search.index("lesson", 1, "", f"{long_word} {long_word} early warning")
    assert hits_of("lesson", long_word[:100]) == []
    assert hits_of("lesson", '"early warning"') == [1]


PHRASE_TEXT = st.text(st.sampled_from("ab 'c\\-.é"), min_size=1, max_size=12)


@postgres_only
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(PHRASE_TEXT, min_size=1, max_size=4), phrase=PHRASE_TEXT)
def test_the_pairs_filter_keeps_every_match_of_the_phrase(app, texts, phrase):
    search.clear()
    for object_id, text in enumerate(texts, 1):
        search.index("lesson", object_id, text[:4], text, tags=text[::-1])
    for query in (f'"{phrase}"', f'"{phrase}" {phrase}', f'-"{phrase}" "{phrase[::-1]}"',
                  f'"{phrase}" OR {phrase}'):
        plain, filtered = (sorted(object_id for (object_id,) in db.execute_sql(
            "SELECT object_id FROM search_document, websearch_to_tsquery('simple', %s) AS q "
            f"WHERE document @@ q {condition}", (query,)))
            for condition in ("", "AND (search_phrase_filter(q) IS NULL "
                                  "OR pairs @@ search_phrase_filter(q))"))
        assert filtered == plain, query


@sqlite_only
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(max_codepoint=127), max_size=30))
def test_ascii_words_are_read_as_fts5_reads_them(app, text):
    """A search's ASCII terms are split without asking FTS5: the same words."""
    assert search._words_of_terms([text]) == search.fts_words(db, [[text]])[0]


@sqlite_only
def test_a_search_of_ascii_words_and_phrases_asks_no_more_statements_on_its_first_run(app):
    from tests.helpers import QueryCounter
    with QueryCounter() as queries:
        search._fts_expression('"never seen before" -"nor this"', search.FIELDS)
    assert queries.count == 0
