"""The search service: ranking, accents, snippets, hostile text, joins, replacing documents."""
import pytest
from peewee import Select

from r2pnet import search
from r2pnet.extensions import db, is_postgres
from r2pnet.members.models import Region


def hits_of(kind, text):
    """Object ids matching text, best first ([] when the text has no searchable words)."""
    hits = search.matching(kind, text)
    if hits is None:
        return []
    query = (Select(from_list=[hits], columns=[hits.c.object_id])
             .order_by(hits.c.rank, hits.c.object_id)
             .bind(db))
    return [object_id for (object_id,) in query.tuples()]


@pytest.fixture
def lessons(app):
    """A few made-up lesson documents."""
    search.index("lesson", 1, "Community dialogue in the Sahel",
                 "Early warning networks fed local mediation. Warning signs were logged weekly; "
                 "warning messages reached the district. Another warning came in May.",
                 tags="mediation sahel")
    search.index("lesson", 2, "Early warning that worked",
                 "A national committee met monthly.", tags="committee")
    search.index("lesson", 3, "National architecture",
                 "Focal points and their committees.", tags="warning")
    search.index("lesson", 4, "Lucía's memorial project",
                 "Remembrance of the victims in Côte d'Ivoire, led by Ngũgĩ.", tags="memory")
    return [1, 2, 3, 4]


# --- ranking ---------------------------------------------------------------------------------

def test_a_title_match_ranks_above_tags_above_body_only_matches(lessons):
    # Lesson 1 says "warning" four times in its body, still below a title and a tag.
    assert hits_of("lesson", "warning") == [2, 3, 1]


def test_a_title_that_holds_every_word_ranks_first(lessons):
    search.index("lesson", 5, "Warning", "Early signs of atrocity crimes.")
    assert hits_of("lesson", "early warning")[0] == 2


def test_a_phrase_ranks_by_title_only_when_the_title_holds_it_as_a_phrase(lessons):
    search.index("lesson", 5, "Warning of early signs", "An early warning desk, set up fast.")
    search.index("lesson", 6, "Reparations", "Early warning reached the district twice.",
                 tags="early warning")
    # 2 holds the phrase in its title; 6 in its tags; 5 has both words in its title apart.
    hits = hits_of("lesson", '"early warning"')
    assert hits[:2] == [2, 6]
    assert sorted(hits[2:]) == [1, 5]


def test_tags_are_searched(lessons):
    assert hits_of("lesson", "memory") == [4]
    assert hits_of("lesson", "sahel") == [1]


def test_every_word_must_match(lessons):
    assert hits_of("lesson", "national committee") == [2]
    assert hits_of("lesson", "national remembrance") == []


def test_quoted_phrases_or_and_exclusion(lessons):
    assert hits_of("lesson", '"warning signs"') == [1]
    assert sorted(hits_of("lesson", "memory OR committee")) == [2, 4]
    assert hits_of("lesson", "warning -mediation") == [2, 3]


def test_or_in_any_case_means_either_and_not_is_a_word(lessons):
    assert sorted(hits_of("lesson", "memory or committee")) == [2, 4]
    # As websearch_to_tsquery reads it: "memory", or "committee national"; no grouping.
    assert sorted(hits_of("lesson", "(memory OR committee) national")) == [2, 4]
    assert hits_of("lesson", "warning NOT mediation") == []
    assert hits_of("lesson", "warning AND mediation") == []


def test_only_excluded_words_find_nothing(lessons):
    assert hits_of("lesson", "-warning") == []


def test_hyphenated_words_find_the_words_apart(lessons):
    search.index("lesson", 6, "Focal point network", "Meets yearly.")
    assert hits_of("lesson", "focal-point") == [6]


def test_rank_is_a_number_lower_is_better(lessons):
    hits = search.matching("lesson", "warning")
    ranks = dict(hits.tuples())
    assert ranks[2] < ranks[3] < ranks[1]
    assert all(-4 < rank <= 0 for rank in ranks.values())


# --- accents and case ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Lucia", "lucía", "LUCIA", "memorial lucia"])
def test_accents_and_case_do_not_matter(lessons, text):
    # SQLite: unicode61 remove_diacritics 2. PostgreSQL: the index and the query are both
    # folded (NFD, combining marks dropped), so it behaves the same.
    assert hits_of("lesson", text) == [4]


