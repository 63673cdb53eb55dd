"""Who sees which thread and post through the API, and that it agrees with the HTML pages.

Viewers: a member of Africa, a member of Europe, Africa's moderator, Europe's moderator and an
administrator. Items: a network thread, an Africa thread, a hidden Africa thread, and an Africa
thread with one visible and one hidden reply. For each: listed in its space or not, the single
GET, the reply count and the post list, against the space page and the thread page.
"""
import re

import pytest

from r2pnet.moderation import actions
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import soup
from tests.moderation_helpers import fresh, make_reply, make_thread
from tests.signin import sign_in_as

VIEWERS = ["member", "other_member", "moderator", "other_moderator", "administrator"]
ITEMS = ["network", "regional", "hidden", "with_hidden_post"]

# What each viewer may read: the thread, and whether the hidden reply shows in it.
READS = {
    "member": {"network", "regional", "with_hidden_post"},
    "other_member": {"network"},
    "moderator": set(ITEMS),
    "other_moderator": {"network"},
    "administrator": set(ITEMS),
}
SEES_HIDDEN_POSTS = {"moderator", "administrator"}


@pytest.fixture
def world(make_member):
    """The five viewers and the four threads (the author is a member of Africa)."""
    viewers = {
        "member": make_member(password=None, region_key="africa"),
        "other_member": make_member(password=None, region_key="europe"),
        "moderator": make_member(password=None, role="moderator", region_key="africa",
                                 moderates=("africa",)),
        "other_moderator": make_member(password=None, role="moderator", region_key="europe",
                                       moderates=("europe",)),
        "administrator": make_member(password=None, role="administrator", region_key=None),
    }
    author = make_member(password=None, region_key="africa", name="Author")
    threads = {
        "network": make_thread(author, region_key=None, title="Network thread"),
        "regional": make_thread(author, title="Africa thread"),
        "hidden": make_thread(author, title="Hidden thread"),
        "with_hidden_post": make_thread(author, title="Thread with a hidden reply"),
    }
    make_reply(author, threads["hidden"], body="A reply in a hidden thread")
    actions.hide(viewers["moderator"], fresh(threads["hidden"]), None, "Off topic")
    target = threads["with_hidden_post"]
    make_reply(author, target, body="A visible reply")
    hidden_post = make_reply(author, target, body="A confidential reply")
    actions.hide(viewers["moderator"], fresh(target), hidden_post, "Confidential")
    return viewers, {key: fresh(t) for key, t in threads.items()}, hidden_post


def space_of(key):
    return "network" if key == "network" else "africa"


def html_space_titles(client, space):
    response = client.get("/network" if space == "network" else f"/regions/{space}")
    if response.status_code == 404:
        return None
    return [a.text.strip() for a in soup(response).select(".thread-list li a.fw-semibold")]


def html_thread(client, thread):
    """(reply count, post numbers) of the thread page, or None when it is not found."""
    response = client.get(f"/threads/{thread.id}")
    if response.status_code == 404:
        return None
    page = soup(response)
    started = page.find(lambda tag: tag.name == "p" and tag.get_text().startswith("Started by"))
    count = int(re.search(r"(\d+) repl(?:y|ies)", started.get_text(" ")).group(1))
    return count, [int(li["id"].removeprefix("post-")) for li in page.select("li[id^=post-]")]


@pytest.mark.parametrize("who", VIEWERS)
def test_the_api_shows_each_viewer_what_the_pages_show(client, world, who):
    viewers, threads, hidden_post = world
    viewer = viewers[who]
    api = Api(client, token_for(viewer))
    sign_in_as(client, viewer)
    for key, thread in threads.items():
        readable = key in READS[who]
        space = space_of(key)
        listed = api.get(f"/spaces/{space}/threads")
        api_titles = ([t["title"] for t in all_pages(api, f"/spaces/{space}/threads")[0]]
                      if listed.status_code == 200 else None)
        assert (thread.title in (api_titles or [])) is readable, (who, key)
        assert api_titles == html_space_titles(client, space), (who, key)
        single = api.get(f"/threads/{thread.id}")
        page = html_thread(client, thread)
        assert single.status_code == (200 if readable else 404), (who, key)
        assert (page is not None) is readable, (who, key)
        posts = api.get(f"/threads/{thread.id}/posts")
        if not readable:
            assert posts.status_code == 404
            continue
        numbers = [p["number"] for p in all_pages(api, f"/threads/{thread.id}/posts")[0]]
        reply_count = single.get_json()["reply_count"]
        assert (reply_count, numbers) == page, (who, key)
        listed_count = {t["id"]: t["reply_count"]
                        for t in all_pages(api, f"/spaces/{space}/threads")[0]}[thread.id]
        assert listed_count == reply_count
        if key == "with_hidden_post":
            assert reply_count == 1  # the hidden reply is never counted
            expected = [1, 2, 3] if who in SEES_HIDDEN_POSTS else [1, 2]
            assert numbers == expected, who


@pytest.mark.parametrize("who", VIEWERS)
def test_a_hidden_post_is_found_only_by_the_spaces_moderators(client, world, who):
    viewers, threads, hidden_post = world
    api = Api(client, token_for(viewers[who]))
    response = api.get(f"/posts/{hidden_post.id}")
    assert response.status_code == (200 if who in SEES_HIDDEN_POSTS else 404)
    if response.status_code == 200:
        assert (response.get_json()["is_hidden"], response.get_json()["hidden_reason"]) == (
            True, "Confidential")


@pytest.mark.parametrize("who", VIEWERS)
def test_what_may_not_be_seen_cannot_be_replied_to_or_flagged_either(client, world, who):
    viewers, threads, hidden_post = world
    api = Api(client, token_for(viewers[who]))
    for key, thread in threads.items():
        expected = 201 if key in READS[who] else 404
        reply = api.post(f"/threads/{thread.id}/posts", json={"body_md": f"{who} on {key}"})
        assert reply.status_code == expected, (who, key)
        flag = api.post(f"/threads/{thread.id}/flags", json={"reason": "spam"})
        assert flag.status_code == expected, (who, key)
    flag = api.post(f"/posts/{hidden_post.id}/flags", json={"reason": "spam"})
    assert flag.status_code == (201 if who in SEES_HIDDEN_POSTS else 404)
