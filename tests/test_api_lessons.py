"""The lessons API: browse with every facet and search, read, write, edit, publish, history,
uptake and files, under the rules of the lesson pages."""
import datetime as dt
import io

import pytest

from r2pnet import pages, search
from r2pnet.audit.models import AuditEvent
from r2pnet.extensions import db
from r2pnet.knowledge import attachments, services
from r2pnet.knowledge.models import (Lesson, LessonApplication, LessonAttachment,
                                     LessonRevision, LessonTerm)
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import QueryCounter, region
from tests.signin import sign_in_as

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BODY = {
    "title": "Inter-ministerial atrocity prevention committee",
    "summary": "How a standing committee met monthly to review risk factors.",
    "country": "GH", "attribution": "office", "visibility": "network",
    "pillars": ["pillar_1", "pillar_2"], "crimes": ["genocide"],
    "priorities": ["peer_networks"], "risk_factors": [8, 1], "strategy": ["risk_assessment"],
    "tags": ["early warning", "elections"],
    "context_md": "Elections were due in **six months**.",
    "practice_md": "- monthly meetings\n- a shared risk register",
    "outcome_md": "", "lesson_md": "Start small.", "recommendation_md": "",
    "publish": True,
}


def rows():
    """How many rows every write of a lesson touches: unchanged after a refusal."""
    documents = db.execute_sql("SELECT COUNT(*) FROM search_document").fetchone()[0]
    return (Lesson.select().count(), LessonRevision.select().count(),
            LessonTerm.select().count(),
            AuditEvent.select().where(AuditEvent.action.startswith("lesson")).count(),
            LessonApplication.select().count(), documents)


@pytest.fixture
def author(make_member):
    return make_member(email="kwame@example.org", name="Kwame Mensah", region_key="africa",
                       country="GH", organization="Ministry of Foreign Affairs", password=None)


@pytest.fixture
def api(client, author):
    return Api(client, token_for(author))


def as_api(client, member, scope="read-write"):
    return Api(client, token_for(member, scope) if member else None)


def created(api, **changes):
    response = api.post("/lessons", json=dict(BODY, **changes))
    assert response.status_code == 201, response.get_json()
    return response


# --- create and read -----------------------------------------------------------------------

def test_a_published_lesson_is_created_with_location_and_etag_and_reads_back(api, author):
    response = created(api)

    body = response.get_json()
    assert response.headers["Location"] == f"http://r2pnet.test/api/v1/lessons/{body['id']}"
    assert response.headers["ETag"]
    again = api.get(response.headers["Location"].removeprefix("http://r2pnet.test"))
    assert again.status_code == 200 and again.get_json() == body
    assert again.headers["ETag"] == response.headers["ETag"]
    for key, value in BODY.items():
        if key != "publish":
            assert body[key] == value, key
    assert body["is_published"] and body["published_at"].endswith("Z")
    assert body["region_id"] == region("africa").id  # from the country, as on the page
    assert body["region"] == {"id": region("africa").id, "key": "africa", "name": "Africa"}
    assert body["context_html"].strip() == \
        "<p>Elections were due in <strong>six months</strong>.</p>"
    assert body["attributed_to"] == "Kwame Mensah, Ministry of Foreign Affairs (Ghana)"
    assert body["author"] == {"id": author.id, "name": "Kwame Mensah",
                              "organization": "Ministry of Foreign Affairs"}
    assert body["version"] == 1 and body["can_edit"] is True
    assert body["applied_count"] == 0 and body["useful_count"] == 0
    assert body["attachments"] == []
    assert body["html_url"] == f"http://r2pnet.test/lessons/{body['id']}"
    assert LessonRevision.get().note == "published"


def test_a_draft_is_the_default_and_only_its_author_and_administrators_read_it(
        client, api, make_member):
    body = created(api, publish=False, pillars=[]).get_json()

    assert body["is_published"] is False and body["published_at"] is None
    assert api.get(f"/lessons/{body['id']}").status_code == 200
    peer = as_api(client, make_member(region_key="africa", password=None))
    assert peer.get(f"/lessons/{body['id']}").status_code == 404
    assert peer.get("/lessons").get_json()["items"] == []
    admin = as_api(client, make_member(role="administrator", password=None))
    assert admin.get(f"/lessons/{body['id']}").status_code == 200
    assert Api(client).get(f"/lessons/{body['id']}").status_code == 404


