"""A search ranks only the newest matches the viewer may see, at most SEARCH_CANDIDATES of them.

The cap is set small here (app config, read at query time). Within the candidates the ranking
is as before: title matches, then tag matches, then relevance.
"""
import pytest

from r2pnet import search
from r2pnet.extensions import db
from r2pnet.knowledge import browse, services
from r2pnet.knowledge.schemas import BrowseSchema
from tests.api_helpers import Api, token_for
from tests.helpers import soup
from tests.moderation_helpers import make_thread
from tests.signin import sign_in_as

CAP = 3


@pytest.fixture
def capped(app):
    app.config["SEARCH_CANDIDATES"] = CAP
    return CAP


@pytest.fixture
def author(make_member):
    return make_member(email="author@example.org", password=None)


@pytest.fixture
def reader(client, make_member):
    member = make_member(email="reader@example.org", password=None, region_key="africa")
    sign_in_as(client, member)
    return member


def _lessons_about_kalara(make_lesson, author, count, **fields):
    """`count` lessons mentioning kalara in their text, oldest first."""
    return [make_lesson(author, title=f"Lesson {n}", summary="A summary.",
                        practice_md=f"Kalara district practice number {n}.", **fields)
            for n in range(count)]


def _titles(response):
    return [h.get_text(strip=True) for h in soup(response).select("article h3")]


def _status(response):
    return soup(response).find(role="status").get_text(" ", strip=True)


def _results(member, text, **filters):
    with db.connection_context():
        return browse.results(member, BrowseSchema().load({"q": text, **filters}))


def test_only_the_newest_matches_are_ranked_when_more_match_than_the_cap(
        capped, client, reader, author, make_lesson):
    oldest = make_lesson(author, title="Kalara dialogue", summary="Kalara in the title.")
    _lessons_about_kalara(make_lesson, author, 4)

    response = client.get("/lessons", query_string={"q": "kalara"})

    # The title match would rank first, but it is not among the three newest matches.
    assert oldest.title not in _titles(response)
    assert _titles(response) == ["Lesson 3", "Lesson 2", "Lesson 1"]


def test_the_candidates_keep_the_ranking_title_first(capped, client, reader, author,
                                                     make_lesson):
    _lessons_about_kalara(make_lesson, author, 3)
    make_lesson(author, title="Kalara dialogue", summary="Kalara in the title.")
    make_lesson(author, title="Lesson 4", summary="A summary.", practice_md="Kalara again.")

    response = client.get("/lessons", query_string={"q": "kalara"})

    assert _titles(response) == ["Kalara dialogue", "Lesson 4", "Lesson 2"]


def test_the_total_is_a_flagged_lower_bound_when_more_lessons_match(capped, reader, author,
                                                                    make_lesson):
    _lessons_about_kalara(make_lesson, author, CAP + 2)

    lessons, total = _results(reader, "kalara")

    assert total == CAP and total.capped
    assert len(lessons) == CAP


@pytest.mark.parametrize("matching", [1, CAP])
def test_the_total_is_exact_up_to_the_cap(capped, reader, author, make_lesson, matching):
    _lessons_about_kalara(make_lesson, author, matching)

    lessons, total = _results(reader, "kalara")

    assert total == matching and not total.capped
    assert len(lessons) == matching


def test_the_lessons_page_says_when_the_total_is_capped(capped, client, reader, author,
                                                        make_lesson):
    _lessons_about_kalara(make_lesson, author, CAP + 1)

    status = _status(client.get("/lessons", query_string={"q": "kalara"}))

    assert status.startswith(f"More than {CAP} lessons match: the most relevant of the "
                             f"newest {CAP} are shown")


def test_the_lessons_page_gives_an_exact_total_below_the_cap(capped, client, reader, author,
                                                             make_lesson):
    _lessons_about_kalara(make_lesson, author, CAP - 1)

    response = client.get("/lessons", query_string={"q": "kalara"})

    assert _status(response).startswith(f"{CAP - 1} lessons")
    assert "More than" not in response.get_data(as_text=True)


def test_hidden_lessons_never_take_a_candidate_place(capped, client, reader, author,
                                                     make_lesson):
    seen = _lessons_about_kalara(make_lesson, author, 2)
    # Newer matches the reader may not see: region-only lessons of another region.
    _lessons_about_kalara(make_lesson, author, CAP + 2, visibility="region",
                          region_key="europe")

    lessons, total = _results(reader, "kalara")

    assert [lesson.id for lesson in lessons] == [lesson.id for lesson in reversed(seen)]
    assert total == 2 and not total.capped


def test_a_reader_who_may_see_few_of_the_newest_matches_gets_the_newest_visible_ones(
        capped, reader, author, make_lesson):
    older = _lessons_about_kalara(make_lesson, author, CAP + 2)
    # More hidden matches than PostgreSQL sorts before checking visibility (it then walks on).
    _lessons_about_kalara(make_lesson, author, search.NEAREST_MATCHES * (CAP + 1) + 3,
                          visibility="region", region_key="europe")
    newer = _lessons_about_kalara(make_lesson, author, 2)

    lessons, total = _results(reader, "kalara")

    newest = {lesson.id for lesson in [*newer, *older[-(CAP - 2):]]}
    assert {lesson.id for lesson in lessons} == newest
    assert total == CAP and total.capped


