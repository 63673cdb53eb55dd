"""Threads through the API: per space, in the page's orders, paged by cursor; start and read."""
import datetime as dt

import pytest

from r2pnet.discussions.models import Post, Thread, ThreadLesson, ThreadTerm
from r2pnet.members.models import utcnow
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import QueryCounter, region, soup
from tests.moderation_helpers import make_reply, make_thread
from tests.signin import sign_in_as

NEW_THREAD = {"title": "Early warning across borders",
              "body_md": "How do you *share* alerts with @[Kofi Mensah]?",
              "pillars": ["pillar_2", "pillar_1"], "crimes": ["genocide"],
              "priorities": [], "risk_factors": [9, 1], "tags": ["early warning", "elections"]}


@pytest.fixture
def amina(make_member):
    return make_member(password=None, name="Amina Diallo", region_key="africa")


@pytest.fixture
def api(client, amina):
    return Api(client, token_for(amina))


def nothing_written():
    return Thread.select().count() == 0 and Post.select().count() == 0


# --- starting and reading ----------------------------------------------------------------------

def test_a_member_starts_a_thread_and_reads_it_back(api, amina, make_member, make_lesson):
    make_member(password=None, name="Kofi Mensah", region_key="africa")
    lesson = make_lesson(amina)
    response = api.post("/spaces/africa/threads", json={**NEW_THREAD, "lesson_ids": [lesson.id]})
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    thread = Thread.get()
    assert response.headers["Location"] == f"/api/v1/threads/{thread.id}"
    assert response.headers["ETag"]
    assert (thread.region_id, thread.author_id) == (region("africa").id, amina.id)
    assert created["notes"] == []
    read = api.get(response.headers["Location"])
    assert read.status_code == 200
    body = read.get_json()
    for key, value in {**NEW_THREAD, "lesson_ids": [lesson.id]}.items():
        if key != "body_md":
            assert body[key] == value, key
    assert body["opening_post"]["body_md"] == NEW_THREAD["body_md"]
    assert "<em>share</em>" in body["opening_post"]["body_html"]
    assert (body["space"], body["author"]["name"], body["reply_count"]) == (
        "africa", "Amina Diallo", 0)
    assert (body["can_reply"], body["can_moderate"], body["is_hidden"]) == (True, False, False)
    listed = api.get("/spaces/africa/threads").get_json()["items"]
    assert [t["id"] for t in listed] == [thread.id]
    assert listed[0]["tags"] == ["early warning", "elections"]


def test_a_thread_in_the_network_space_is_read_by_every_region(client, api, make_member):
    response = api.post("/spaces/network/threads",
                        json={"title": "Annual meeting", "body_md": "Agenda ideas?"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["space"] == "network"
    assert response.get_json()["pillars"] == []
    europe = Api(client, token_for(make_member(password=None, region_key="europe")))
    assert [t["title"] for t in europe.get("/spaces/network/threads").get_json()["items"]] == [
        "Annual meeting"]
    assert europe.get(response.headers["Location"]).status_code == 200


def test_a_mention_of_nobody_is_reported_in_notes(api):
    response = api.post("/spaces/africa/threads",
                        json={"title": "Ping", "body_md": "Hello @[Nobody Here]"})
    assert response.status_code == 201
    assert any("Nobody Here" in note for note in response.get_json()["notes"])


@pytest.mark.parametrize("field", ["id", "author_id", "created_at", "reply_count", "version",
                                   "is_pinned", "region_id", "colour"])
def test_unknown_and_read_only_fields_are_refused_and_nothing_is_written(api, field):
    response = api.post("/spaces/africa/threads", json={**NEW_THREAD, field: 1})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert nothing_written()


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"title": " Padded"}, "title"),
    ({"title": "Two\nlines"}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"body_md": "  \n "}, "body_md"),
    ({"body_md": "x" * 20001}, "body_md"),
    ({"pillars": ["pillar_9"]}, "pillars"),
    ({"pillars": ["pillar_1", "pillar_1"]}, "pillars"),
    ({"risk_factors": [15]}, "risk_factors"),
    ({"risk_factors": ["1"]}, "risk_factors"),
    ({"tags": ["Early Warning"]}, "tags"),
    ({"tags": ["a, b"]}, "tags"),
    ({"lesson_ids": [0]}, "lesson_ids"),
    ({"lesson_ids": [2**63]}, "lesson_ids"),
    ({"lesson_ids": [123456]}, "lesson_ids"),
    ({"title": None}, "title"),
])
def test_invalid_threads_are_refused_with_the_field_named(api, change, field):
    response = api.post("/spaces/africa/threads", json={**NEW_THREAD, **change})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in {key.split(".")[0] for key in response.get_json()["errors"]}
    assert nothing_written()