def test_accented_query_finds_unaccented_text(lessons):
    search.index("lesson", 7, "Cote d'Ivoire dialogue", "No accents typed.")
    assert sorted(hits_of("lesson", "Côte")) == [4, 7]
    assert hits_of("lesson", "Ngugi") == [4]


# --- snippets and titles ---------------------------------------------------------------------

def test_snippet_marks_the_matched_words(lessons):
    snippet = search.snippets("lesson", [1], "mediation")[1]
    assert "<mark>mediation</mark>" in snippet


def test_snippet_marks_accented_words_and_keeps_their_accents(lessons):
    snippet = search.snippets("lesson", [4], "cote ngugi")[4]
    assert "<mark>Côte</mark>" in snippet and "<mark>Ngũgĩ</mark>" in snippet


def test_snippet_escapes_html_from_the_document(app):
    search.index("lesson", 8, "Scripts", 'Before <script>alert("x")</script> & the early warning.')
    snippet = search.snippets("lesson", [8], "warning")[8]
    assert "<script>" not in snippet
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; the early <mark>warning</mark>" \
        in snippet


def test_snippet_marks_words_between_tags(app):
    search.index("lesson", 9, "Bold", "The <b>bold</b> move.")
    snippet = search.snippets("lesson", [9], "bold")[9]
    assert snippet == "The &lt;b&gt;<mark>bold</mark>&lt;/b&gt; move."


def test_html_in_the_query_never_reaches_the_page(app):
    search.index("lesson", 9, "Script", "The script move.")
    text = '"><script>alert(1)</script> script'
    assert search.snippets("lesson", [9], text)[9] == "The <mark>script</mark> move."
    assert search.highlight_title("lesson", {9: "Script"}, text)[9] == "<mark>Script</mark>"


def test_snippet_of_a_long_body_is_the_fragment_around_the_match(app):
    body = " ".join(["filler"] * 300 + ["the", "deliberation", "happened"] + ["filler"] * 300)
    search.index("lesson", 10, "Long", body)
    snippet = search.snippets("lesson", [10], "deliberation")[10]
    assert "<mark>deliberation</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < search.SNIPPET_CHARS + 60


def test_snippet_without_a_match_in_the_body_is_its_beginning(lessons):
    snippet = search.snippets("lesson", [2], "early")[2]
    assert snippet == "A national committee met monthly."


def test_snippets_only_for_the_given_ids_of_the_kind(lessons):
    search.index("thread", 1, "Other kind", "warning")
    assert set(search.snippets("lesson", [1, 2, 99], "warning")) == {1, 2}
    assert search.snippets("lesson", [], "warning") == {}


def test_whole_words_are_marked_not_parts(app):
    search.index("lesson", 11, "Parts", "warnings forewarning warning")
    assert search.snippets("lesson", [11], "warning")[11] == \
        "warnings forewarning <mark>warning</mark>"


def test_highlight_title_marks_and_escapes(app):
    titles = search.highlight_title("lesson", {1: "Early <i>warning</i> in Côte d'Ivoire"},
                                    "warning cote")
    assert titles == {1: "Early &lt;i&gt;<mark>warning</mark>&lt;/i&gt; in "
                         "<mark>Côte</mark> d&#39;Ivoire"}


def test_excluded_words_are_not_marked(app):
    titles = search.highlight_title("lesson", {1: "warning mediation"}, "warning -mediation")
    assert titles[1] == "<mark>warning</mark> mediation"


# --- hostile text ----------------------------------------------------------------------------

