"""Flags, the queue and moderator actions through the API: the pages' rules and audit rows."""
import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.discussions.models import Post, Thread
from r2pnet.moderation import actions, flagging
from r2pnet.moderation.models import Flag
from tests.api_helpers import Api, token_for
from tests.helpers import soup
from tests.moderation_helpers import discussion_under_review, moderation_cast, fresh, make_thread
from tests.signin import sign_in_as

PENDING_3 = "Hidden pending review: flagged by 3 members"


@pytest.fixture
def people(make_member):
    return moderation_cast(make_member)


@pytest.fixture
def discussion(people):
    return discussion_under_review(people)


@pytest.fixture
def apis(client, people):
    """An API client per person: apis["mod"], apis["readers"][0], ..."""
    def api(member, scope="read-write"):
        return Api(client, token_for(member, scope=scope))
    return {key: [api(m) for m in value] if isinstance(value, list) else api(value)
            for key, value in people.items()} | {"api": api}


def audit_rows(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def post_numbers_on_the_page(client, member, thread):
    """The post numbers the HTML thread page shows `member` (None when it is not found)."""
    sign_in_as(client, member)
    response = client.get(f"/threads/{thread.id}")
    if response.status_code == 404:
        return None
    return [int(li["id"].removeprefix("post-")) for li in soup(response).select("li[id^=post-]")]


# --- flags -------------------------------------------------------------------------------------

def test_a_member_flags_a_post_once_and_a_second_flag_is_a_conflict(apis, people, discussion):
    thread, post = discussion
    reader = apis["readers"][0]
    response = reader.post(f"/posts/{post.id}/flags",
                           json={"reason": "confidentiality", "note": "A phone number"})
    assert response.status_code == 201, response.get_data(as_text=True)
    flag = Flag.get()
    assert response.get_json() | {"created_at": None} == {
        "id": flag.id, "thread_id": thread.id, "post_id": post.id,
        "reason": "confidentiality", "note": "A phone number", "created_at": None}
    again = reader.post(f"/posts/{post.id}/flags", json={"reason": "spam"})
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert Flag.select().count() == 1 and fresh(post).flag_count == 1


def test_a_member_flags_a_thread(apis, discussion):
    thread, _ = discussion
    response = apis["readers"][0].post(f"/threads/{thread.id}/flags", json={"reason": "spam"})
    assert response.status_code == 201
    assert response.get_json()["post_id"] is None
    assert fresh(thread).flag_count == 1


@pytest.mark.parametrize("body, field", [
    ({"reason": "other"}, "note"),
    ({"reason": "other", "note": ""}, "note"),
    ({"reason": "spam", "note": "two  spaces"}, "note"),
    ({"reason": "spam", "note": " padded"}, "note"),
    ({"reason": "spam", "note": "two\nlines"}, "note"),
    ({"reason": "rude"}, "reason"),
    ({}, "reason"),
    ({"reason": "spam", "member_id": 1}, "member_id"),
    ({"reason": "spam", "resolved_at": None}, "resolved_at"),
])
def test_an_invalid_flag_is_a_422_that_writes_nothing(apis, discussion, body, field):
    _, post = discussion
    response = apis["readers"][0].post(f"/posts/{post.id}/flags", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert Flag.select().count() == 0


def test_nobody_flags_what_they_wrote(apis, discussion):
    _, post = discussion
    assert apis["author"].post(f"/posts/{post.id}/flags",
                               json={"reason": "spam"}).status_code == 403
    assert Flag.select().count() == 0


def test_a_read_token_cannot_flag(apis, people, discussion):
    _, post = discussion
    reader = apis["api"](people["readers"][0], scope="read")
    assert reader.post(f"/posts/{post.id}/flags", json={"reason": "spam"}).status_code == 403
    assert Flag.select().count() == 0


def test_three_flags_hide_a_post_pending_review_as_on_the_pages(client, apis, people,
                                                                discussion, mailbox):
    thread, post = discussion
    for reader in apis["readers"][:3]:
        response = reader.post(f"/posts/{post.id}/flags", json={"reason": "confidentiality"})
        assert response.status_code == 201
    hidden = fresh(post)
    assert (hidden.is_hidden, hidden.hidden_reason, fresh(thread).reply_count) == (
        True, PENDING_3, 0)
    assert [e.actor_id for e in audit_rows("post_auto_hidden")] == [None]
    assert mailbox.last_to("amina@example.org")
    member = apis["readers"][3]
    assert member.get(f"/posts/{post.id}").status_code == 404
    assert member.post(f"/posts/{post.id}/flags", json={"reason": "spam"}).status_code == 404
    listed = [p["number"] for p in member.get(f"/threads/{thread.id}/posts").get_json()["items"]]
    assert listed == post_numbers_on_the_page(client, people["readers"][3], thread) == [1]
    moderated = apis["mod"].get(f"/threads/{thread.id}/posts").get_json()["items"]
    assert [p["number"] for p in moderated] == [1, 2]
    assert post_numbers_on_the_page(client, people["mod"], thread) == [1, 2]
    entry, = apis["mod"].get("/moderation/queue").get_json()["items"]
    assert (entry["item"], entry["pending_review"], entry["reasons"]) == (
        f"post:{post.id}", True, {"confidentiality": 3})
    assert [f["member"]["name"] for f in entry["flags"]] == ["Reader 1", "Reader 2", "Reader 3"]


def test_three_flags_hide_a_thread_from_members(client, apis, people, discussion):
    thread, _ = discussion
    for reader in apis["readers"][:3]:
        assert reader.post(f"/threads/{thread.id}/flags",
                           json={"reason": "off_topic"}).status_code == 201
    assert fresh(thread).is_hidden
    assert len(audit_rows("thread_auto_hidden")) == 1
    member = apis["author"]
    assert member.get(f"/threads/{thread.id}").status_code == 404
    assert member.get("/spaces/africa/threads").get_json()["items"] == []
    assert post_numbers_on_the_page(client, people["author"], thread) is None
    seen = apis["mod"].get("/spaces/africa/threads").get_json()["items"]
    assert [(t["id"], t["is_hidden"]) for t in seen] == [(thread.id, True)]


# --- the queue -----------------------------------------------------------------------------------

def test_the_queue_is_for_the_spaces_moderators(apis, people, discussion):
    thread, post = discussion
    flagging.flag(people["readers"][0], thread, post, "spam")
    network = make_thread(people["author"], region_key=None, title="Network")
    flagging.flag(people["readers"][0], network, None, "abusive")
    assert apis["readers"][1].get("/moderation/queue").status_code == 403
    assert [e["item"] for e in apis["mod"].get("/moderation/queue").get_json()["items"]] == [
        f"post:{post.id}"]
    assert apis["mod_europe"].get("/moderation/queue").get_json()["items"] == []
    items = apis["admin"].get("/moderation/queue").get_json()["items"]
    assert {e["item"] for e in items} == {f"post:{post.id}", f"thread:{network.id}"}
    assert {e["space"] for e in items} == {"africa", "network"}


# --- actions -------------------------------------------------------------------------------------

def test_hiding_a_thread_needs_a_reason_and_is_audited(apis, people, discussion):
    thread, _ = discussion
    mod = apis["mod"]
    refused = mod.post(f"/threads/{thread.id}/hide", json={})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    assert not fresh(thread).is_hidden and audit_rows("thread_hidden") == []
    response = mod.post(f"/threads/{thread.id}/hide", json={"reason": "Names a witness"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["is_hidden"], response.get_json()["hidden_reason"]) == (
        True, "Names a witness")
    event, = audit_rows("thread_hidden")
    assert (event.actor_id, event.target_id, event.region_id, event.item, event.reason) == (
        people["mod"].id, people["readers"][3].id, thread.region_id, f"thread:{thread.id}",
        "Names a witness")
    assert event.ip == "127.0.0.1"
    assert apis["author"].get(f"/threads/{thread.id}").status_code == 404
    assert mod.post(f"/threads/{thread.id}/hide",
                    json={"reason": "Again"}).status_code == 409
    unhidden = mod.post(f"/threads/{thread.id}/unhide", json={})
    assert unhidden.status_code == 200 and not unhidden.get_json()["is_hidden"]
    assert len(audit_rows("thread_unhidden")) == 1
    assert apis["author"].get(f"/threads/{thread.id}").status_code == 200


@pytest.mark.parametrize("action, undo, column, done_", [
    ("lock", "unlock", "is_locked", "ed"), ("pin", "unpin", "is_pinned", "ned")])
def test_locking_and_pinning_are_audited_and_a_repeat_is_a_conflict(apis, people, discussion,
                                                                    action, undo, column, done_):
    thread, _ = discussion
    mod = apis["mod"]
    done = mod.post(f"/threads/{thread.id}/{action}", json={"reason": "Cooling off"})
    assert done.status_code == 200 and done.get_json()[column] is True
    assert getattr(fresh(thread), column) is True
    assert mod.post(f"/threads/{thread.id}/{action}", json={}).status_code == 409
    assert [(e.actor_id, e.reason) for e in audit_rows(f"thread_{action}{done_}")] == [
        (people["mod"].id, "Cooling off")]
    assert mod.post(f"/threads/{thread.id}/{undo}", json={}).status_code == 200
    assert getattr(fresh(thread), column) is False
    assert len(audit_rows(f"thread_{undo}{done_}")) == 1
    assert mod.post(f"/threads/{thread.id}/{undo}", json={}).status_code == 409
    assert len(audit_rows(f"thread_{undo}{done_}")) == 1


def test_hiding_and_unhiding_a_post_moves_the_reply_count(apis, people, discussion):
    thread, post = discussion
    mod = apis["mod"]
    response = mod.post(f"/posts/{post.id}/hide", json={"reason": "A private number"})
    assert response.status_code == 200 and response.get_json()["is_hidden"] is True
    assert apis["author"].get(f"/threads/{thread.id}").get_json()["reply_count"] == 0
    assert apis["author"].get(f"/posts/{post.id}").status_code == 404
    assert [e.item for e in audit_rows("post_hidden")] == [f"post:{post.id}"]
    assert mod.post(f"/posts/{post.id}/unhide", json={"reason": "Edited"}).status_code == 200
    assert apis["author"].get(f"/threads/{thread.id}").get_json()["reply_count"] == 1
    assert [e.reason for e in audit_rows("post_unhidden")] == ["Edited"]


def test_hiding_resolves_the_open_flags(apis, people, discussion):
    thread, post = discussion
    flagging.flag(people["readers"][0], thread, post, "spam")
    apis["mod"].post(f"/posts/{post.id}/hide", json={"reason": "Spam"})
    assert Flag.get().resolution == "hidden"
    assert apis["mod"].get("/moderation/queue").get_json()["items"] == []


@pytest.mark.parametrize("reason", ["two\nlines", " padded", "x" * 501, 5, None])
def test_a_badly_written_reason_is_refused(apis, discussion, reason):
    thread, _ = discussion
    response = apis["mod"].post(f"/threads/{thread.id}/hide", json={"reason": reason})
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    assert not fresh(thread).is_hidden


def test_who_may_not_moderate_gets_404_or_403_and_nothing_changes(apis, people, discussion):
    thread, post = discussion
    network = make_thread(people["author"], region_key=None, title="Network-wide")
    # Europe's moderator cannot read Africa's space: as if it did not exist.
    assert apis["mod_europe"].post(f"/threads/{thread.id}/lock", json={}).status_code == 404
    assert apis["mod_europe"].post(f"/posts/{post.id}/hide",
                                   json={"reason": "x"}).status_code == 404
    # They read the network space, which only administrators moderate.
    assert apis["mod_europe"].post(f"/threads/{network.id}/pin", json={}).status_code == 403
    assert apis["mod"].post(f"/threads/{network.id}/pin", json={}).status_code == 403
    # A member of Africa reads the thread but may not moderate it.
    assert apis["readers"][0].post(f"/threads/{thread.id}/lock", json={}).status_code == 403
    assert apis["readers"][0].post(f"/posts/{post.id}/hide",
                                   json={"reason": "x"}).status_code == 403
    assert not fresh(thread).is_locked and not fresh(network).is_pinned
    assert not fresh(post).is_hidden
    assert AuditEvent.select().where(AuditEvent.action.startswith("thread_")
                                     | AuditEvent.action.startswith("post_")).count() == 0
    assert apis["admin"].post(f"/threads/{network.id}/pin", json={}).status_code == 200
    assert len(audit_rows("thread_pinned")) == 1


def test_a_hidden_post_is_not_found_by_members_who_try_to_moderate_it(apis, people, discussion):
    thread, post = discussion
    actions.hide(people["mod"], thread, post, "Private")
    assert apis["readers"][0].post(f"/posts/{post.id}/unhide", json={}).status_code == 404
    assert fresh(post).is_hidden


def test_a_read_token_cannot_moderate(apis, people, discussion):
    thread, _ = discussion
    reader = apis["api"](people["mod"], scope="read")
    assert reader.post(f"/threads/{thread.id}/lock", json={}).status_code == 403
    assert not fresh(thread).is_locked
    assert reader.get("/moderation/queue").status_code == 200


def test_every_action_needs_a_json_body(apis, discussion):
    thread, _ = discussion
    assert apis["mod"].post(f"/threads/{thread.id}/lock").status_code == 415
    assert not fresh(thread).is_locked
    assert Thread.select().count() == 1 and Post.select().count() == 2