def test_a_lesson_the_writer_may_not_read_cannot_be_linked(api, make_member, make_lesson):
    europe = make_member(password=None, region_key="europe")
    private = make_lesson(europe, region_key="europe", visibility="region")
    response = api.post("/spaces/africa/threads", json={**NEW_THREAD, "lesson_ids": [private.id]})
    assert response.status_code == 422
    assert "lesson_ids" in response.get_json()["errors"]
    assert nothing_written()


def test_a_linked_lesson_is_listed_only_to_those_who_may_read_it(client, amina, make_member,
                                                                  make_lesson):
    private = make_lesson(amina, region_key="africa", visibility="region")
    thread = make_thread(amina, region_key=None)
    ThreadLesson.create(thread=thread, lesson=private)
    europe = Api(client, token_for(make_member(password=None, region_key="europe")))
    own = Api(client, token_for(amina))
    assert own.get(f"/threads/{thread.id}").get_json()["lesson_ids"] == [private.id]
    assert europe.get(f"/threads/{thread.id}").get_json()["lesson_ids"] == []


def test_another_regions_space_and_threads_are_not_found(client, amina, make_member):
    thread = make_thread(amina)
    europe = Api(client, token_for(make_member(password=None, region_key="europe")))
    assert europe.get("/spaces/africa/threads").status_code == 404
    assert europe.post("/spaces/africa/threads", json=NEW_THREAD).status_code == 404
    assert europe.get(f"/threads/{thread.id}").status_code == 404
    assert europe.get("/spaces/nowhere/threads").status_code == 404
    assert europe.get(f"/threads/{2**63}").status_code == 404
    assert europe.get("/spaces/europe/threads").status_code == 200
    assert Thread.select().count() == 1


def test_a_read_token_cannot_start_a_thread(client, amina):
    reader = Api(client, token_for(amina, scope="read"))
    response = reader.post("/spaces/africa/threads", json=NEW_THREAD)
    assert response.status_code == 403
    assert nothing_written()
    assert reader.get("/spaces/africa/threads").status_code == 200


def test_without_a_token_threads_are_unauthorized(client, amina):
    thread = make_thread(amina)
    anonymous = Api(client)
    assert anonymous.get("/spaces/network/threads").status_code == 401
    assert anonymous.get(f"/threads/{thread.id}").status_code == 401


def test_a_thread_answers_304_until_it_changes(api, amina, make_member):
    thread = make_thread(amina)
    first = api.get(f"/threads/{thread.id}")
    tag = first.headers["ETag"]
    assert api.get(f"/threads/{thread.id}", headers={"If-None-Match": tag}).status_code == 304
    make_reply(make_member(password=None), thread)
    again = api.get(f"/threads/{thread.id}", headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] != tag
    assert again.get_json()["reply_count"] == 1


# --- orders and paging ---------------------------------------------------------------------------

@pytest.fixture
def space(amina, make_member):
    """Seven Africa threads with distinct and tied times, replies, two of them pinned."""
    kofi = make_member(password=None, region_key="africa")
    base = utcnow() - dt.timedelta(days=10)
    threads = []
    for n in range(7):
        thread = make_thread(amina, title=f"Thread {n}")
        for _ in range(n % 3):
            make_reply(kofi, thread)
        # Threads 2 and 3, and 4 and 5, share their times: the id breaks the tie.
        moment = base + dt.timedelta(hours=[0, 1, 2, 2, 3, 3, 4][n])
        Thread.update(created_at=moment, last_activity_at=moment + dt.timedelta(
            minutes=(7 - n) * 10)).where(Thread.id == thread.id).execute()
        threads.append(thread)
    Thread.update(is_pinned=True).where(Thread.id << [threads[1].id, threads[3].id]).execute()
    return threads


