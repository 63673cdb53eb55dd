"""GET /search: lessons, threads and members at once, each only where the caller may see it."""
import datetime as dt

import pytest

from r2pnet.members.models import Member
from r2pnet.moderation import actions
from tests.api_helpers import Api, token_for
from tests.helpers import QueryCounter, region
from tests.moderation_helpers import make_reply, make_thread


@pytest.fixture
def people(make_member):
    return {
        "africa": make_member(name="Amina Diallo", region_key="africa", password=None),
        "europe": make_member(name="Claire Dubois", region_key="europe", password=None,
                              title="Head of the Sahel Unit", organization="Foreign Ministry"),
        "moderator": make_member(name="Kwame Mensah", role="moderator", region_key="africa",
                                 moderates=("africa",), password=None),
        "administrator": make_member(name="Ana Admin", role="administrator",
                                     region_key="europe", password=None),
    }


@pytest.fixture
def world(people, make_lesson):
    """Sahel lessons and threads of every visibility."""
    africa, europe, moderator = people["africa"], people["europe"], people["moderator"]
    items = {
        "network lesson": make_lesson(africa, title="Sahel early warning desk"),
        "africa-only lesson": make_lesson(africa, "africa", visibility="region",
                                          title="Sahel mediation, region only"),
        "europe-only lesson": make_lesson(europe, "europe", visibility="region",
                                          title="Sahel support from Europe, region only"),
        "draft lesson": make_lesson(europe, title="Sahel draft", publish=False),
        "network thread": make_thread(europe, None, title="Sahel across borders"),
        "africa thread": make_thread(africa, "africa", title="Sahel in our region"),
        "europe thread": make_thread(europe, "europe", title="Sahel from Brussels"),
        "hidden thread": make_thread(africa, "africa", title="Sahel rumours"),
    }
    actions.hide(moderator, items["hidden thread"], reason="Unverified claims")
    return items


def hits(client, member, q="sahel", **params):
    response = Api(client, token_for(member) if member else None).get(
        "/search", query_string=dict(params, q=q))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def titles(body, kind):
    return {hit["title"] if kind != "members" else hit["name"] for hit in body[kind]}


def expected(world, *names):
    return {world[name].title for name in names}


# --- visibility ------------------------------------------------------------------------------

def test_a_member_finds_what_they_may_read_and_nothing_else(client, people, world):
    body = hits(client, people["africa"])

    assert titles(body, "lessons") == expected(world, "network lesson", "africa-only lesson")
    assert titles(body, "threads") == expected(world, "network thread", "africa thread")
    assert body["totals"] == {"lessons": 2, "threads": 2, "members": 1,
                              "lessons_capped": False, "threads_capped": False}


def test_a_member_of_another_region_sees_neither_its_lessons_nor_its_threads(client, people,
                                                                             world):
    body = hits(client, people["europe"])

    assert titles(body, "lessons") == expected(world, "network lesson", "europe-only lesson")
    assert titles(body, "threads") == expected(world, "network thread", "europe thread")


def test_a_hidden_thread_is_found_by_the_spaces_moderator_only(client, people, world):
    assert world["hidden thread"].title in titles(hits(client, people["moderator"]), "threads")
    assert world["hidden thread"].title not in titles(hits(client, people["africa"]), "threads")
    assert world["hidden thread"].title not in titles(hits(client, people["europe"]),
                                                      "threads")


def test_an_administrator_finds_every_published_lesson_and_every_thread(client, people, world):
    body = hits(client, people["administrator"])

    assert titles(body, "lessons") == expected(
        world, "network lesson", "africa-only lesson", "europe-only lesson")
    assert titles(body, "threads") == expected(
        world, "network thread", "africa thread", "europe thread", "hidden thread")


def test_a_hidden_reply_is_not_found_through_its_thread(client, people, world):
    thread = world["africa thread"]
    reply = make_reply(people["moderator"], thread, body="The quokka report leaked.")
    actions.hide(people["moderator"], thread, reply, reason="Confidential")

    assert hits(client, people["africa"], q="quokka")["threads"] == []


def test_search_needs_a_token_or_a_session(client, world):
    assert Api(client).get("/search", query_string={"q": "sahel"}).status_code == 401


# --- hits ------------------------------------------------------------------------------------

