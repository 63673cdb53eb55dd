"""The moderation log and its CSV: who reads which rows, filters, formula-safe cells."""
import csv
import datetime as dt
import io

import pytest
import time_machine

from r2pnet.moderation import actions
from tests.helpers import soup
from tests.moderation_helpers import fresh, make_reply, make_thread
from tests.signin import sign_in_as


@pytest.fixture
def people(make_member):
    return {
        "africa": make_member(password=None, name="Amina Diallo"),
        "europe": make_member(password=None, region_key="europe", name="Erik Berg"),
        "mod": make_member(password=None, role="moderator", name="Africa Moderator",
                           moderates=("africa",)),
        "mod_europe": make_member(password=None, role="moderator", region_key="europe",
                                  name="Europe Moderator", moderates=("europe",)),
        "admin": make_member(password=None, role="administrator", region_key=None,
                             name="Network Admin"),
    }


@pytest.fixture
def history(people):
    """A hide in Africa (9 Jan), a lock in Europe (10 Jan), a pin in the network (11 Jan)."""
    africa_thread = make_thread(people["africa"], "africa", title="Africa thread")
    post = make_reply(people["africa"], africa_thread)
    europe_thread = make_thread(people["europe"], "europe", title="Europe thread")
    network_thread = make_thread(people["europe"], None, title="Network thread")
    steps = [
        (dt.datetime(2024, 1, 9, 10, 0), lambda: actions.hide(
            people["mod"], fresh(africa_thread), post, "=HYPERLINK(\"http://evil\")")),
        (dt.datetime(2024, 1, 10, 12, 0), lambda: actions.lock(
            people["mod_europe"], europe_thread, "Heated")),
        (dt.datetime(2024, 1, 11, 8, 30), lambda: actions.pin(
            people["admin"], network_thread, "Read first")),
    ]
    for when, act in steps:
        with time_machine.travel(when.replace(tzinfo=dt.UTC), tick=False):
            act()
    return africa_thread, post, europe_thread, network_thread


def rows(response):
    """(action, by, space, item, reason) of each row."""
    return [tuple(" ".join(td.get_text(" ").split()) for td in tr.find_all("td"))[1:6]
            for tr in soup(response).select("table.moderation-log tbody tr[data-item]")]


def test_a_moderator_reads_the_log_of_her_regions_only(client, people, history):
    africa_thread, post, _, _ = history
    sign_in_as(client, people["mod"])
    response = client.get("/moderation/log")
    assert response.status_code == 200
    assert rows(response) == [("Post hidden", "Africa Moderator", "Africa", f"post:{post.id}",
                               '=HYPERLINK("http://evil")')]
    link = soup(response).select_one("tbody a[href^='/threads/']")["href"]
    assert link == f"/threads/{africa_thread.id}?page=1#post-2"


def test_an_administrator_reads_every_space_newest_first(client, people, history):
    _, post, europe_thread, network_thread = history
    sign_in_as(client, people["admin"])
    assert [r[:4] for r in rows(client.get("/moderation/log"))] == [
        ("Thread pinned", "Network Admin", "Network", f"thread:{network_thread.id}"),
        ("Thread locked", "Europe Moderator", "Europe", f"thread:{europe_thread.id}"),
        ("Post hidden", "Africa Moderator", "Africa", f"post:{post.id}"),
    ]


def test_the_log_filters_by_action_space_item_and_date(client, people, history):
    _, post, europe_thread, _ = history
    sign_in_as(client, people["admin"])
    assert [r[0] for r in rows(client.get("/moderation/log?action=thread_locked"))] == [
        "Thread locked"]
    assert [r[2] for r in rows(client.get("/moderation/log?space=network"))] == ["Network"]
    assert [r[3] for r in rows(client.get(f"/moderation/log?item=post:{post.id}"))] == [
        f"post:{post.id}"]
    assert [r[0] for r in rows(client.get(
        "/moderation/log?since=2024-01-10&until=2024-01-10"))] == ["Thread locked"]
    response = client.get("/moderation/log?action=logged_in&since=yesterday")
    assert response.status_code == 400 and len(rows(response)) == 3


def test_a_moderator_cannot_read_another_regions_rows_by_filtering(client, people, history):
    _, _, europe_thread, _ = history
    sign_in_as(client, people["mod"])
    for query in ("space=europe", "space=network", f"item=thread:{europe_thread.id}"):
        assert rows(client.get(f"/moderation/log?{query}")) == []
    options = [o["value"] for o in soup(client.get("/moderation/log")).select("#space option")]
    assert options == ["", "africa"]


def test_account_events_stay_out_of_the_moderation_log(client, people, history):
    from r2pnet.audit.services import record
    record("role_changed", actor=people["admin"], target=people["mod"], detail="moderator")
    sign_in_as(client, people["admin"])
    assert "Role changed" not in client.get("/moderation/log").get_data(as_text=True)


def test_members_have_no_log(client, people, history):
    sign_in_as(client, people["africa"])
    assert client.get("/moderation/log").status_code == 403
    assert client.get("/moderation/log.csv").status_code == 403


def test_the_csv_has_utc_times_names_and_defused_formulas(client, people, history):
    _, post, _, _ = history
    sign_in_as(client, people["mod"])
    response = client.get("/moderation/log.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == ["time_utc", "actor", "action", "region", "item", "reason", "detail"]
    assert table[1:] == [["2024-01-09T10:00:00+00:00", "Africa Moderator", "post_hidden",
                          "Africa", f"post:{post.id}", "'=HYPERLINK(\"http://evil\")",
                          f"post #2 of thread {post.thread_id}: Africa thread"]]


def test_the_csv_follows_the_filters_and_the_readers_regions(client, people, history):
    sign_in_as(client, people["admin"])
    table = list(csv.reader(io.StringIO(client.get(
        "/moderation/log.csv?space=europe").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[2] for row in table[1:]] == ["thread_locked"]
    sign_in_as(client, people["mod_europe"])
    table = list(csv.reader(io.StringIO(client.get(
        "/moderation/log.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row[1], row[3]) for row in table[1:]] == [("Europe Moderator", "Europe")]


def test_a_moderators_edit_with_a_reason_is_in_the_log(client, people, history):
    from r2pnet.discussions import services as discussions
    from r2pnet.discussions.schemas import EditPostSchema
    africa_thread, post, _, _ = history
    data = EditPostSchema().load({"body_md": "Edited text", "reason": "Removed a name"})
    discussions.edit_post(people["mod"], fresh(post), fresh(africa_thread), data)
    sign_in_as(client, people["mod"])
    assert rows(client.get("/moderation/log"))[0] == (
        "Post edited by a moderator", "Africa Moderator", "Africa", f"post:{post.id}",
        "Removed a name")