HOSTILE = [
    '"', '"unbalanced', 'a "b c', "'", "((", "a)", "(a OR", "c++", "C#", "AND", "OR", "NOT",
    "warning AND", "OR warning", "NOT warning", "NEAR(warning early)", "NEAR/3", "*", "warn*",
    "-", "--", "-warning", ":", "title:warning", "body:", "{title body}: warning", "^warning",
    "warning^2", "!", "&|!", "a & b | !c", "<->", "warning <-> early", "\\", "%", "_", "%_%",
    "'; DROP TABLE search_document; --", "😀", "warning 😀", "\x00", "warn\x00ing",
    "\ud800", "\t\n", "ë", "ᐊᐃᔨᐅ", "日本語", "مرحبا", "x" * 5000, "warning " * 300,
    "rowid", "rank", "search_document_fts", "{a}", "'{a}'::\"char\"[]",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_raises(lessons, text):
    assert isinstance(hits_of("lesson", text), list)
    assert isinstance(search.snippets("lesson", lessons, text), dict)
    assert isinstance(search.highlight_title("lesson", {1: "warning"}, text), dict)


@pytest.mark.parametrize("text", ["", "   ", "\t\n", None, "!?", "---", "😀", "\x00", "_"])
def test_text_without_words_is_no_search(app, text):
    assert search.matching("lesson", text) is None


def test_long_text_is_cut_to_its_first_words(lessons):
    assert hits_of("lesson", "warning " + "zebra " * 40) == []
    assert hits_of("lesson", "warning " * 100) == [2, 3, 1]


def test_nul_bytes_and_control_characters_are_stored_as_spaces(app):
    search.index("lesson", 12, "Nul\x00title", "body\x07text")
    assert hits_of("lesson", "nul") == [12]
    assert search.snippets("lesson", [12], "text")[12] == "body <mark>text</mark>"


# --- with models -----------------------------------------------------------------------------

def _index_regions():
    for region in Region.select():
        search.index("region", region.id, region.name, ", ".join(region.organizations))


def test_hits_join_a_model_query_best_first(app):
    _index_regions()
    hits = search.matching("region", "union")
    regions = (Region.select(Region, hits.c.rank.alias("rank"))
               .join(hits, on=(hits.c.object_id == Region.id))
               .order_by(hits.c.rank, Region.id)
               .objects())
    assert [r.key for r in regions] == ["africa", "europe"]
    assert all(r.rank < 0 for r in regions)


def test_hits_filter_a_model_query(app):
    _index_regions()
    hits = search.matching("region", "asia")
    keys = [r.key for r in Region.select().where(Region.id.in_(hits.select(hits.c.object_id)))]
    assert keys == ["asia_pacific"]
    counted = (Region.select().join(hits, on=(hits.c.object_id == Region.id)).count())
    assert counted == 1


def test_hits_combine_with_other_conditions(app):
    _index_regions()
    hits = search.matching("region", "union")
    regions = (Region.select()
               .join(hits, on=(hits.c.object_id == Region.id))
               .where(Region.key != "africa"))
    assert [r.key for r in regions] == ["europe"]


# --- replacing and removing ------------------------------------------------------------------

def test_index_again_replaces_the_document(lessons):
    search.index("lesson", 2, "Dialogue platforms", "Replaced body.", tags="")
    assert hits_of("lesson", "early") == [1]
    assert hits_of("lesson", "platforms") == [2]
    assert search.snippets("lesson", [2], "replaced")[2] == "<mark>Replaced</mark> body."


def test_remove_drops_the_document(lessons):
    search.remove("lesson", 2)
    assert hits_of("lesson", "warning") == [3, 1]
    assert search.snippets("lesson", [2], "warning") == {}
    search.remove("lesson", 2)  # removing twice is harmless


def test_kinds_are_separate(lessons):
    search.index("thread", 1, "Warning about the thread", "A thread body.")
    search.index("thread", 2, "Sahel", "Unrelated.")
    assert hits_of("thread", "warning") == [1]
    assert hits_of("lesson", "warning") == [2, 3, 1]
    search.remove("thread", 1)
    assert hits_of("lesson", "warning") == [2, 3, 1]
    assert hits_of("thread", "warning") == []


def test_indexing_is_undone_with_its_transaction(app):
    with pytest.raises(RuntimeError):
        with db.atomic():
            search.index("lesson", 13, "Rolled back", "Never committed.")
            raise RuntimeError("the action failed")
    assert hits_of("lesson", "rolled") == []


def test_clear_empties_every_kind(lessons):
    search.index("thread", 1, "Warning", "x")
    search.clear()
    assert hits_of("lesson", "warning") == [] and hits_of("thread", "warning") == []


def test_the_engine_behind_the_service(app):
    table = "search_document"
    if is_postgres():
        sql = ("SELECT count(*) FROM pg_indexes WHERE tablename = %s "
               "AND indexdef LIKE '%%USING gin (document)%%'")
    else:
        sql = "SELECT count(*) FROM sqlite_master WHERE name = ? || '_fts' AND sql LIKE '%fts5%'"
    assert db.execute_sql(sql, (table,)).fetchone()[0] == 1
