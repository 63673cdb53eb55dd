"""CSV and JSON exports of the filtered lesson list: visibility, filters, anonymity, safety."""
import csv
import io
import json

import pytest
import time_machine

from r2pnet.knowledge.services import set_useful
from tests.helpers import QueryCounter
from tests.signin import sign_in_as

NETWORK, AFRICA_ONLY, PUBLIC, DRAFT, ANONYMIZED = (
    "Network lesson on early warning", "Africa-only lesson on mediation",
    "Public lesson for the Compendium", "Draft lesson still being written",
    "Anonymized lesson on elections")
PUBLISHED = {NETWORK, AFRICA_ONLY, PUBLIC, ANONYMIZED}
# Viewer -> the lessons their list (and so their exports and feed) must hold.
VISIBLE = {
    "author": PUBLISHED,
    "member of africa": PUBLISHED,
    "member of europe": {NETWORK, PUBLIC, ANONYMIZED},
    "moderator of africa": PUBLISHED,
    "administrator": PUBLISHED,
}
# What an anonymized lesson must never show: the author's name, email, office and country.
AUTHOR_TRACES = ("Kwame", "Mensah", "kwame@example.org", "Ministry of Foreign Affairs",
                 "Ghana", "GH")


def build_world(make_member, make_lesson):
    """An author in Africa with one lesson of each kind, and one viewer of each kind."""
    author = make_member(email="kwame@example.org", name="Kwame Mensah", region_key="africa",
                         country="GH", organization="Ministry of Foreign Affairs",
                         password=None)
    common = {"country": "GH", "region_key": "africa"}
    lessons = {
        NETWORK: make_lesson(author, title=NETWORK, **common),
        AFRICA_ONLY: make_lesson(author, title=AFRICA_ONLY, visibility="region", **common),
        PUBLIC: make_lesson(author, title=PUBLIC, visibility="public", **common),
        DRAFT: make_lesson(author, title=DRAFT, publish=False, **common),
        ANONYMIZED: make_lesson(author, title=ANONYMIZED, attribution="anonymous", **common),
    }
    viewers = {
        "author": author,
        "member of africa": make_member(email="amina@example.org", region_key="africa",
                                        password=None),
        "member of europe": make_member(email="jan@example.org", region_key="europe",
                                        password=None),
        # Their own region is Europe: they see Africa's lessons because they moderate it.
        "moderator of africa": make_member(email="moderator@example.org", role="moderator",
                                           region_key="europe", moderates=("africa",),
                                           password=None),
        "administrator": make_member(email="admin@example.org", role="administrator",
                                     region_key=None, password=None),
    }
    return lessons, viewers


def read_csv(response):
    """The rows of a CSV export as dicts (after checking the byte-order mark)."""
    assert response.data.startswith("\ufeff".encode()), response.data[:20]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def world(make_member, make_lesson):
    return build_world(make_member, make_lesson)


@pytest.fixture
def browser(app):
    """A fresh client signed in as a given member: browser(member)."""
    return lambda member: sign_in_as(app.test_client(), member)


@pytest.mark.parametrize("viewer", VISIBLE)
def test_the_csv_export_holds_exactly_the_lessons_the_viewer_may_read(world, browser, viewer):
    _, viewers = world
    response = browser(viewers[viewer]).get("/lessons.csv")

    assert response.status_code == 200
    assert {row["title"] for row in read_csv(response)} == VISIBLE[viewer]
    body = response.data.decode("utf-8-sig")
    for hidden in {NETWORK, AFRICA_ONLY, PUBLIC, DRAFT, ANONYMIZED} - VISIBLE[viewer]:
        assert hidden not in body


@pytest.mark.parametrize("viewer", VISIBLE)
def test_the_json_export_holds_exactly_the_lessons_the_viewer_may_read(world, browser, viewer):
    _, viewers = world
    response = browser(viewers[viewer]).get("/lessons.json")

    assert response.status_code == 200
    data = response.get_json()
    assert {lesson["title"] for lesson in data["lessons"]} == VISIBLE[viewer]
    assert data["count"] == data["total"] == len(VISIBLE[viewer])
    for hidden in {NETWORK, AFRICA_ONLY, PUBLIC, DRAFT, ANONYMIZED} - VISIBLE[viewer]:
        assert hidden not in response.get_data(as_text=True)