def test_an_unchanged_lesson_answers_304_to_if_none_match(api):
    response = created(api)
    path = f"/lessons/{response.get_json()['id']}"

    again = api.get(path, headers={"If-None-Match": response.headers["ETag"]})

    assert again.status_code == 304 and again.headers["ETag"] == response.headers["ETag"]


@pytest.mark.parametrize("field, value", [
    ("id", 7), ("author_id", 1), ("created_at", "2026-01-01T00:00:00Z"), ("version", 3),
    ("is_published", True), ("published_at", "2026-01-01T00:00:00Z"),
    ("updated_at", "2026-01-01T00:00:00Z"), ("applied_count", 9), ("useful_count", 9),
    ("context_html", "<p>x</p>"), ("attachments", []), ("author", {"id": 1}),
    ("region", {"key": "europe"}), ("shoe_size", 44),
])
def test_unknown_and_read_only_fields_are_refused_by_name_and_nothing_is_written(
        api, field, value):
    before = rows()

    response = api.post("/lessons", json=dict(BODY, **{field: value}))

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert rows() == before


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": " Padded"}, "title"),
    ({"title": "Padded "}, "title"),
    ({"title": "Two\nlines"}, "title"),
    ({"title": "Tab\there"}, "title"),
    ({"title": "Line\u2028separator"}, "title"),
    ({"title": None}, "title"),
    ({"title": 12}, "title"),
    ({"summary": ""}, "summary"),
    ({"summary": "s" * 501}, "summary"),
    ({"summary": "Ends with a line break\n"}, "summary"),
    ({"country": "ZZ"}, "country"),
    ({"country": "gh"}, "country"),
    ({"region_id": 0}, "region_id"),
    ({"region_id": 2**63}, "region_id"),
    ({"region_id": "1"}, "region_id"),
    ({"region_id": True}, "region_id"),
    ({"region_id": 1.5}, "region_id"),
    ({"region_id": 999999}, "region_id"),
    ({"region_id": 2**63 - 1}, "region_id"),
    ({"visibility": "secret"}, "visibility"),
    ({"attribution": "someone"}, "attribution"),
    ({"pillars": ["pillar_9"]}, "pillars"),
    ({"pillars": ["pillar_1", "pillar_1"]}, "pillars"),
    ({"pillars": "pillar_1"}, "pillars"),
    ({"pillars": []}, "pillars"),  # publishing needs a pillar
    ({"crimes": ["piracy"]}, "crimes"),
    ({"priorities": ["speed"]}, "priorities"),
    ({"risk_factors": [15]}, "risk_factors"),
    ({"risk_factors": ["1"]}, "risk_factors"),
    ({"risk_factors": [True]}, "risk_factors"),
    ({"strategy": ["lobbying"]}, "strategy"),
    ({"tags": ["Early Warning"]}, "tags"),
    ({"tags": ["early  warning"]}, "tags"),
    ({"tags": ["warning."]}, "tags"),
    ({"tags": [""]}, "tags"),
    ({"tags": ["x" * 41]}, "tags"),
    ({"tags": ["same", "same"]}, "tags"),
    ({"tags": [f"tag{n}" for n in range(16)]}, "tags"),
    ({"tags": "early warning, elections"}, "tags"),
    ({"context_md": "x" * 20001}, "context_md"),
    ({"publish": "true"}, "publish"),
    ({"publish": 1}, "publish"),
    ({"country": None, "visibility": "region"}, "region_id"),
])
def test_invalid_lesson_input_is_a_422_naming_the_field_and_nothing_is_written(
        api, changes, field):
    before = rows()

    response = api.post("/lessons", json=dict(BODY, **changes))

    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert any(name == field or name.startswith(field + ".") for name in errors), errors
    assert rows() == before


def test_what_the_page_would_strip_or_rewrite_is_refused_rather_than_altered(api):
    for changes in ({"title": " Title"}, {"summary": "Summary\n"}, {"tags": ["Elections"]},
                    {"tags": ["elections", "elections"]}):
        assert api.post("/lessons", json=dict(BODY, **changes)).status_code == 422
    assert not Lesson.select().exists()


