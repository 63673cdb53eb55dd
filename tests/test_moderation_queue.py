"""The moderation queue: what each moderator finds in it, in what order, at what cost."""
import pytest

from r2pnet.moderation import actions, flagging
from tests.helpers import QueryCounter, soup
from tests.moderation_helpers import fresh, make_reply, make_thread
from tests.signin import sign_in_as


@pytest.fixture
def people(make_member):
    return {
        "readers": {key: [make_member(password=None, region_key=key) for _ in range(4)]
                    for key in ("africa", "europe")},
        "mod": make_member(password=None, role="moderator", name="Africa Moderator",
                           moderates=("africa",)),
        "admin": make_member(password=None, role="administrator", region_key=None),
        "member": make_member(password=None),
    }


def flagged_items(people):
    """A flagged reply in Africa, a thread hidden by flags in Europe, a flagged network thread."""
    africa, europe = people["readers"]["africa"], people["readers"]["europe"]
    thread = make_thread(africa[0], "africa", title="Africa thread")
    post = make_reply(africa[1], thread, body="An African reply")
    flagging.flag(africa[2], thread, post, "other", "Names a source")
    europe_thread = make_thread(europe[0], "europe", title="Europe thread")
    for reader in europe[1:]:
        flagging.flag(reader, europe_thread, None, "spam")
    network = make_thread(europe[0], None, title="Network thread")
    flagging.flag(africa[0], network, None, "off_topic")
    return thread, post, europe_thread, network


def entries(response):
    return [li["data-item"] for li in soup(response).select("li.queue-entry")]


def test_a_moderator_sees_only_her_regions_flagged_items(client, people):
    thread, post, europe_thread, network = flagged_items(people)
    sign_in_as(client, people["mod"])

    response = client.get("/moderation")

    assert response.status_code == 200
    assert entries(response) == [f"post:{post.id}"]
    entry = soup(response).select_one("li.queue-entry")
    assert "Africa thread" in entry.text and "Names a source" in entry.text
    assert "Other (say why)" in entry.text and "An African reply" in entry.text
    page = response.get_data(as_text=True)
    assert "Europe thread" not in page and "Network thread" not in page


def test_an_administrator_sees_every_space_with_items_hidden_by_flags_first(client, people):
    thread, post, europe_thread, network = flagged_items(people)
    assert fresh(europe_thread).is_hidden
    sign_in_as(client, people["admin"])
    assert entries(client.get("/moderation")) == [
        f"thread:{europe_thread.id}", f"post:{post.id}", f"thread:{network.id}"]


def test_members_have_no_queue(client, people):
    flagged_items(people)
    sign_in_as(client, people["member"])
    response = client.get("/moderation")
    assert response.status_code == 403 and "Africa thread" not in response.get_data(as_text=True)
    assert "/moderation" not in client.get("/").get_data(as_text=True)


def test_acting_on_an_item_takes_it_out_of_the_queue(client, people):
    thread, post, europe_thread, network = flagged_items(people)
    actions.hide(people["admin"], fresh(europe_thread), None, "Spam")
    actions.dismiss_flags(people["admin"], fresh(network), None)
    sign_in_as(client, people["admin"])
    assert entries(client.get("/moderation")) == [f"post:{post.id}"]


def test_hiding_from_the_queue_returns_to_the_queue(client, people):
    thread, post, _, _ = flagged_items(people)
    sign_in_as(client, people["mod"])
    form = soup(client.get("/moderation")).select_one("li.queue-entry form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    data["reason"] = "Names a source"
    response = client.post(form["action"], data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    assert fresh(post).is_hidden and entries(client.get("/moderation")) == []


def test_the_queue_costs_the_same_queries_for_one_item_or_many(client, people, make_member):
    flagged_items(people)
    sign_in_as(client, people["admin"])
    client.get("/moderation")
    with QueryCounter() as few:
        client.get("/moderation")
    author = people["readers"]["africa"][0]
    for n in range(5):
        thread = make_thread(author, "africa", title=f"More {n}")
        make_reply(author, thread)
        reply = make_reply(people["readers"]["africa"][1], thread)
        flagging.flag(make_member(password=None), thread, reply, "spam")
        flagging.flag(make_member(password=None), thread, None, "spam")
    with QueryCounter() as many:
        response = client.get("/moderation")
    assert len(entries(response)) == 13
    assert many.count == few.count