def test_my_lessons_export_includes_my_draft_and_nobody_elses(world, browser):
    _, viewers = world
    mine = browser(viewers["author"]).get("/lessons.json?mine=1").get_json()
    assert {lesson["title"] for lesson in mine["lessons"]} == PUBLISHED | {DRAFT}

    for viewer in ("member of africa", "administrator"):
        theirs = browser(viewers[viewer]).get("/lessons.json?mine=1").get_json()
        assert theirs == {"count": 0, "total": 0, "total_is_lower_bound": False, "lessons": []}


def test_an_anonymized_lesson_never_names_its_author_in_either_export(world, browser):
    _, viewers = world
    reader = browser(viewers["member of africa"])
    rows = {row["title"]: row for row in read_csv(reader.get("/lessons.csv"))}
    records = {r["title"]: r for r in reader.get("/lessons.json").get_json()["lessons"]}

    for exported in (rows[ANONYMIZED], records[ANONYMIZED]):
        assert exported["attribution"] == "A Member State in Africa"
        assert exported["region"] == "Africa"
        assert exported["author"] in ("", None) and exported["country"] in ("", None)
        text = json.dumps(exported, ensure_ascii=False)
        assert [trace for trace in AUTHOR_TRACES if trace in text] == []
    # The attributed lessons beside it do name the author's office.
    assert rows[NETWORK]["author"] == records[NETWORK]["author"] == "Kwame Mensah"
    assert rows[NETWORK]["country"] == records[NETWORK]["country"] == "GH"
    assert rows[NETWORK]["attribution"] == "Kwame Mensah, Ministry of Foreign Affairs (Ghana)"


def test_a_json_record_carries_every_field_with_absolute_links_and_utc_times(
        make_member, make_lesson, browser):
    author = make_member(name="Ana Souza", region_key="americas", country="BR", password=None)
    with time_machine.travel("2026-11-27 09:30:00 +0000", tick=False):
        lesson = make_lesson(author, title="Risk register", summary="A shared register.",
                             country="BR", region_key="americas",
                             pillars=["pillar_1", "pillar_2"], crimes=["genocide"],
                             priorities=[], risk_factors=[1, 8],
                             strategy=["risk_assessment"], tags=["early warning", "elections"])
        response = browser(author).get("/lessons.json")

    assert response.headers["Content-Disposition"] == \
        "attachment; filename=lessons-2026-11-27.json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    (record,) = response.get_json()["lessons"]
    assert record == {
        "id": lesson.id, "url": f"http://r2pnet.test/lessons/{lesson.id}",
        "title": "Risk register", "summary": "A shared register.",
        "attribution": "Ana Souza (Brazil)", "author": "Ana Souza", "country": "BR",
        "region": "Americas", "visibility": "network", "published_at": "2026-11-27T09:30:00Z",
        "pillars": ["pillar_1", "pillar_2"], "crimes": ["genocide"], "priorities": [],
        "risk_factors": [1, 8], "strategy": ["risk_assessment"],
        "tags": ["early warning", "elections"], "applied_count": 0, "useful_count": 0}


def test_the_csv_export_is_a_dated_attachment_with_a_header_and_joined_lists(
        make_member, make_lesson, browser):
    author = make_member(name="Ana Souza", region_key="americas", country="BR", password=None)
    with time_machine.travel("2026-11-27 09:30:00 +0000", tick=False):
        make_lesson(author, title="Risk register", country="BR", region_key="americas",
                    pillars=["pillar_1", "pillar_2"], risk_factors=[1, 8],
                    tags=["early warning", "elections"])
        response = browser(author).get("/lessons.csv")

    assert response.headers["Content-Disposition"] == \
        "attachment; filename=lessons-2026-11-27.csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    header = response.data.decode("utf-8-sig").splitlines()[0]
    assert header == ("id,url,title,summary,attribution,author,country,region,visibility,"
                      "published_at,pillars,crimes,priorities,risk_factors,strategy,tags,"
                      "applied_count,useful_count")
    (row,) = read_csv(response)
    assert row["pillars"] == "pillar_1; pillar_2"
    assert row["risk_factors"] == "1; 8"
    assert row["tags"] == "early warning; elections"
    assert row["published_at"] == "2026-11-27T09:30:00Z"


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused(make_member, make_lesson, browser):
    author = make_member(name="=cmd|' /C calc'!A0", organization="@SUM(A1:A9)",
                         region_key="africa", password=None)
    make_lesson(author, title='=HYPERLINK("http://evil.example","click")',
                summary="+1+1", tags=["+cmd", "safe"])
    make_lesson(author, title="-2+3", summary="\tindented")
    make_lesson(author, title="\rcarriage", summary="plain")

    rows = read_csv(browser(author).get("/lessons.csv"))

    cells = [row[column] for row in rows
             for column in ("title", "summary", "author", "attribution", "tags")]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in cells
    assert {"'+1+1", "'=cmd|' /C calc'!A0", "'+cmd; safe", "'-2+3", "'\tindented",
            "'\rcarriage"} <= set(cells)
    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert "plain" in cells  # ordinary text is left alone


