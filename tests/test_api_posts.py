"""Posts through the API: replies, quotes, the list oldest first, edits with If-Match."""
import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.discussions import services
from r2pnet.discussions.models import Post, PostRevision, Thread
from r2pnet.moderation import actions
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import QueryCounter
from tests.moderation_helpers import fresh, make_reply, make_thread, opening_post


@pytest.fixture
def people(make_member):
    return {
        "amina": make_member(password=None, name="Amina Diallo"),
        "kofi": make_member(password=None, name="Kofi Mensah"),
        "mod": make_member(password=None, role="moderator", name="Africa Moderator",
                           moderates=("africa",)),
        "europe": make_member(password=None, region_key="europe"),
    }


@pytest.fixture
def thread(people):
    return make_thread(people["amina"], title="Early warning across borders",
                       body="How do you *share* alerts?")


def api_of(client, member, scope="read-write"):
    return Api(client, token_for(member, scope=scope))


def posts_of(api, thread):
    items, _ = all_pages(api, f"/threads/{thread.id}/posts")
    return items


# --- replying -----------------------------------------------------------------------------------

def test_a_reply_is_created_and_read_back(client, people, thread):
    api = api_of(client, people["kofi"])
    opening = opening_post(thread)
    body = "> quoted\n\nWe use a **shared hotline**, with @[Amina Diallo]."
    response = api.post(f"/threads/{thread.id}/posts",
                        json={"body_md": body, "quoted_post_id": opening.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    post = Post.get(Post.number == 2)
    assert response.headers["Location"] == f"/api/v1/posts/{post.id}"
    assert response.headers["ETag"]
    assert (created["body_md"], created["quoted_post_id"], created["number"]) == (
        body, opening.id, 2)
    assert created["notes"] == []
    assert "<strong>shared hotline</strong>" in created["body_html"]
    assert api.get(response.headers["Location"]).get_json()["body_md"] == body
    assert [p["number"] for p in posts_of(api, thread)] == [1, 2]
    assert api.get(f"/threads/{thread.id}").get_json()["reply_count"] == 1
    assert fresh(thread).last_author_id == people["kofi"].id


def test_a_quote_from_another_thread_is_refused_and_nothing_is_written(client, people, thread):
    other = make_thread(people["amina"], title="Other")
    api = api_of(client, people["kofi"])
    response = api.post(f"/threads/{thread.id}/posts",
                        json={"body_md": "text", "quoted_post_id": opening_post(other).id})
    assert response.status_code == 422
    assert "quoted_post_id" in response.get_json()["errors"]
    assert Post.select().count() == 2 and fresh(thread).reply_count == 0


@pytest.mark.parametrize("body", [{}, {"body_md": ""}, {"body_md": " \n\t "},
                                  {"body_md": "x" * 20001}, {"body_md": 5},
                                  {"body_md": "ok", "quoted_post_id": "1"},
                                  {"body_md": "ok", "quoted_post_id": 2**63},
                                  {"body_md": "ok", "author_id": 1},
                                  {"body_md": "ok", "number": 7}])
def test_an_invalid_reply_is_a_422_that_writes_nothing(client, people, thread, body):
    response = api_of(client, people["kofi"]).post(f"/threads/{thread.id}/posts", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert Post.select().count() == 1


def test_a_locked_or_closed_thread_takes_no_replies(client, people, thread):
    api = api_of(client, people["kofi"])
    actions.lock(people["mod"], thread, "Cooling off")
    response = api.post(f"/threads/{thread.id}/posts", json={"body_md": "Late"})
    assert response.status_code == 403
    actions.unlock(people["mod"], fresh(thread))
    services.close_thread(people["amina"], fresh(thread), "We agreed.")
    assert api.post(f"/threads/{thread.id}/posts",
                    json={"body_md": "Late"}).status_code == 403
    assert Post.select().count() == 1
    assert api.get(f"/threads/{thread.id}").get_json()["can_reply"] is False


def test_a_read_token_cannot_reply_or_edit(client, people, thread):
    reader = api_of(client, people["amina"], scope="read")
    opening = opening_post(thread)
    assert reader.post(f"/threads/{thread.id}/posts", json={"body_md": "x"}).status_code == 403
    tag = reader.get(f"/posts/{opening.id}").headers["ETag"]
    assert reader.patch(f"/posts/{opening.id}", json={"body_md": "x"},
                        headers={"If-Match": tag}).status_code == 403
    assert fresh(opening).body_md == "How do you *share* alerts?"
    assert Post.select().count() == 1


def test_another_region_cannot_reply_or_read_posts(client, people, thread):
    api = api_of(client, people["europe"])
    assert api.post(f"/threads/{thread.id}/posts", json={"body_md": "x"}).status_code == 404
    assert api.get(f"/threads/{thread.id}/posts").status_code == 404
    assert api.get(f"/posts/{opening_post(thread).id}").status_code == 404
    assert Post.select().count() == 1


# --- the list -----------------------------------------------------------------------------------

def test_posts_are_paged_oldest_first_without_repeats(client, people, thread):
    for n in range(7):
        make_reply(people["kofi"], thread, body=f"Reply {n}")
    api = api_of(client, people["amina"])
    items, pages = all_pages(api, f"/threads/{thread.id}/posts", limit=3)
    assert [p["number"] for p in items] == list(range(1, 9))
    assert pages == 3
    first = api.get(f"/threads/{thread.id}/posts", query_string={"limit": 3})
    assert 'rel="next"' in first.headers["Link"]
    assert api.get(f"/threads/{thread.id}/posts",
                   query_string={"cursor": "nonsense"}).status_code == 422


def test_reply_counts_leave_out_hidden_replies_which_only_moderators_list(client, people,
                                                                           thread):
    make_reply(people["kofi"], thread, body="Visible")
    hidden = make_reply(people["kofi"], thread, body="The minister's private number")
    actions.hide(people["mod"], fresh(thread), hidden, "Confidential")
    member, moderator = api_of(client, people["amina"]), api_of(client, people["mod"])
    assert [p["body_md"] for p in posts_of(member, thread)] == [
        "How do you *share* alerts?", "Visible"]
    moderated = posts_of(moderator, thread)
    assert [p["is_hidden"] for p in moderated] == [False, False, True]
    assert moderated[2]["hidden_reason"] == "Confidential"
    for api in (member, moderator):
        assert api.get(f"/threads/{thread.id}").get_json()["reply_count"] == 1
        listed = api.get("/spaces/africa/threads").get_json()["items"]
        assert listed[0]["reply_count"] == 1
    assert member.get(f"/posts/{hidden.id}").status_code == 404
    assert moderator.get(f"/posts/{hidden.id}").status_code == 200


def test_a_quote_of_a_post_hidden_since_is_not_shown_to_members(client, people, thread):
    quoted = make_reply(people["kofi"], thread, body="Soon hidden")
    reply = services.reply(people["amina"], fresh(thread), "Answering", quoted.id).post
    actions.hide(people["mod"], fresh(thread), quoted, "Confidential")
    assert api_of(client, people["amina"]).get(
        f"/posts/{reply.id}").get_json()["quoted_post_id"] is None
    assert api_of(client, people["mod"]).get(
        f"/posts/{reply.id}").get_json()["quoted_post_id"] == quoted.id


def _many_posts(thread, author, count):
    start = fresh(thread).last_number + 1
    quoted = opening_post(thread).id
    Post.insert_many([{"thread": thread.id, "author": author.id, "number": n,
                       "body_md": f"Reply {n}", "body_html": f"<p>Reply {n}</p>",
                       "quoted_post": quoted if n % 5 == 0 else None}
                      for n in range(start, start + count)]).execute()
    Thread.update(last_number=start + count - 1).where(Thread.id == thread.id).execute()


def test_the_post_list_costs_the_same_queries_for_10_or_200_posts(client, people, thread):
    api = api_of(client, people["amina"])
    path = f"/threads/{thread.id}/posts"
    api.get(path)
    _many_posts(thread, people["kofi"], 9)
    with QueryCounter() as small:
        assert len(api.get(path, query_string={"limit": 100}).get_json()["items"]) == 10
    _many_posts(thread, people["kofi"], 190)
    with QueryCounter() as large:
        assert len(api.get(path, query_string={"limit": 100}).get_json()["items"]) == 100
    assert small.count == large.count


# --- editing ------------------------------------------------------------------------------------

def test_an_edit_needs_the_etag_it_started_from(client, people, thread):
    api = api_of(client, people["amina"])
    opening = opening_post(thread)
    tag = api.get(f"/posts/{opening.id}").headers["ETag"]
    missing = api.patch(f"/posts/{opening.id}", json={"body_md": "New"})
    assert missing.status_code == 428
    saved = api.patch(f"/posts/{opening.id}", json={"body_md": "New"}, headers={"If-Match": tag})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["body_md"] == "New" and saved.get_json()["version"] == 2
    assert saved.headers["ETag"] != tag
    stale = api.patch(f"/posts/{opening.id}", json={"body_md": "Newer"},
                      headers={"If-Match": tag})
    assert stale.status_code == 412
    post = fresh(opening)
    assert (post.body_md, post.version, post.edit_count) == ("New", 2, 1)
    revision = PostRevision.get()
    assert revision.body_md == "How do you *share* alerts?"
    assert api.get(f"/posts/{opening.id}").headers["ETag"] == saved.headers["ETag"]


def test_editing_the_opening_post_changes_only_what_is_sent(client, people, thread):
    api = api_of(client, people["amina"])
    opening = opening_post(thread)
    tag = api.get(f"/posts/{opening.id}").headers["ETag"]
    response = api.patch(f"/posts/{opening.id}", headers={"If-Match": tag},
                         json={"title": "Early warning, revised", "tags": ["elections"],
                               "pillars": ["pillar_3"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    read = api.get(f"/threads/{thread.id}").get_json()
    assert (read["title"], read["tags"], read["pillars"]) == (
        "Early warning, revised", ["elections"], ["pillar_3"])
    assert read["opening_post"]["body_md"] == "How do you *share* alerts?"
    tag = response.headers["ETag"]
    assert api.patch(f"/posts/{opening.id}", headers={"If-Match": tag},
                     json={"body_md": "Shorter"}).status_code == 200
    read = api.get(f"/threads/{thread.id}").get_json()
    assert (read["title"], read["tags"], read["opening_post"]["body_md"]) == (
        "Early warning, revised", ["elections"], "Shorter")


@pytest.mark.parametrize("body, field", [
    ({"title": "A reply has no title"}, "title"),
    ({"body_md": "x", "tags": ["elections"]}, "tags"),
    ({"reason": "only a reason"}, "_schema"),
    ({}, "_schema"),
    ({"body_md": "x", "version": 1}, "version"),
    ({"body_md": "x", "id": 1}, "id"),
    ({"body_md": "x", "author_id": 1}, "author_id"),
    ({"body_md": "x", "edited_at": "2026-01-01T00:00:00Z"}, "edited_at"),
    ({"body_md": "   "}, "body_md"),
    ({"body_md": "x", "reason": " padded"}, "reason"),
])
def test_an_invalid_edit_is_a_422_that_writes_nothing(client, people, thread, body, field):
    reply = make_reply(people["amina"], thread, body="Mine")
    api = api_of(client, people["amina"])
    tag = api.get(f"/posts/{reply.id}").headers["ETag"]
    response = api.patch(f"/posts/{reply.id}", json=body, headers={"If-Match": tag})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]
    assert (fresh(reply).body_md, fresh(reply).version) == ("Mine", 1)
    assert PostRevision.select().count() == 0


def test_a_member_cannot_edit_someone_elses_post(client, people, thread):
    api = api_of(client, people["kofi"])
    opening = opening_post(thread)
    tag = api.get(f"/posts/{opening.id}").headers["ETag"]
    response = api.patch(f"/posts/{opening.id}", json={"body_md": "Mine now"},
                         headers={"If-Match": tag})
    assert response.status_code == 403
    assert fresh(opening).version == 1


def test_a_moderator_edits_someone_elses_post_only_with_a_reason_which_is_audited(
        client, people, thread):
    api = api_of(client, people["mod"])
    opening = opening_post(thread)
    tag = api.get(f"/posts/{opening.id}").headers["ETag"]
    refused = api.patch(f"/posts/{opening.id}", json={"body_md": "Redacted"},
                        headers={"If-Match": tag})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    assert AuditEvent.select().where(AuditEvent.action == "post_edited_by_moderator").count() == 0
    response = api.patch(f"/posts/{opening.id}", headers={"If-Match": tag},
                         json={"body_md": "Redacted", "reason": "Named a witness"})
    assert response.status_code == 200, response.get_data(as_text=True)
    event = AuditEvent.get(AuditEvent.action == "post_edited_by_moderator")
    assert (event.actor_id, event.target_id, event.item, event.reason) == (
        people["mod"].id, people["amina"].id, f"post:{opening.id}", "Named a witness")
    assert fresh(opening).body_md == "Redacted"
    assert PostRevision.get().reason == "Named a witness"


def test_an_edit_of_a_post_someone_changed_meanwhile_is_a_conflict(client, people, thread,
                                                                   monkeypatch):
    api = api_of(client, people["amina"])
    opening = opening_post(thread)
    tag = api.get(f"/posts/{opening.id}").headers["ETag"]
    edit = services.edit_post

    def someone_saves_first(editor, post, thread_, data, ip=""):
        Post.update(version=Post.version + 1).where(Post.id == post.id).execute()
        return edit(editor, post, thread_, data, ip)

    monkeypatch.setattr(services, "edit_post", someone_saves_first)
    response = api.patch(f"/posts/{opening.id}", json={"body_md": "Mine"},
                         headers={"If-Match": tag})
    assert response.status_code == 409
    assert fresh(opening).body_md == "How do you *share* alerts?"
