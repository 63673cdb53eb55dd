"""The browse page and a lesson page cost the same SQL queries for 10 or 10,000 lessons."""
import datetime as dt

from r2pnet.knowledge.models import Lesson, LessonApplication, LessonTerm
from tests.helpers import QueryCounter, region
from tests.signin import sign_in_as


def _bulk_lessons(author, count, region_id):
    now = dt.datetime(2026, 1, 1)
    rows = [{"title": f"Lesson {n}", "summary": "Summary", "author": author.id,
             "region": region_id, "country": "GH", "visibility": ["network", "region",
                                                                   "public"][n % 3],
             "is_published": n % 7 != 0, "published_at": now, "published_year": 2020 + n % 6,
             "attribution": "office" if n % 4 else "anonymous"} for n in range(count)]
    known = {lesson.id for lesson in Lesson.select(Lesson.id)}
    for start in range(0, len(rows), 500):
        Lesson.insert_many(rows[start:start + 500]).execute()
    ids = [lesson.id for lesson in Lesson.select(Lesson.id).order_by(Lesson.id)
           if lesson.id not in known]
    # Terms follow the position in this batch (like the rows above), not the id: PostgreSQL
    # ids keep counting across tests.
    terms = [{"lesson": i, "kind": kind, "key": key} for n, i in enumerate(ids)
             for kind, key in (("pillar", "pillar_1"), ("tag", f"tag{n % 9}"),
                               ("risk_factor", str(n % 14 + 1)))]
    for start in range(0, len(terms), 900):
        LessonTerm.insert_many(terms[start:start + 900]).execute()


def _count(client, url):
    with QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


BROWSE_URLS = [
    "/lessons",
    "/lessons?pillar=pillar_1&tag=tag3",
    "/lessons?region=africa&year=2023&sort=applied",
    "/lessons?risk_factor=3&country=GH&sort=useful",
]


def test_browse_and_lesson_pages_cost_the_same_queries_for_10_or_10000_lessons(client, make_member):
    viewer = make_member(email="viewer@example.org", region_key="africa", password=None)
    sign_in_as(client, viewer)
    author = make_member(email="author@example.org", region_key="africa", password=None)
    _bulk_lessons(author, 10, region("africa").id)
    one = Lesson.select().where(Lesson.is_published == True).first()  # noqa: E712
    urls = BROWSE_URLS + [f"/lessons/{one.id}"]
    small = [_count(client, url) for url in urls]
    _bulk_lessons(author, 10000, region("africa").id)
    large = [_count(client, url) for url in urls]
    # Browse: facets computed on a miss, as here (the catalogue versions come with the member);
    # lesson page: + threads.
    assert small == large == [5, 5, 5, 5, 7]


def test_a_lesson_page_costs_the_same_queries_with_many_applications(
        client, make_member, make_lesson):
    viewer = make_member(email="viewer@example.org", password=None)
    sign_in_as(client, viewer)
    lesson = make_lesson(make_member(email="author@example.org", password=None),
                         tags=["a", "b"], risk_factors=[1, 2])
    few = _count(client, f"/lessons/{lesson.id}")
    members = [make_member(email=f"m{n}@example.org", password=None) for n in range(60)]
    LessonApplication.insert_many([{"lesson": lesson.id, "member": m.id, "note": "ok"}
                                   for m in members]).execute()
    many = _count(client, f"/lessons/{lesson.id}")
    assert few == many == 7, (few, many)