def test_markdown_is_kept_exactly_as_sent_and_its_html_is_sanitized(api):
    source = "  <script>alert(1)</script>\r\n\r\n[x](javascript:alert(1))  \n\t* item\n\n"

    body = created(api, context_md=source).get_json()

    again = api.get(f"/lessons/{body['id']}").get_json()
    assert again["context_md"] == source
    assert "<script" not in again["context_html"] and "href" not in again["context_html"]


def test_a_body_that_is_not_json_or_not_an_object_writes_nothing(api):
    assert api.post("/lessons", data="title=x",
                    content_type="application/x-www-form-urlencoded").status_code == 415
    assert api.post("/lessons", data="{", content_type="application/json").status_code == 400
    assert api.post("/lessons", json=[BODY]).status_code == 422
    assert not Lesson.select().exists()


def test_writing_needs_a_read_write_token_and_authentication(client, author):
    before = rows()

    assert as_api(client, author, "read").post("/lessons", json=BODY).status_code == 403
    assert Api(client).post("/lessons", json=BODY).status_code == 401
    assert rows() == before


def test_the_largest_ids_are_a_404_not_a_server_error(client, api):
    huge = 2**63 - 1
    for path in (f"/lessons/{huge}", f"/lessons/{huge}/revisions",
                 f"/lessons/{huge}/attachments/{huge}", f"/lessons/{2**64}"):
        assert api.get(path).status_code == 404, path
    assert api.patch(f"/lessons/{huge}", json={"title": "x"},
                     headers={"If-Match": "*"}).status_code == 404
    assert api.post(f"/lessons/{huge}/publish", headers={"If-Match": "*"}).status_code == 404
    assert api.post(f"/lessons/{huge}/applications", json={}).status_code == 404


# --- edit and publish ----------------------------------------------------------------------

def test_a_partial_edit_with_if_match_changes_only_the_fields_sent(api):
    first = created(api)
    path = f"/lessons/{first.get_json()['id']}"

    response = api.patch(path, json={"summary": "A shorter summary.", "tags": ["peer review"]},
                         headers={"If-Match": first.headers["ETag"]})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["summary"] == "A shorter summary." and body["tags"] == ["peer review"]
    assert body["version"] == 2 and response.headers["ETag"] != first.headers["ETag"]
    unchanged = {k: v for k, v in first.get_json().items()
                 if k not in ("summary", "tags", "version", "updated_at")}
    assert {k: body[k] for k in unchanged} == unchanged
    assert api.get(path).get_json() == body
    assert [r.note for r in LessonRevision.select().order_by(LessonRevision.number)] == \
        ["published", "edited"]


def test_an_edit_needs_if_match_and_a_stale_one_is_refused(api):
    first = created(api)
    path = f"/lessons/{first.get_json()['id']}"
    tag = first.headers["ETag"]
    assert api.patch(path, json={"title": "One"}, headers={"If-Match": tag}).status_code == 200
    before = rows()

    missing = api.patch(path, json={"title": "Two"})
    stale = api.patch(path, json={"title": "Two"}, headers={"If-Match": tag})

    assert missing.status_code == 428 and stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert rows() == before and Lesson.get().title == "One"


def test_two_editors_from_the_same_version_the_second_is_refused(
        client, api, author, make_member):
    first = created(api)
    path = f"/lessons/{first.get_json()['id']}"
    admin = as_api(client, make_member(role="administrator", password=None))
    tag = admin.get(path).headers["ETag"]

    assert api.patch(path, json={"title": "Author's"},
                     headers={"If-Match": tag}).status_code == 200
    late = admin.patch(path, json={"title": "Admin's"}, headers={"If-Match": tag})

    assert late.status_code == 412
    assert Lesson.get().title == "Author's"


def test_an_edit_saved_by_someone_else_after_the_check_is_a_409_and_writes_nothing(
        api, monkeypatch):
    first = created(api)
    path = f"/lessons/{first.get_json()['id']}"
    original = services.update_lesson

    def someone_saves_first(editor, lesson, data, ip=""):
        Lesson.update(version=Lesson.version + 1, title="Theirs").execute()
        return original(editor, lesson, data, ip)

    monkeypatch.setattr(services, "update_lesson", someone_saves_first)
    revisions = LessonRevision.select().count()

    response = api.patch(path, json={"title": "Mine"}, headers={"If-Match": first.headers["ETag"]})

    assert response.status_code == 409
    assert Lesson.get().title == "Theirs" and LessonRevision.select().count() == revisions