def test_a_reader_who_may_see_none_of_many_matches_finds_nothing(capped, reader, author,
                                                                  make_lesson):
    _lessons_about_kalara(make_lesson, author, search.NEAREST_MATCHES * (CAP + 1) + 3,
                          visibility="region", region_key="europe")

    lessons, total = _results(reader, "kalara")

    assert lessons == [] and total == 0 and not total.capped


def test_filters_apply_before_the_cap(capped, reader, author, make_lesson):
    wanted = _lessons_about_kalara(make_lesson, author, 2, crimes=["genocide"])
    _lessons_about_kalara(make_lesson, author, CAP + 1)

    lessons, total = _results(reader, "kalara", crime=["genocide"])

    assert {lesson.id for lesson in lessons} == {lesson.id for lesson in wanted}
    assert total == 2 and not total.capped


def test_a_lesson_edited_later_keeps_its_place_among_the_candidates(capped, reader, author,
                                                                    make_lesson):
    first = _lessons_about_kalara(make_lesson, author, 1)[0]
    _lessons_about_kalara(make_lesson, author, CAP)
    with db.connection_context():
        data = dict(services.lesson_data(first), title="Kalara, revised")
        services.update_lesson(author, first, data)

    lessons, total = _results(reader, "kalara")

    assert first.id not in [lesson.id for lesson in lessons]
    assert total.capped


def test_facets_count_the_candidates_and_say_so(capped, client, reader, author, make_lesson):
    _lessons_about_kalara(make_lesson, author, 2, crimes=["genocide"])
    _lessons_about_kalara(make_lesson, author, CAP, crimes=["war_crimes"])

    with db.connection_context():
        counts = browse.facets(reader, BrowseSchema().load({"q": "kalara"}))
    page = client.get("/lessons", query_string={"q": "kalara"}).get_data(as_text=True)

    assert counts["crime"] == {"war_crimes": CAP}
    assert f"Counts over the newest {CAP} matches." in page


def test_the_search_page_says_when_lessons_and_threads_are_capped(capped, client, reader,
                                                                  author, make_lesson):
    _lessons_about_kalara(make_lesson, author, CAP + 1)
    with db.connection_context():
        for n in range(CAP + 1):
            make_thread(reader, title=f"Kalara meeting {n}")

    page = soup(client.get("/search", query_string={"q": "kalara"}))

    assert page.find(id="h-lessons").get_text(" ", strip=True) == f"Lessons (more than {CAP})"
    assert page.find(id="h-threads").get_text(" ", strip=True) == f"Threads (more than {CAP})"
    notes = [p.get_text(" ", strip=True) for p in page.select(".search-capped")]
    assert any(note.startswith(f"More than {CAP} lessons match") for note in notes)
    assert any(note.startswith(f"More than {CAP} threads match") for note in notes)


def test_the_search_page_counts_exactly_below_the_cap(capped, client, reader, author,
                                                      make_lesson):
    _lessons_about_kalara(make_lesson, author, 2)

    page = soup(client.get("/search", query_string={"q": "kalara"}))

    assert page.find(id="h-lessons").get_text(" ", strip=True) == "Lessons (2)"
    assert not page.select(".search-capped")


def test_the_json_export_flags_a_capped_total(capped, client, reader, author, make_lesson):
    _lessons_about_kalara(make_lesson, author, CAP + 1)

    capped_export = client.get("/lessons.json", query_string={"q": "kalara"}).get_json()
    exact_export = client.get("/lessons.json", query_string={"q": "dialogue"}).get_json()

    assert (capped_export["total"], capped_export["total_is_lower_bound"]) == (CAP, True)
    assert capped_export["count"] == CAP
    assert (exact_export["total"], exact_export["total_is_lower_bound"]) == (0, False)


def test_the_default_cap_is_a_thousand(app):
    from r2pnet import search

    assert search.SEARCH_CANDIDATES == 1000
    assert app.config["SEARCH_CANDIDATES"] == 1000


def test_the_api_search_flags_capped_totals(capped, client, reader, author, make_lesson):
    _lessons_about_kalara(make_lesson, author, CAP + 1)
    with db.connection_context():
        make_thread(reader, title="Kalara meeting")
    api = Api(client, token_for(reader))

    capped_body = api.get("/search", query_string={"q": "kalara"}).get_json()
    exact_body = api.get("/search", query_string={"q": "meeting"}).get_json()

    assert capped_body["totals"] == {"lessons": CAP, "lessons_capped": True, "threads": 1,
                                     "threads_capped": False, "members": 0}
    assert exact_body["totals"]["lessons_capped"] is False
