"""The visibility matrix through the API: viewer x lesson x surface (list, count, search,
single lesson, file), each answer agreeing with Lesson.visible_to and with the lesson pages."""
import io
import re

import pytest

from r2pnet.extensions import db
from r2pnet.knowledge import attachments
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import soup
from tests.signin import sign_in_as

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# Every lesson is Africa's (but one) and carries a word of its own, for search.
LESSONS = {
    "public": {"visibility": "public"},
    "network": {"visibility": "network"},
    "africa_only": {"visibility": "region"},
    "draft": {"visibility": "network", "publish": False},
    "europe_only": {"visibility": "region", "region_key": "europe", "by": "europe_author"},
}
VIEWERS = {  # name -> (role, home region, regions moderated)
    "anonymous": None,
    "author": ("member", "africa", ()),
    "africa_member": ("member", "africa", ()),
    "europe_member": ("member", "europe", ()),
    "africa_moderator": ("moderator", "americas", ("africa",)),
    "europe_moderator": ("moderator", "americas", ("europe",)),
    "administrator": ("administrator", None, ()),
}
SEES = {  # the oracle, written out: who may read which lesson
    "anonymous": {"public"},
    "author": {"public", "network", "africa_only", "draft"},
    "africa_member": {"public", "network", "africa_only"},
    "europe_member": {"public", "network", "europe_only"},
    "africa_moderator": {"public", "network", "africa_only"},
    "europe_moderator": {"public", "network", "europe_only"},
    "administrator": set(LESSONS),
}
PUBLISHED = {name for name, spec in LESSONS.items() if spec.get("publish", True)}


def word(name):
    return "keyword" + name.replace("_", "")


@pytest.fixture
def world(app, make_member, make_lesson):
    people = {"europe_author": make_member(email="eu@example.org", region_key="europe",
                                           password=None)}
    for name, spec in VIEWERS.items():
        if spec is not None:
            role, home, moderates = spec
            people[name] = make_member(email=f"{name}@example.org", role=role,
                                       region_key=home, moderates=moderates, password=None)
    lessons, files = {}, {}
    for name, spec in LESSONS.items():
        spec = dict(spec)
        author = people[spec.pop("by", "author")]
        lessons[name] = make_lesson(author, region_key=spec.pop("region_key", "africa"),
                                    title=f"Lesson {name}", practice_md=word(name), **spec)
        with db.connection_context():
            files[name] = attachments.add_attachment(author, lessons[name], io.BytesIO(PDF),
                                                     f"{name}.pdf")
    return people, lessons, files


def callers(app, people, viewer):
    """(API client, page client) for one viewer: a token, and a signed-in browser."""
    if viewer == "anonymous":
        return Api(app.test_client()), app.test_client()
    member = people[viewer]
    return (Api(app.test_client(), token_for(member)),
            sign_in_as(app.test_client(), member))


def readable(people, viewer, lesson):
    """What the model's query scope says."""
    member = None if viewer == "anonymous" else Member.get_by_id(people[viewer].id)
    return Lesson.visible_to(member).where(Lesson.id == lesson.id).exists()


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_a_lesson_and_its_file_open_exactly_where_its_page_does(app, world, viewer):
    people, lessons, files = world
    api, browser = callers(app, people, viewer)
    for name, lesson in lessons.items():
        expected = 200 if name in SEES[viewer] else 404
        assert readable(people, viewer, lesson) == (expected == 200), (viewer, name)
        file_path = f"/lessons/{lesson.id}/attachments/{files[name].id}"
        assert api.get(f"/lessons/{lesson.id}").status_code == expected, (viewer, name)
        assert browser.get(f"/lessons/{lesson.id}").status_code == expected, (viewer, name)
        assert api.get(file_path).status_code == expected, (viewer, name)
        assert browser.get(file_path).status_code == expected, (viewer, name)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_the_list_and_its_count_are_the_readable_published_lessons_as_on_the_page(
        app, world, viewer):
    people, lessons, _ = world
    api, browser = callers(app, people, viewer)
    expected = {lessons[name].id for name in SEES[viewer] & PUBLISHED}

    items, _ = all_pages(api, "/lessons", limit=2)

    assert [item["id"] for item in items] == sorted(expected, reverse=True)
    assert {item["id"] for item in items} == {
        lesson.id for lesson in lessons.values()
        if readable(people, viewer, lesson) and lesson.is_published}
    status = soup(browser.get("/lessons")).find(role="status").get_text()
    assert int(re.search(r"(\d+) lesson", status).group(1)) == len(items)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_search_finds_a_lesson_exactly_when_the_page_search_does(app, world, viewer):
    people, lessons, _ = world
    api, browser = callers(app, people, viewer)
    for name, lesson in lessons.items():
        found = api.get("/lessons", query_string={"q": word(name)}).get_json()["items"]
        page = {h.get_text(strip=True) for h in soup(
            browser.get("/lessons", query_string={"q": word(name)})).select("article h3")}
        expected = name in SEES[viewer] & PUBLISHED
        assert [item["id"] for item in found] == ([lesson.id] if expected else []), \
            (viewer, name)
        assert page == ({f"Lesson {name}"} if expected else set()), (viewer, name)


def test_drafts_are_listed_under_mine_for_their_author_only(app, world):
    people, lessons, _ = world
    author, _ = callers(app, people, "author")
    peer, _ = callers(app, people, "africa_member")

    mine, _ = all_pages(author, "/lessons", mine="true")
    theirs, _ = all_pages(peer, "/lessons", mine="true", q=word("draft"))

    assert {item["id"] for item in mine} == {
        lessons[name].id for name in ("public", "network", "africa_only", "draft")}
    assert theirs == []