@pytest.mark.parametrize("field, value", [
    ("id", 9), ("author_id", 1), ("version", 1), ("is_published", False),
    ("created_at", "2026-01-01T00:00:00Z"), ("publish", True), ("nonsense", 1),
])
def test_an_edit_refuses_unknown_and_read_only_fields_and_writes_nothing(api, field, value):
    first = created(api)
    before = rows()

    response = api.patch(f"/lessons/{first.get_json()['id']}", json={field: value},
                         headers={"If-Match": first.headers["ETag"]})

    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert rows() == before


def test_an_edit_that_leaves_a_published_lesson_without_a_pillar_is_refused(api):
    first = created(api)
    before = rows()

    response = api.patch(f"/lessons/{first.get_json()['id']}", json={"pillars": []},
                         headers={"If-Match": first.headers["ETag"]})

    assert response.status_code == 422 and "pillars" in response.get_json()["errors"]
    assert rows() == before


def test_an_empty_edit_changes_nothing(api):
    first = created(api)

    response = api.patch(f"/lessons/{first.get_json()['id']}", json={},
                         headers={"If-Match": first.headers["ETag"]})

    assert response.status_code == 200 and response.get_json() == first.get_json()
    assert LessonRevision.select().count() == 1


def test_who_may_edit_404_for_what_they_cannot_read_403_for_what_they_only_read(
        client, api, make_member, make_lesson, author):
    published = created(api).get_json()
    draft = created(api, publish=False).get_json()
    reader = as_api(client, make_member(region_key="africa", password=None))
    moderator = as_api(client, make_member(role="moderator", region_key="europe",
                                           moderates=("africa",), password=None))
    before = rows()

    def patch(who, lesson):
        etag = api.get(f"/lessons/{lesson['id']}").headers["ETag"]
        return who.patch(f"/lessons/{lesson['id']}", json={"title": "Changed"},
                         headers={"If-Match": etag}).status_code

    assert patch(reader, published) == 403
    assert patch(reader, draft) == 404
    assert patch(moderator, draft) == 404
    assert rows() == before
    assert patch(moderator, published) == 200


def test_publishing_a_draft_needs_if_match_and_a_pillar(api):
    draft = created(api, publish=False, pillars=[])
    path = f"/lessons/{draft.get_json()['id']}"
    before = rows()

    assert api.post(f"{path}/publish").status_code == 428
    assert api.post(f"{path}/publish", headers={"If-Match": '"stale"'}).status_code == 412
    refused = api.post(f"{path}/publish", headers={"If-Match": draft.headers["ETag"]})
    assert refused.status_code == 422 and "pillars" in refused.get_json()["errors"]
    assert rows() == before

    edited = api.patch(path, json={"pillars": ["pillar_2"]},
                       headers={"If-Match": draft.headers["ETag"]})
    published = api.post(f"{path}/publish", headers={"If-Match": edited.headers["ETag"]})
    assert published.status_code == 200, published.get_json()
    body = published.get_json()
    assert body["is_published"] and body["published_at"] and body["version"] == 3
    assert published.headers["ETag"] == api.get(path).headers["ETag"]
    assert LessonRevision.select().order_by(LessonRevision.number.desc()).first().note == \
        "published"

    again = api.post(f"{path}/publish", headers={"If-Match": published.headers["ETag"]})
    assert again.status_code == 200 and again.get_json() == body


def test_only_editors_publish(client, api, make_member, author):
    draft = created(api, publish=False).get_json()
    tag = api.get(f"/lessons/{draft['id']}").headers["ETag"]
    peer = as_api(client, make_member(region_key="africa", password=None))

    assert peer.post(f"/lessons/{draft['id']}/publish",
                     headers={"If-Match": tag}).status_code == 404
    assert as_api(client, author, "read").post(f"/lessons/{draft['id']}/publish",
                                               headers={"If-Match": tag}).status_code == 403
    assert not Lesson.get().is_published


# --- attribution ---------------------------------------------------------------------------

