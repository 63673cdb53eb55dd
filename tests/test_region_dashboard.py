"""The region dashboard: rhythm of deliberations and discussion activity per region."""
import datetime as dt

import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.deliberations import services
from r2pnet.deliberations.regional import cadence_days
from r2pnet.deliberations.models import DEFAULT_CADENCE_DAYS, Cadence, Deliberation
from r2pnet.discussions.models import Post, Thread
from r2pnet.members.models import utcnow
from tests.helpers import QueryCounter, post_form, region, soup
from tests.signin import sign_in_as
from tests.test_deliberations import move_to_past, schedule


@pytest.fixture
def moderator(client, make_member):
    member = make_member(role="moderator", region_key="africa",
                         moderates=("africa", "americas"), password=None)
    sign_in_as(client, member)
    return member


def rows(response):
    return {tr["data-region"]: {td["class"][0]: " ".join(td.get_text(" ").split())
                                for td in tr.find_all("td")}
            for tr in soup(response).select("#region-dashboard tbody tr")}


def thread(author, region_key, days_ago=1, replies=0, reply_days_ago=None, **fields):
    """A thread created `days_ago` with `replies` visible replies."""
    created = utcnow() - dt.timedelta(days=days_ago)
    item = Thread.create(region=region(region_key) if region_key else None, author=author,
                         title="Thread", created_at=created, last_activity_at=created,
                         reply_count=replies, last_number=replies + 1, **fields)
    Post.create(thread=item, author=author, number=1, body_md="x", body_html="<p>x</p>",
                created_at=created)
    for number in range(2, replies + 2):
        Post.create(thread=item, author=author, number=number, body_md="r", body_html="<p>r</p>",
                    created_at=utcnow() - dt.timedelta(days=reply_days_ago or days_ago))
    return item


def test_moderators_see_their_regions_with_the_rhythm_of_deliberations(client, moderator):
    held = move_to_past(schedule(moderator, title="Held"), days=10)
    older = move_to_past(schedule(moderator, title="Older"), days=40)
    called_off = schedule(moderator, title="Called off")
    services.cancel_deliberation(moderator, called_off)
    move_to_past(called_off, days=2)
    upcoming = schedule(moderator, title="Next one")
    americas_old = move_to_past(schedule(moderator, "americas", title="Long ago"), days=50)

    response = client.get("/moderation/regions")

    assert response.status_code == 200
    table = rows(response)
    assert list(table) == ["africa", "americas"]  # by name, only the moderated ones
    assert table["africa"]["days-since"] == "10 days ago"
    assert table["africa"]["cadence"] == f"every {DEFAULT_CADENCE_DAYS} days"
    assert "Next one" in table["africa"]["next"]
    assert table["americas"]["days-since"] == "50 days ago overdue"
    assert "Schedule one" in table["americas"]["next"]
    assert held and older and upcoming and americas_old


def test_a_region_that_never_deliberated_is_overdue_until_one_is_scheduled(client, moderator):
    assert rows(client.get("/moderation/regions"))["africa"]["days-since"] == "never overdue"
    schedule(moderator)
    assert rows(client.get("/moderation/regions"))["africa"]["days-since"] == "never"


def test_discussion_activity_counts_visible_regional_posts_of_the_last_30_days(
        client, moderator, make_member):
    author = make_member(region_key="africa")
    thread(author, "africa", days_ago=3, replies=2)
    thread(author, "africa", days_ago=5, replies=1)
    thread(author, "africa", days_ago=45, replies=1, reply_days_ago=2)  # old thread, new reply
    thread(author, "africa", days_ago=60, replies=1)  # all too old
    thread(author, "africa", days_ago=2, replies=3, is_hidden=True)  # hidden: not counted
    hidden_reply = thread(author, "africa", days_ago=4, replies=1)
    Post.update(is_hidden=True).where(Post.thread == hidden_reply, Post.number == 2).execute()
    thread(author, None, days_ago=1, replies=5)  # the network space belongs to no region
    thread(author, "europe", days_ago=1, replies=5)

    africa = rows(client.get("/moderation/regions"))["africa"]

    assert africa["threads"] == "3"  # 3, 5 and 4 days old; the hidden one is left out
    assert africa["replies"] == "4"  # 2 + 1 + 1 (old thread's new reply)


def test_unanswered_threads_older_than_n_days(client, app, moderator, make_member):
    author = make_member(region_key="africa")
    thread(author, "africa", days_ago=10)
    thread(author, "africa", days_ago=20)
    thread(author, "africa", days_ago=3)  # too recent
    thread(author, "africa", days_ago=30, replies=1)  # answered
    thread(author, "africa", days_ago=30, closed_at=utcnow())  # closed
    thread(author, "africa", days_ago=30, is_hidden=True)  # hidden

    assert rows(client.get("/moderation/regions"))["africa"]["unanswered"] == "2"
    assert rows(client.get("/moderation/regions?days=15"))["africa"]["unanswered"] == "1"
    assert rows(client.get("/moderation/regions?days=2"))["africa"]["unanswered"] == "3"
    assert rows(client.get("/moderation/regions?days="))["africa"]["unanswered"] == "2"
    app.config["UNANSWERED_AFTER_DAYS"] = 25
    assert rows(client.get("/moderation/regions"))["africa"]["unanswered"] == "0"