def test_exports_keep_the_filters_of_the_list(make_member, make_lesson, browser):
    author = make_member(region_key="africa", password=None)
    make_lesson(author, title="Election violence monitors", pillars=["pillar_2"])
    make_lesson(author, title="Training of police", pillars=["pillar_2"])
    make_lesson(author, title="Election observers", pillars=["pillar_1"])
    make_lesson(author, title="Radio messages", summary="Calm voices before the election.",
                pillars=["pillar_2"])
    reader = browser(make_member(region_key="europe", password=None))

    records = reader.get("/lessons.json?pillar=pillar_2&q=election").get_json()
    rows = read_csv(reader.get("/lessons.csv?pillar=pillar_2&q=election"))

    # As on the browse page: only the matches, the title match first.
    expected = ["Election violence monitors", "Radio messages"]
    assert [r["title"] for r in records["lessons"]] == expected
    assert [row["title"] for row in rows] == expected
    everything = reader.get("/lessons.json").get_json()
    assert everything["count"] == 4


def test_exports_follow_the_sort_order_of_the_list(make_member, make_lesson, browser):
    author = make_member(region_key="africa", password=None)
    older = make_lesson(author, title="Older but useful")
    make_lesson(author, title="Newer")
    set_useful(make_member(password=None), older, True)
    reader = browser(author)

    newest = [r["title"] for r in reader.get("/lessons.json").get_json()["lessons"]]
    useful = [r["title"] for r in reader.get("/lessons.json?sort=useful").get_json()["lessons"]]
    assert newest == ["Newer", "Older but useful"]
    assert useful == ["Older but useful", "Newer"]


def test_an_unreadable_filter_is_refused_rather_than_exporting_everything(world, browser):
    _, viewers = world
    response = browser(viewers["author"]).get("/lessons.json?pillar=not_a_pillar")
    assert response.status_code == 400
    assert NETWORK not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/lessons.csv", "/lessons.json?pillar=pillar_1",
                                  "/lessons/feed"])
def test_anonymous_visitors_are_sent_to_sign_in(world, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert PUBLIC not in response.get_data(as_text=True)


def _lessons_with_classification(make_member, make_lesson, count):
    authors = [make_member(region_key=key, password=None)
               for key in ("africa", "europe", "americas")]
    for n in range(count):
        make_lesson(authors[n % 3], title=f"Lesson {n}", region_key=("africa", "europe")[n % 2],
                    country="GH" if n % 2 == 0 else "FR",
                    attribution="anonymous" if n % 4 == 0 else "office",
                    visibility="region" if n % 5 == 0 else "network",
                    pillars=["pillar_1", "pillar_2"], crimes=["genocide"],
                    risk_factors=[n % 14 + 1], tags=[f"tag {n % 7}", "shared"])


@pytest.mark.parametrize("path", ["/lessons.csv", "/lessons.json",
                                  "/lessons.json?pillar=pillar_1&q=lesson"])
def test_an_export_costs_the_same_queries_for_10_or_200_lessons(
        make_member, make_lesson, browser, path):
    reader = browser(make_member(role="moderator", region_key="africa", moderates=("europe",),
                                 password=None))
    counts = []
    for total in (10, 200):
        _lessons_with_classification(make_member, make_lesson, total - len(counts) * 10)
        with QueryCounter() as queries:
            response = reader.get(path)
        assert response.status_code == 200
        counts.append(queries.count)
    exported = reader.get("/lessons.json").get_json()
    assert exported["count"] == 200
    assert counts[0] == counts[1], counts


def test_filtering_exports_by_country_does_not_unmask_an_anonymized_lesson(world, browser):
    _, viewers = world
    reader = browser(viewers["member of europe"])

    records = reader.get("/lessons.json?country=GH").get_json()["lessons"]
    rows = read_csv(reader.get("/lessons.csv?country=GH"))

    assert {r["title"] for r in records} == {row["title"] for row in rows} == {NETWORK, PUBLIC}
