"""GET /regions and /regions/{id}: member counts for all, cadence figures for their moderators."""
import datetime as dt

import pytest

from r2pnet.deliberations import regional, services
from r2pnet.deliberations.models import DEFAULT_CADENCE_DAYS, Deliberation
from r2pnet.members.models import Member, Region, utcnow
from r2pnet.moderation.flagging import flag
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import QueryCounter, region
from tests.moderation_helpers import make_thread
from tests.test_deliberations import move_to_past, schedule
from tests.test_region_dashboard import thread as dated_thread


@pytest.fixture
def people(make_member):
    return {
        "member": make_member(region_key="africa", password=None),
        "moderator": make_member(role="moderator", region_key="africa", moderates=("africa",),
                                 password=None),
        "other_moderator": make_member(role="moderator", region_key="europe",
                                       moderates=("europe",), password=None),
        "administrator": make_member(role="administrator", region_key="europe", password=None),
    }


def api_of(client, member):
    return Api(client, token_for(member))


def regions_by_key(api, **params):
    items, _ = all_pages(api, "/regions", **params)
    return {item["key"]: item for item in items}


# --- the list --------------------------------------------------------------------------------

def test_every_region_is_listed_with_its_active_members(client, people, make_member):
    make_member(region_key="africa", disabled_at=dt.datetime(2024, 1, 1))
    make_member(region_key="americas")

    listed = regions_by_key(api_of(client, people["member"]))

    assert set(listed) == {r.key for r in Region.select()}
    counts = {key: item["member_count"] for key, item in listed.items()}
    expected = {r.key: Member.active().where(Member.region == r.id).count()
                for r in Region.select()}
    assert counts == expected
    assert counts["africa"] == 2 and counts["americas"] == 1  # the disabled one not counted
    africa = listed["africa"]
    assert africa["name"] == region("africa").name
    assert africa["organizations"] == region("africa").organizations
    assert "SN" in africa["countries"]
    assert africa["url"] == "http://r2pnet.test/regions/africa"


def test_regions_page_in_a_stable_order_without_duplicates(client, people):
    api = api_of(client, people["member"])

    items, pages = all_pages(api, "/regions", limit=2)

    assert pages > 1
    ids = [item["id"] for item in items]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == Region.select().count()


def test_one_region_has_an_etag(client, people):
    api = api_of(client, people["member"])
    path = f"/regions/{region('africa').id}"

    response = api.get(path)

    assert response.status_code == 200 and response.get_json()["key"] == "africa"
    assert api.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_an_unknown_region_is_404(client, people):
    api = api_of(client, people["member"])
    assert api.get("/regions/999999").status_code == 404
    assert api.get("/regions/0").status_code == 404


@pytest.mark.parametrize("query", [{"unanswered_after_days": "0"},
                                   {"unanswered_after_days": "366"},
                                   {"unanswered_after_days": "soon"}, {"key": "africa"}])
def test_bad_parameters_are_a_422(client, people, query):
    api = api_of(client, people["administrator"])
    assert api.get("/regions", query_string=query).status_code == 422
    assert api.get(f"/regions/{region('africa').id}", query_string=query).status_code == 422


# --- cadence figures -------------------------------------------------------------------------

@pytest.mark.parametrize("who, with_figures", [
    ("member", set()),
    ("moderator", {"africa"}),
    ("other_moderator", {"europe"}),
    ("administrator", "all"),
])
def test_cadence_figures_are_for_the_regions_moderators_and_administrators(client, people, who,
                                                                            with_figures):
    api = api_of(client, people[who])

    listed = regions_by_key(api)

    expected = set(listed) if with_figures == "all" else with_figures
    assert {key for key, item in listed.items() if item["cadence"] is not None} == expected
    for key, item in listed.items():
        single = api.get(f"/regions/{item['id']}").get_json()
        assert (single["cadence"] is not None) == (key in expected)