def test_an_anonymized_lesson_names_neither_author_nor_country_to_its_readers(
        client, api, make_member, author):
    lesson = created(api, attribution="anonymous").get_json()
    reader = as_api(client, make_member(region_key="europe", password=None))

    for seen in (reader.get(f"/lessons/{lesson['id']}").get_json(),
                 reader.get("/lessons").get_json()["items"][0],
                 reader.get("/lessons", query_string={"q": "committee"}).get_json()["items"][0]):
        assert seen["attributed_to"] == "A Member State in Africa"
        assert seen["author"] is None and seen["country"] is None
        assert "Kwame" not in str(seen) and "Ghana" not in str(seen)
    assert reader.get("/lessons", query_string={"country": "GH"}).get_json()["items"] == []
    own = api.get(f"/lessons/{lesson['id']}").get_json()
    assert own["author"]["id"] == author.id and own["country"] == "GH"
    assert own["attributed_to"] == "A Member State in Africa"  # as the page shows it


# --- browse: facets, search, paging --------------------------------------------------------

@pytest.fixture
def shelf(make_member, make_lesson, author):
    """Lessons that differ in every facet; each has a word of its own for search."""
    other = make_member(email="eu@example.org", region_key="europe", country="FR",
                        password=None)
    made = {
        "ghana": make_lesson(author, region_key="africa", country="GH",
                             pillars=["pillar_1"], crimes=["genocide"],
                             priorities=["peer_networks"], risk_factors=[1, 8],
                             strategy=["risk_assessment"], tags=["early warning"],
                             practice_md="zanzibar"),
        "france": make_lesson(other, region_key="europe", country="FR",
                              pillars=["pillar_1", "pillar_2"], crimes=["war_crimes"],
                              priorities=["regional_action"], risk_factors=[8],
                              strategy=["training"], tags=["elections"],
                              practice_md="quetzal"),
        "hidden_ghana": make_lesson(author, region_key="africa", country="GH",
                                    attribution="anonymous", pillars=["pillar_3"],
                                    tags=["elections", "early warning"],
                                    practice_md="zanzibar quetzal"),
        "draft": make_lesson(author, region_key="africa", country="GH", publish=False,
                             tags=["elections"], practice_md="zanzibar"),
    }
    Lesson.update(published_year=2019).where(Lesson.id == made["france"].id).execute()
    return {name: lesson.id for name, lesson in made.items()}


@pytest.mark.parametrize("params, expected", [
    ({}, {"ghana", "france", "hidden_ghana"}),
    ({"pillar": "pillar_1"}, {"ghana", "france"}),
    ({"pillar": ["pillar_1", "pillar_2"]}, {"france"}),
    ({"crime": "genocide"}, {"ghana"}),
    ({"priority": "regional_action"}, {"france"}),
    ({"risk_factor": "8"}, {"ghana", "france"}),
    ({"risk_factor": ["1", "8"]}, {"ghana"}),
    ({"strategy": "training"}, {"france"}),
    ({"tag": "elections"}, {"france", "hidden_ghana"}),
    ({"tag": ["elections", "early warning"]}, {"hidden_ghana"}),
    ({"region": "africa"}, {"ghana", "hidden_ghana"}),
    ({"region": "nowhere"}, set()),
    ({"country": "GH"}, {"ghana"}),  # an anonymized lesson's country is never revealed
    ({"year": "2019"}, {"france"}),
    ({"q": "zanzibar"}, {"ghana", "hidden_ghana"}),
    ({"q": "quetzal", "region": "africa"}, {"hidden_ghana"}),
    ({"q": "zanzibar -quetzal"}, {"ghana"}),
    ({"mine": "true"}, {"ghana", "hidden_ghana", "draft"}),
    ({"mine": "true", "tag": "elections"}, {"hidden_ghana", "draft"}),
    ({"mine": "false", "q": "zanzibar"}, {"ghana", "hidden_ghana"}),
])
def test_every_facet_and_the_query_filter_the_list(api, shelf, params, expected):
    items, _ = all_pages(api, "/lessons", **params)

    assert {name for name, id_ in shelf.items() if id_ in {i["id"] for i in items}} == expected