def test_each_hit_has_an_id_a_title_a_snippet_and_the_page_address(client, people, world):
    body = hits(client, people["africa"], q="warning")

    lesson = world["network lesson"]
    assert body["lessons"] == [{
        "id": lesson.id, "title": lesson.title, "summary": lesson.summary,
        "snippet_html": body["lessons"][0]["snippet_html"],
        "url": f"http://r2pnet.test/lessons/{lesson.id}"}]
    thread = hits(client, people["africa"], q="borders")["threads"][0]
    assert thread["id"] == world["network thread"].id and thread["region_id"] is None
    assert thread["url"] == f"http://r2pnet.test/threads/{world['network thread'].id}"
    assert "The opening post of the thread." in thread["snippet_html"]


def test_snippets_are_escaped_html_with_the_words_marked(client, people):
    make_thread(people["africa"], "africa", title="Markup",
                body="Beware <script>alert(1)</script> of the quokka.")

    snippet = hits(client, people["africa"], q="quokka")["threads"][0]["snippet_html"]

    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>quokka</mark>" in snippet


def test_members_are_found_by_name_title_or_organization_as_in_the_directory(client, people,
                                                                             world):
    europe = people["europe"]

    found = hits(client, people["africa"])["members"]

    assert found == [{"id": europe.id, "name": "Claire Dubois",
                      "summary": "Head of the Sahel Unit, Foreign Ministry",
                      "region_id": region("europe").id,
                      "url": f"http://r2pnet.test/members/{europe.id}"}]
    assert titles(hits(client, people["africa"], q="kwame"), "members") == {"Kwame Mensah"}


def test_disabled_members_are_not_found(client, people, make_member):
    make_member(name="Omar Sahel", disabled_at=dt.datetime(2024, 1, 1), password=None)

    assert "Omar Sahel" not in titles(hits(client, people["africa"]), "members")


def test_each_kind_is_limited_and_totals_count_them_all(client, people):
    for n in range(6):
        make_thread(people["africa"], "africa", title=f"Quokka sighting {n}")

    body = hits(client, people["africa"], q="quokka", limit=4)

    assert len(body["threads"]) == 4 and body["totals"]["threads"] == 6


@pytest.mark.parametrize("q", ["   ", "-", "***", "()", "_", '"'])
def test_text_without_words_finds_nothing(client, people, world, q):
    body = hits(client, people["africa"], q=q)
    assert body["lessons"] == body["threads"] == body["members"] == []


@pytest.mark.parametrize("query, field", [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "limit": "0"}, "limit"),
    ({"q": "a", "limit": "51"}, "limit"), ({"q": "a", "limit": "many"}, "limit"),
    ({"q": "a", "kind": "lessons"}, "kind"),
])
def test_bad_parameters_are_a_422_naming_them(client, people, query, field):
    response = Api(client, token_for(people["africa"])).get("/search", query_string=query)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("q", ['sahel "', "NOT sahel", "sahel OR -sahel", "-sahel",
                               "a" * 200, "ñ̃̃̃̃", "'; DROP TABLE lesson; --", "sahel*",
                               "title:sahel", "NEAR(sahel warning)", "^sahel"])
def test_hostile_text_is_searched_not_obeyed(client, people, world, q):
    hits(client, people["administrator"], q=q)


# --- queries ---------------------------------------------------------------------------------

def _bulk(people, make_lesson, count):
    for n in range(count):
        make_lesson(people["africa"], title=f"Sahel lesson {count}-{n}")
        make_thread(people["africa"], "africa", title=f"Sahel thread {count}-{n}")
    Member.insert_many([{"email": f"sahel{count}-{n}@example.org", "name": f"Sahel {n}",
                         "search_text": f"sahel {n}", "session_version": "x" * 32}
                        for n in range(count)]).execute()


@pytest.mark.parametrize("who", ["africa", "moderator", "administrator"])
def test_search_costs_the_same_queries_with_10_or_200_hits(client, people, make_lesson, who):
    api = Api(client, token_for(people[who]))
    _bulk(people, make_lesson, 10)
    api.get("/search", query_string={"q": "sahel"})  # the token's first use is recorded once
    with QueryCounter() as small:
        small_body = api.get("/search", query_string={"q": "sahel", "limit": 50}).get_json()

    _bulk(people, make_lesson, 190)
    with QueryCounter() as large:
        large_body = api.get("/search", query_string={"q": "sahel", "limit": 50}).get_json()

    assert small_body["totals"]["threads"] == 10 and large_body["totals"]["threads"] == 200
    assert len(large_body["lessons"]) == len(large_body["threads"]) == 50
    assert small.count == large.count
