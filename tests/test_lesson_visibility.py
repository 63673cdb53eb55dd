"""The visibility matrix: role x region x visibility x surface; nothing leaks, counts included."""
import pytest

from tests.helpers import soup
from tests.signin import sign_in_as

# Each lesson carries a unique word (in a section, for search) and a unique tag (for facets).
LESSONS = {
    "network": {"visibility": "network"},
    "africa_only": {"visibility": "region", "region_key": "africa"},
    "europe_only": {"visibility": "region", "region_key": "europe", "by": "europe_author"},
    "public": {"visibility": "public"},
    "draft": {"visibility": "network", "publish": False},
    "public_draft": {"visibility": "public", "publish": False},
}
SEES = {  # viewer -> lessons they may read (the browse list shows published ones only)
    "anonymous": {"public"},
    "author": {"network", "africa_only", "public", "draft", "public_draft"},
    "africa_member": {"network", "africa_only", "public"},
    "europe_member": {"network", "europe_only", "public"},
    "africa_moderator": {"network", "africa_only", "europe_only", "public"},
    "administrator": set(LESSONS),
}
PUBLISHED = {name for name, spec in LESSONS.items() if spec.get("publish", True)}


@pytest.fixture
def world(app, make_member, make_lesson):
    people = {
        "author": make_member(email="author@example.org", region_key="africa", password=None),
        "europe_author": make_member(email="eu@example.org", region_key="europe",
                                     password=None),
        "africa_member": make_member(email="af@example.org", region_key="africa",
                                     password=None),
        "europe_member": make_member(email="em@example.org", region_key="europe",
                                     password=None),
        "africa_moderator": make_member(email="mod@example.org", role="moderator",
                                        region_key="europe", moderates=("africa",),
                                        password=None),
        "administrator": make_member(email="admin@example.org", role="administrator",
                                     region_key=None, password=None),
    }
    lessons = {}
    for name, spec in LESSONS.items():
        spec = dict(spec)
        author = people[spec.pop("by", "author")]
        word = name.replace("_", "")
        lessons[name] = make_lesson(author, region_key=spec.pop("region_key", "africa"),
                                    title=f"Lesson {word}", practice_md=f"keyword{word}",
                                    tags=[f"t{word}"], **spec)
    return people, lessons


def _client(app, people, viewer):
    client = app.test_client()
    if viewer != "anonymous":
        sign_in_as(client, people[viewer])
    return client


def _titles(response):
    return {h.get_text(strip=True) for h in soup(response).select("article h3")}


@pytest.mark.parametrize("viewer", list(SEES))
def test_lesson_pages_open_only_for_those_who_may_read_them(app, world, viewer):
    people, lessons = world
    client = _client(app, people, viewer)
    for name, lesson in lessons.items():
        status = client.get(f"/lessons/{lesson.id}").status_code
        assert status == (200 if name in SEES[viewer] else 404), (viewer, name)


@pytest.mark.parametrize("viewer", list(SEES))
def test_the_browse_list_and_its_total_show_only_readable_published_lessons(app, world, viewer):
    people, lessons = world
    expected = {f"Lesson {n.replace('_', '')}" for n in SEES[viewer] & PUBLISHED}
    response = _client(app, people, viewer).get("/lessons")
    assert _titles(response) == expected
    assert f"{len(expected)} lesson" in soup(response).find(role="status").get_text()


@pytest.mark.parametrize("viewer", list(SEES))
def test_facet_counts_count_only_readable_lessons(app, world, viewer):
    people, lessons = world
    page = soup(_client(app, people, viewer).get("/lessons")).find("aside").get_text(" ")
    for name in LESSONS:
        tag = f"#t{name.replace('_', '')}"
        assert (tag in page) == (name in SEES[viewer] & PUBLISHED), (viewer, name)
    pillar_count = len(SEES[viewer] & PUBLISHED)
    assert f"Pillar I: the protection responsibilities of the State ({pillar_count})" in \
        " ".join(page.split())


@pytest.mark.parametrize("viewer", list(SEES))
def test_search_finds_only_readable_lessons(app, world, viewer):
    people, lessons = world
    client = _client(app, people, viewer)
    for name in LESSONS:
        word = name.replace("_", "")
        response = client.get("/lessons", query_string={"q": f"keyword{word}"})
        assert response.status_code == 200
        found = _titles(response)
        expected = {f"Lesson {word}"} if name in SEES[viewer] & PUBLISHED else set()
        assert found == expected, (viewer, name)
        if not expected:
            assert "0 lessons" in soup(response).find(role="status").get_text()


def test_drafts_are_listed_for_their_author_under_my_lessons_only(app, world):
    people, lessons = world
    mine = _titles(_client(app, people, "author").get("/lessons?mine=1"))
    assert {"Lesson draft", "Lesson publicdraft"} <= mine
    others = _titles(_client(app, people, "africa_member").get("/lessons?mine=1"))
    assert "Lesson draft" not in others