def test_a_search_gives_each_hit_a_highlighted_snippet(api, shelf):
    items = api.get("/lessons", query_string={"q": "quetzal"}).get_json()["items"]

    assert items and all("<mark>quetzal</mark>" in item["snippet"] for item in items)
    assert all(item["snippet"] is None
               for item in api.get("/lessons").get_json()["items"])


@pytest.mark.parametrize("params", [
    {"pillar": "pillar_9"}, {"crime": "piracy"}, {"risk_factor": "15"},
    {"risk_factor": "x"}, {"strategy": "lobbying"}, {"year": "1800"}, {"year": "x"},
    {"country": "ZZ"}, {"tag": "x" * 41}, {"q": "x" * 201}, {"mine": "yes"},
    {"limit": "0"}, {"limit": "101"}, {"cursor": "nonsense"}, {"sort": "newest"},
    {"page": "2"},
])
def test_bad_list_parameters_are_a_422_naming_them(api, params):
    response = api.get("/lessons", query_string=params)

    assert response.status_code == 422
    named = {name.split(".")[0] for name in response.get_json()["errors"]}
    assert set(params) <= named


def test_only_your_own_lessons_need_authentication(client, shelf):
    assert Api(client).get("/lessons", query_string={"mine": "true"}).status_code == 401


def test_pages_follow_each_other_newest_first_without_gaps_or_repeats(
        api, author, make_lesson):
    ids = [make_lesson(author, region_key="africa", title=f"Lesson {n}",
                       practice_md="zanzibar").id for n in range(7)]

    first = api.get("/lessons", query_string={"limit": 3})
    items, pages = all_pages(api, "/lessons", limit=3)
    found, search_pages = all_pages(api, "/lessons", limit=2, q="zanzibar")

    assert [i["id"] for i in items] == sorted(ids, reverse=True) and pages == 3
    assert [i["id"] for i in found] == sorted(ids, reverse=True) and search_pages == 4
    assert 'rel="next"' in first.headers["Link"] and "cursor=" in first.headers["Link"]
    cursor = first.get_json()["next_cursor"]
    make_lesson(author, region_key="africa", title="Written meanwhile")
    second = api.get("/lessons", query_string={"limit": 3, "cursor": cursor}).get_json()
    assert [i["id"] for i in second["items"]] == sorted(ids, reverse=True)[3:6]


def test_anonymous_callers_list_and_read_public_lessons_only(client, author, make_lesson):
    public = make_lesson(author, region_key="africa", visibility="public", title="Open")
    network = make_lesson(author, region_key="africa", title="Members")
    make_lesson(author, region_key="africa", visibility="region", title="Africa")
    make_lesson(author, region_key="africa", visibility="public", publish=False)
    anonymous = Api(client)

    items, _ = all_pages(anonymous, "/lessons")

    assert [item["id"] for item in items] == [public.id]
    assert anonymous.get(f"/lessons/{public.id}").status_code == 200
    assert anonymous.get(f"/lessons/{network.id}").status_code == 404
    assert anonymous.get(f"/lessons/{public.id}/revisions").status_code == 401


# --- history and uptake --------------------------------------------------------------------

def test_the_history_lists_revisions_newest_first_as_the_page_names_editors(
        client, api, author, make_member):
    lesson = created(api, attribution="anonymous")
    path = f"/lessons/{lesson.get_json()['id']}"
    admin_member = make_member(name="Ada Admin", role="administrator", password=None)
    admin = as_api(client, admin_member)
    edited = api.patch(path, json={"title": "Retitled"},
                       headers={"If-Match": lesson.headers["ETag"]})
    admin.patch(path, json={"summary": "Summarised."},
                headers={"If-Match": edited.headers["ETag"]})
    reader = as_api(client, make_member(region_key="africa", password=None))

    seen = reader.get(f"{path}/revisions").get_json()["items"]
    own = api.get(f"{path}/revisions").get_json()["items"]

    assert [(r["number"], r["note"]) for r in seen] == [(3, "edited"), (2, "edited"),
                                                        (1, "published")]
    assert [(r["editor_id"], r["editor_name"]) for r in seen] == [
        (admin_member.id, "Ada Admin"), (None, "The author"), (None, "The author")]
    assert [(r["editor_id"], r["editor_name"]) for r in own][1:] == [
        (author.id, "Kwame Mensah"), (author.id, "Kwame Mensah")]
    paged, pages = all_pages(reader, f"{path}/revisions", limit=2)
    assert paged == seen and pages == 2