def test_a_moderator_sees_the_rhythm_of_their_region(client, people):
    moderator = people["moderator"]
    move_to_past(schedule(moderator, title="Held"), days=10)
    move_to_past(schedule(moderator, title="Older"), days=40)
    upcoming = schedule(moderator, title="Next one")
    regional.set_cadence(moderator, region("africa").id, 14)
    question = regional.set_weekly_question(moderator, region("africa").id, "What worked?")
    author = people["member"]
    dated_thread(author, "africa", days_ago=3, replies=2)
    dated_thread(author, "africa", days_ago=12)  # unanswered for more than 7 days
    dated_thread(author, "africa", days_ago=40)  # unanswered, and older than 30 days
    flagged = make_thread(author, "africa", title="Flagged")
    flag(moderator, flagged, reason="spam")
    flag(people["administrator"], flagged, reason="off_topic")

    cadence = api_of(client, moderator).get(f"/regions/{region('africa').id}").get_json()[
        "cadence"]

    assert cadence["cadence_days"] == 14
    assert cadence["days_since_last"] == 10 and cadence["overdue"] is False
    assert cadence["last_held_at"].endswith("Z")
    assert cadence["next_deliberation"] == {
        "id": upcoming.id, "title": "Next one",
        "starts_at": upcoming.starts_at.isoformat() + "Z",
        "url": f"http://r2pnet.test/deliberations/{upcoming.id}"}
    assert cadence["threads_last_30_days"] == 3
    assert cadence["replies_last_30_days"] == 2
    assert cadence["unanswered_threads"] == 2 and cadence["unanswered_after_days"] == 7
    assert cadence["open_flags"] == 2
    assert cadence["question_of_the_week"]["text"] == "What worked?"
    assert cadence["question_of_the_week"]["thread_id"] is None
    assert question


def test_the_unanswered_threshold_can_be_chosen_as_on_the_dashboard(client, people):
    dated_thread(people["member"], "africa", days_ago=12)
    api = api_of(client, people["moderator"])
    path = f"/regions/{region('africa').id}"

    assert api.get(path).get_json()["cadence"]["unanswered_threads"] == 1
    wider = api.get(path, query_string={"unanswered_after_days": 20}).get_json()["cadence"]
    assert wider["unanswered_threads"] == 0 and wider["unanswered_after_days"] == 20


def test_a_region_that_never_deliberated_is_overdue_until_one_is_scheduled(client, people):
    api = api_of(client, people["administrator"])
    path = f"/regions/{region('americas').id}"

    cadence = api.get(path).get_json()["cadence"]
    assert cadence["overdue"] is True and cadence["last_held_at"] is None
    assert cadence["next_deliberation"] is None
    assert cadence["cadence_days"] == DEFAULT_CADENCE_DAYS

    schedule(people["administrator"], "americas")
    assert api.get(path).get_json()["cadence"]["overdue"] is False


def test_cancelled_deliberations_do_not_count(client, people):
    moderator = people["moderator"]
    called_off = schedule(moderator, title="Called off")
    services.cancel_deliberation(moderator, called_off)

    cadence = api_of(client, moderator).get(f"/regions/{region('africa').id}").get_json()[
        "cadence"]

    assert cadence["next_deliberation"] is None


# --- queries ---------------------------------------------------------------------------------

def _activity(people, count):
    """`count` members and a tenth as many threads and deliberations (past and upcoming) in each
    of two regions, half the threads flagged."""
    for key in ("africa", "europe"):
        Member.insert_many([{"email": f"{key}{n}-{count}@example.org", "name": f"M {n}",
                             "region": region(key).id, "session_version": "x" * 32}
                            for n in range(count)]).execute()
        for n in range(count // 10):
            thread = dated_thread(people["member"], key, days_ago=n % 20, replies=n % 3)
            if n % 2:
                flag(people["administrator"], thread, reason="spam")
        Deliberation.insert_many([
            {"region": region(key).id, "title": f"D {n}", "timezone": "UTC",
             "uid": f"{key}-{count}-{n}@r2pnet.test",
             "starts_at": utcnow() + dt.timedelta(days=n - count // 20)}
            for n in range(count // 10)]).execute()


@pytest.mark.parametrize("who", ["member", "moderator", "administrator"])
def test_regions_cost_the_same_queries_with_10_or_200_rows(client, people, who):
    api = api_of(client, people[who])
    _activity(people, 10)
    api.get("/regions")  # the token's first use is recorded once
    with QueryCounter() as small:
        assert api.get("/regions").status_code == 200
        assert api.get(f"/regions/{region('africa').id}").status_code == 200

    _activity(people, 200)
    with QueryCounter() as large:
        response = api.get("/regions")
        assert api.get(f"/regions/{region('africa').id}").status_code == 200

    assert response.status_code == 200
    assert small.count == large.count