def page_titles(client, member, sort):
    """The thread titles of a space's HTML page, in order, for this member."""
    sign_in_as(client, member)
    page = soup(client.get(f"/regions/africa?sort={sort}"))
    return [a.text.strip() for a in page.select(".thread-list li a.fw-semibold")]


@pytest.mark.parametrize("sort", ["activity", "newest", "replies", "unanswered"])
def test_every_order_pages_stably_and_agrees_with_the_page(client, api, amina, space, sort):
    items, pages = all_pages(api, "/spaces/africa/threads", sort=sort, limit=2)
    titles = [t["title"] for t in items]
    assert len(titles) == len(set(titles))
    assert titles == page_titles(client, amina, sort)
    pinned = {"Thread 3"} if sort == "unanswered" else {"Thread 1", "Thread 3"}
    assert set(titles[:len(pinned)]) == pinned  # pinned first
    expected = 7 if sort != "unanswered" else 3
    assert len(titles) == expected and pages == -(-expected // 2)
    if sort == "unanswered":
        assert all(t["reply_count"] == 0 for t in items)


def test_threads_started_while_paging_neither_repeat_nor_shift_the_pages(api, amina, space):
    first = api.get("/spaces/africa/threads", query_string={"sort": "newest", "limit": 3})
    body = first.get_json()
    make_thread(amina, title="Newer than all")
    rest, _ = all_pages(api, "/spaces/africa/threads", sort="newest", limit=3,
                        cursor=body["next_cursor"])
    ids = [t["id"] for t in body["items"] + rest]
    assert len(ids) == len(set(ids)) == 7
    assert first.headers["Link"].startswith("</api/v1/spaces/africa/threads?")
    assert 'rel="next"' in first.headers["Link"]


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJhY3Rpdml0eSJd",
                                    "WyJhY3Rpdml0eSIsMiwibm8iLDFd"])
def test_a_cursor_that_was_not_given_out_is_refused(api, space, cursor):
    response = api.get("/spaces/africa/threads", query_string={"cursor": cursor})
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


def test_a_cursor_of_another_order_is_refused(api, space):
    cursor = api.get("/spaces/africa/threads",
                     query_string={"limit": 2}).get_json()["next_cursor"]
    response = api.get("/spaces/africa/threads",
                       query_string={"sort": "newest", "cursor": cursor})
    assert response.status_code == 422
    assert api.get("/spaces/africa/threads",
                   query_string={"sort": "sideways"}).status_code == 422


# --- cost -----------------------------------------------------------------------------------------

def _many_threads(author, count):
    now = utcnow()
    rows = [{"region": region("africa").id, "author": author.id, "title": f"Thread {n}",
             "created_at": now, "last_activity_at": now - dt.timedelta(minutes=n),
             "last_author": author.id, "reply_count": n % 4, "is_pinned": n % 17 == 0}
            for n in range(count)]
    Thread.insert_many(rows).execute()
    ids = [t.id for t in Thread.select(Thread.id).where(
        Thread.id.not_in(Post.select(Post.thread)))]
    ThreadTerm.insert_many([{"thread": i, "kind": "tag", "key": "elections"}
                            for i in ids]).execute()
    Post.insert_many([{"thread": i, "author": author.id, "number": 1, "body_md": "x",
                       "body_html": "<p>x</p>"} for i in ids]).execute()


def _queries(api, path, **params):
    api.get(path, query_string=params)  # the token's "last used" is written once, not counted
    with QueryCounter() as counter:
        response = api.get(path, query_string=params)
    assert response.status_code == 200
    return counter.count, len(response.get_json()["items"])


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_the_thread_list_costs_the_same_queries_for_10_or_200_threads(client, make_member,
                                                                      role):
    member = make_member(password=None, role=role,
                         moderates=("africa",) if role == "moderator" else ())
    api = Api(client, token_for(member))
    _many_threads(member, 10)
    small, shown = _queries(api, "/spaces/africa/threads", limit=100)
    assert shown == 10
    _many_threads(member, 190)
    large, shown = _queries(api, "/spaces/africa/threads", limit=100)
    assert shown == 100
    assert small == large
