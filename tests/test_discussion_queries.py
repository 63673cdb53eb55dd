"""A thread page and a space's thread list cost the same SQL queries whatever their size."""
import datetime as dt

import pytest

from r2pnet import catalogue
from r2pnet.discussions import services
from r2pnet.discussions.models import Post, Thread, ThreadRead
from r2pnet.discussions.schemas import ThreadSchema
from tests.helpers import QueryCounter, region
from tests.signin import sign_in_as


def _count(client, url):
    with QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def _thread_with_posts(author, others, count):
    data = ThreadSchema().load({"title": "Long thread", "body_md": "Opening",
                                "pillars": ["pillar_1"], "tags": "a, b"})
    thread = services.create_thread(author, region("africa").id, data).thread
    quoted = Post.get(Post.thread == thread).id
    now = dt.datetime(2026, 1, 1)
    rows = [{"thread": thread.id, "author": others[n % len(others)].id, "number": n + 2,
             "body_md": f"Reply {n}", "body_html": f"<p>Reply {n}</p>", "created_at": now,
             "quoted_post": quoted if n % 3 == 0 else None, "is_hidden": n % 11 == 0}
            for n in range(count - 1)]
    for start in range(0, len(rows), 500):
        Post.insert_many(rows[start:start + 500]).execute()
    Thread.update(last_number=count, reply_count=count - 1).where(
        Thread.id == thread.id).execute()
    return thread


@pytest.mark.parametrize("role", ["member", "moderator", "administrator"])
def test_a_thread_page_costs_the_same_with_10_or_500_posts(client, make_member, role):
    others = [make_member(region_key="africa") for _ in range(5)]
    small = _thread_with_posts(others[0], others, 10)
    large = _thread_with_posts(others[0], others, 500)
    viewer = make_member(region_key="africa", role=role,
                         moderates=("africa",) if role == "moderator" else ())
    sign_in_as(client, viewer)
    counts = {}
    for name, thread in (("small", small), ("large", large), ("small", small)):
        counts[name] = []
        for url in (f"/threads/{thread.id}", f"/threads/{thread.id}?page=1"):
            ThreadRead.delete().execute()  # a first visit: the page is marked read
            counts[name].append(_count(client, url))
    assert counts["small"] == counts["large"]
    assert max(counts["large"]) <= 9


def _bulk_threads(author, count, region_id):
    now = dt.datetime(2026, 1, 1)
    rows = [{"region": region_id, "author": author.id, "title": f"Thread {n}",
             "created_at": now, "last_activity_at": now + dt.timedelta(minutes=n),
             "last_author": author.id, "reply_count": n % 4, "last_number": n % 4 + 1,
             "is_pinned": n % 97 == 0, "is_hidden": n % 13 == 0} for n in range(count)]
    known = {t.id for t in Thread.select(Thread.id)}
    for start in range(0, len(rows), 500):
        Thread.insert_many(rows[start:start + 500]).execute()
    ids = [t.id for t in Thread.select(Thread.id).order_by(Thread.id) if t.id not in known]
    posts = [{"thread": thread_id, "author": author.id, "number": 1, "body_md": "x",
              "body_html": "<p>x</p>", "created_at": now} for thread_id in ids]
    for start in range(0, len(posts), 500):
        Post.insert_many(posts[start:start + 500]).execute()


@pytest.mark.parametrize("url", ["/regions/africa", "/regions/africa?sort=newest",
                                 "/regions/africa?sort=replies", "/regions/africa?sort=unanswered",
                                 "/network", "/discussions", "/new", "/search?q=thread"])
def test_a_space_costs_the_same_with_10_or_5000_threads(client, make_member, url):
    author = make_member(region_key="africa")
    viewer = make_member(region_key="africa")
    sign_in_as(client, viewer)
    services.follow_space(viewer, region("africa").id)
    services.follow_space(viewer, None)
    _bulk_threads(author, 10, region("africa").id)
    _bulk_threads(author, 10, None)
    _count(client, url)
    catalogue.forget()  # both counts are of a first visit: nothing kept (a search's results)
    small = _count(client, url)
    _bulk_threads(author, 4990, region("africa").id)
    _bulk_threads(author, 990, None)
    catalogue.forget()
    assert _count(client, url) == small


def test_a_space_lists_25_threads_a_page_pinned_first(client, make_member):
    author = make_member(region_key="africa")
    sign_in_as(client, make_member(region_key="africa"))
    _bulk_threads(author, 120, region("africa").id)
    first = client.get("/regions/africa").get_data(as_text=True)
    assert "Thread 97" in first.split("Thread 119")[0]  # pinned (n % 97 == 0) before the newest
    assert "Page 1 of 5" in first and "110 threads" in first  # 10 hidden ones are not counted
    assert client.get("/regions/africa?page=5").status_code == 200
    assert client.get("/regions/africa?page=abc").status_code == 200