def test_the_history_of_an_unreadable_lesson_is_a_404(client, api, make_member):
    draft = created(api, publish=False).get_json()
    peer = as_api(client, make_member(region_key="africa", password=None))

    assert peer.get(f"/lessons/{draft['id']}/revisions").status_code == 404


def test_a_member_records_an_application_once_and_can_change_the_note(
        client, api, make_member):
    lesson = created(api).get_json()
    path = f"/lessons/{lesson['id']}/applications"
    member = as_api(client, make_member(region_key="europe", password=None))

    first = member.post(path, json={"note": "Adapted for our elections."})
    second = member.post(path, json={"note": "Now for local elections too."})

    assert first.status_code == 200 and first.get_json() == {
        "lesson_id": lesson["id"], "note": "Adapted for our elections.", "created": True,
        "applied_count": 1}
    assert second.get_json()["created"] is False and second.get_json()["applied_count"] == 1
    assert LessonApplication.get().note == "Now for local elections too."
    assert api.get(f"/lessons/{lesson['id']}").get_json()["applied_count"] == 1


def test_an_application_is_refused_for_drafts_unreadable_lessons_and_odd_notes(
        client, api, author, make_member):
    published = created(api).get_json()
    draft = created(api, publish=False).get_json()
    member = make_member(region_key="europe", password=None)
    before = rows()

    assert api.post(f"/lessons/{draft['id']}/applications", json={}).status_code == 422
    assert as_api(client, member).post(f"/lessons/{draft['id']}/applications",
                                       json={}).status_code == 404
    for note in (" padded", "two  spaces", "two\nlines", "x" * 501):
        response = as_api(client, member).post(f"/lessons/{published['id']}/applications",
                                               json={"note": note})
        assert response.status_code == 422 and "note" in response.get_json()["errors"]
    assert as_api(client, member, "read").post(f"/lessons/{published['id']}/applications",
                                               json={}).status_code == 403
    assert Api(client).post(f"/lessons/{published['id']}/applications",
                            json={}).status_code == 401
    assert rows() == before


# --- attachments ---------------------------------------------------------------------------

def attach(member, lesson, name="report.pdf", data=PDF):
    with db.connection_context():
        return attachments.add_attachment(member, lesson, io.BytesIO(data), name)


def test_a_lesson_lists_its_files_and_they_download_as_attachments(client, api, author):
    lesson = Lesson.get_by_id(created(api, visibility="public").get_json()["id"])
    file = attach(author, lesson, "Annual report.pdf")

    listed = api.get(f"/lessons/{lesson.id}").get_json()["attachments"]
    download = Api(client).get(listed[0]["download_url"].removeprefix("http://r2pnet.test"))

    assert listed == [{"id": file.id, "name": "Annual report.pdf", "size": len(PDF),
                       "media_type": "application/pdf",
                       "created_at": listed[0]["created_at"],
                       "download_url": f"http://r2pnet.test/api/v1/lessons/{lesson.id}"
                                       f"/attachments/{file.id}"}]
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_new_file_changes_the_lessons_etag_so_no_cached_copy_misses_it(api, author):
    lesson = Lesson.get_by_id(created(api).get_json()["id"])
    before = api.get(f"/lessons/{lesson.id}").headers["ETag"]
    attach(author, lesson)

    again = api.get(f"/lessons/{lesson.id}", headers={"If-None-Match": before})

    assert again.status_code == 200 and again.headers["ETag"] != before
    assert len(again.get_json()["attachments"]) == 1


