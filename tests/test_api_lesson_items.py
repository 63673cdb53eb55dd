"""The API lesson list's items are kept per process: each still follows every change to what
it shows, and to the caller's rights on it."""
from r2pnet.knowledge.models import Lesson, LessonTerm
from r2pnet.members.models import Member, ModeratorRegion, Region
from tests.api_helpers import Api, token_for
from tests.helpers import region


def item_of(api, lesson, **params):
    answer = api.get("/lessons", query_string=params)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return next(item for item in answer.get_json()["items"] if item["id"] == lesson.id)


def test_an_edited_lesson_shows_its_new_values(client, make_member, make_lesson):
    author = make_member()
    lesson = make_lesson(author, title="Early-warning desk")
    api = Api(client, token_for(make_member()))
    assert item_of(api, lesson)["title"] == "Early-warning desk"
    Lesson.update(title="Early-warning unit", useful_count=3).where(
        Lesson.id == lesson.id).execute()
    item = item_of(api, lesson)
    assert (item["title"], item["useful_count"]) == ("Early-warning unit", 3)


def test_a_renamed_author_and_a_renamed_region_show(client, make_member, make_lesson):
    author = make_member(name="Amina Diallo")
    lesson = make_lesson(author, region_key="africa")
    api = Api(client, token_for(make_member()))
    assert item_of(api, lesson)["author"]["name"] == "Amina Diallo"
    Member.update(name="Amina Diallo-Ba").where(Member.id == author.id).execute()
    Region.update(name="Africa (AU)").where(Region.id == region("africa").id).execute()
    item = item_of(api, lesson)
    assert item["author"]["name"] == "Amina Diallo-Ba"
    assert item["region"]["name"] == "Africa (AU)"


def test_a_new_tag_shows(client, make_member, make_lesson):
    lesson = make_lesson(make_member())
    api = Api(client, token_for(make_member()))
    assert item_of(api, lesson)["tags"] == []
    LessonTerm.create(lesson=lesson.id, kind="tag", key="radio")
    assert item_of(api, lesson)["tags"] == ["radio"]


def test_the_callers_rights_decide_author_and_can_edit(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), region_key="africa", attribution="anonymous")
    reader = make_member()
    api = Api(client, token_for(reader))
    item = item_of(api, lesson)
    assert item["author"] is None and item["can_edit"] is False
    Member.update(role="moderator").where(Member.id == reader.id).execute()
    ModeratorRegion.create(member=reader.id, region=region("africa"))
    item = item_of(api, lesson)
    assert item["author"] is not None and item["can_edit"] is True


def test_a_new_moderator_of_the_region_may_edit(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), region_key="africa")
    reader = make_member()
    api = Api(client, token_for(reader))
    assert item_of(api, lesson)["can_edit"] is False
    Member.update(role="moderator").where(Member.id == reader.id).execute()
    ModeratorRegion.create(member=reader.id, region=region("africa"))
    assert item_of(api, lesson)["can_edit"] is True


def test_each_caller_sees_only_their_own_rights(client, app, make_member, make_lesson):
    author = make_member()
    lesson = make_lesson(author, attribution="anonymous")
    assert item_of(Api(client, token_for(author)), lesson)["can_edit"] is True
    other = Api(app.test_client(), token_for(make_member()))
    assert item_of(other, lesson)["can_edit"] is False
    assert item_of(other, lesson)["author"] is None


def test_addresses_follow_the_deployment(client, app, make_member, make_lesson):
    lesson = make_lesson(make_member())
    api = Api(client, token_for(make_member()))
    base = app.config["BASE_URL"].rstrip("/")
    assert item_of(api, lesson)["html_url"] == f"{base}/lessons/{lesson.id}"
    app.config["BASE_URL"] = "https://r2p.example.org"
    assert item_of(api, lesson)["html_url"] == f"https://r2p.example.org/lessons/{lesson.id}"
    mounted = api.client.get("/api/v1/lessons", headers={"Authorization": f"Bearer {api.token}"},
                             environ_overrides={"SCRIPT_NAME": "/r2p"}).get_json()
    assert mounted["items"][0]["url"] == f"https://r2p.example.org/r2p/api/v1/lessons/{lesson.id}"


def test_the_snippet_follows_the_search(client, make_member, make_lesson):
    lesson = make_lesson(make_member(), title="Radio and hotline",
                         practice_md="A hotline for survivors. Radio messages against hate.")
    api = Api(client, token_for(make_member()))
    assert "<mark>hotline</mark>" in item_of(api, lesson, q="hotline")["snippet"]
    assert "<mark>Radio</mark>" in item_of(api, lesson, q="radio")["snippet"]