@pytest.mark.parametrize("days", ["0", "abc", "366"])
def test_a_bad_number_of_days_is_a_400_with_a_message(client, moderator, days):
    response = client.get(f"/moderation/regions?days={days}")
    assert response.status_code == 400
    assert soup(response).find(id="days-error") is not None
    assert "africa" in rows(response)


def test_administrators_see_every_region(client, make_member):
    sign_in_as(client, make_member(role="administrator", password=None))
    assert list(rows(client.get("/moderation/regions"))) == [
        "africa", "americas", "asia_pacific", "europe", "mena"]


def test_a_moderator_sets_the_cadence(client, moderator):
    response = post_form(client, f"/regions/{region('africa').id}/cadence",
                         {"every_days": "14"}, csrf_from="/moderation/regions")

    assert response.status_code == 302
    assert Cadence.get().every_days == 14 and Cadence.get().updated_by_id == moderator.id
    assert cadence_days(region("africa").id) == 14
    assert cadence_days(region("americas").id) == DEFAULT_CADENCE_DAYS
    assert rows(client.get("/moderation/regions"))["africa"]["cadence"] == "every 14 days"
    post_form(client, f"/regions/{region('africa').id}/cadence", {"every_days": "21"},
              csrf_from="/moderation/regions")
    assert Cadence.select().count() == 1 and Cadence.get().every_days == 21
    event = AuditEvent.select().where(AuditEvent.action == "cadence_changed").order_by(
        AuditEvent.id.desc()).first()
    assert event.region_id == region("africa").id and "21" in event.detail


def test_a_shorter_cadence_makes_a_region_overdue(client, moderator):
    move_to_past(schedule(moderator), days=10)
    assert "overdue" not in rows(client.get("/moderation/regions"))["africa"]["days-since"]
    post_form(client, f"/regions/{region('africa').id}/cadence", {"every_days": "7"},
              csrf_from="/moderation/regions")
    assert "overdue" in rows(client.get("/moderation/regions"))["africa"]["days-since"]


@pytest.mark.parametrize("value, message", [("6", "7 to 365"), ("366", "7 to 365"),
                                            ("often", "number of days"),
                                            ("", "number of days")])
def test_a_bad_cadence_is_refused_next_to_the_field(client, moderator, value, message):
    response = post_form(client, f"/regions/{region('africa').id}/cadence",
                         {"every_days": value}, csrf_from="/moderation/regions")
    assert response.status_code == 400
    section = soup(response).find(id="settings-africa")
    assert message in section.find(id="every_days-error").get_text()
    assert Cadence.select().count() == 0


def test_unknown_regions_are_404(client, moderator):
    assert post_form(client, "/regions/999999/cadence", {"every_days": "14"},
                     csrf_from="/moderation/regions").status_code == 404
    assert post_form(client, "/regions/999999/question", {"text": "?"},
                     csrf_from="/moderation/regions").status_code == 404


# --- constant queries --------------------------------------------------------------------------

def _count(client, url):
    with QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def _bulk(author, moderator, count):
    now = utcnow()
    for key in ("africa", "americas"):
        region_id = region(key).id
        known = {t.id for t in Thread.select(Thread.id)}
        Thread.insert_many([{"region": region_id, "author": author.id, "title": f"T{n}",
                             "created_at": now - dt.timedelta(days=n % 40),
                             "last_activity_at": now, "reply_count": n % 3}
                            for n in range(count)]).execute()
        ids = [t.id for t in Thread.select(Thread.id).where(Thread.region == region_id)
               if t.id not in known]
        Post.insert_many([{"thread": i, "author": author.id, "number": n, "body_md": "b",
                           "body_html": "b", "created_at": now - dt.timedelta(days=n)}
                          for i in ids for n in (1, 2)]).execute()
        Deliberation.insert_many([{"region": region_id, "title": f"D{n}", "timezone": "UTC",
                                   "starts_at": now + dt.timedelta(days=n - count // 2),
                                   "uid": f"bulk-{key}-{n}-{count}@r2pnet",
                                   "location": "Here"} for n in range(count)]).execute()


def test_the_dashboard_costs_the_same_queries_for_few_or_many_rows(client, moderator,
                                                                   make_member):
    author = make_member(region_key="africa")
    _bulk(author, moderator, 2)
    few = _count(client, "/moderation/regions")
    _bulk(author, moderator, 300)
    many = _count(client, "/moderation/regions")
    assert few == many, (few, many)


def test_the_administrators_dashboard_costs_the_same_queries_for_one_region_or_all(
        client, make_member):
    admin = make_member(role="administrator", password=None)
    sign_in_as(client, admin)
    all_regions = _count(client, "/moderation/regions")
    moderator = make_member(role="moderator", moderates=("africa",), password=None)
    sign_in_as(client, moderator)
    assert _count(client, "/moderation/regions") == all_regions + 1  # + its moderated regions