def test_files_of_lessons_the_caller_may_not_read_are_404(client, api, author, make_member,
                                                          make_lesson):
    africa_only = make_lesson(author, region_key="africa", visibility="region")
    network = make_lesson(author, region_key="africa")
    hidden = attach(author, africa_only)
    members_only = attach(author, network)
    removed = attach(author, network, "old.pdf")
    LessonAttachment.update(removed_at=dt.datetime(2026, 1, 1)).where(
        LessonAttachment.id == removed.id).execute()
    european = as_api(client, make_member(region_key="europe", password=None))
    african = as_api(client, make_member(region_key="africa", password=None))

    def status(who, file, lesson_id=None):
        return who.get(f"/lessons/{lesson_id or file.lesson_id}/attachments/{file.id}"
                       ).status_code

    assert european.get(f"/lessons/{africa_only.id}").status_code == 404
    assert status(european, hidden) == 404
    assert status(african, hidden) == 200
    assert status(Api(client), members_only) == 404
    assert status(european, members_only) == 200
    assert status(european, removed) == 404
    assert status(african, hidden, lesson_id=network.id) == 404  # not that lesson's file
    page = sign_in_as(client, Lesson.get_by_id(africa_only.id).author)
    assert page.get(f"/lessons/{africa_only.id}/attachments/{hidden.id}").status_code == 200


# --- the document --------------------------------------------------------------------------

def test_the_lesson_operations_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert set(paths["/api/v1/lessons"]) == {"get", "post"}
    assert set(paths["/api/v1/lessons/{lesson_id}"]) == {"get", "patch"}
    for path in ("/publish", "/revisions", "/applications",
                 "/attachments/{attachment_id}"):
        assert f"/api/v1/lessons/{{lesson_id}}{path}" in paths
    download = paths["/api/v1/lessons/{lesson_id}/attachments/{attachment_id}"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]
    patch = paths["/api/v1/lessons/{lesson_id}"]["patch"]
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])


# --- constant query counts -----------------------------------------------------------------

def _bulk_lessons(author, count):
    """`count` published lessons of every visibility, with terms and search documents."""
    now = dt.datetime(2026, 1, 1)
    africa = region("africa").id
    rows_ = [{"title": f"Bulk lesson {n}", "summary": "Summary", "author": author.id,
              "region": africa, "country": "GH",
              "visibility": ["network", "region", "public"][n % 3],
              "is_published": True, "published_at": now, "published_year": 2020 + n % 6,
              "attribution": "office" if n % 4 else "anonymous"} for n in range(count)]
    known = {lesson.id for lesson in Lesson.select(Lesson.id)}
    with db.atomic():
        for start in range(0, len(rows_), 500):
            Lesson.insert_many(rows_[start:start + 500]).execute()
        ids = [i for (i,) in Lesson.select(Lesson.id).order_by(Lesson.id).tuples()
               if i not in known]
        terms = [{"lesson": i, "kind": kind, "key": key} for n, i in enumerate(ids)
                 for kind, key in (("pillar", "pillar_1"), ("tag", f"tag{n % 9}"),
                                   ("risk_factor", str(n % 14 + 1)))]
        for start in range(0, len(terms), 900):
            LessonTerm.insert_many(terms[start:start + 900]).execute()
        for i in ids:
            search.index("lesson", i, f"Bulk lesson {i}", "zanzibar summary", "tag1")


def _count(api, path, **params):
    """The call's statements when it is written anew (not the session's kept answer)."""
    pages.forget()
    with QueryCounter() as counter:
        response = api.get(path, query_string=params)
    assert response.status_code == 200, response.get_json()
    return counter.count


LIST_CALLS = [
    {},
    {"limit": 100},
    {"pillar": "pillar_1", "tag": "tag3", "risk_factor": "4"},
    {"region": "africa", "country": "GH", "year": "2023"},
    {"q": "zanzibar", "limit": 50},
]


def test_lists_and_lessons_cost_the_same_queries_for_10_or_300_lessons(
        client, author, make_member):
    reader = make_member(role="moderator", region_key="africa", moderates=("europe",),
                         password=None)
    api = as_api(client, reader)
    _bulk_lessons(author, 10)
    one = Lesson.select().where(Lesson.visibility == "network").order_by(Lesson.id).first()
    attach(author, one)
    path = f"/lessons/{one.id}"
    api.get("/lessons")  # the token's first use of the minute records it

    small = [_count(api, "/lessons", **params) for params in LIST_CALLS]
    small_one = _count(api, path)
    _bulk_lessons(author, 290)
    for _ in range(4):
        attach(author, one)
    large = [_count(api, "/lessons", **params) for params in LIST_CALLS]
    large_one = _count(api, path)

    assert small == large
    assert small_one == large_one
    assert max(large) <= 6 and large_one <= 6, (large, large_one)
