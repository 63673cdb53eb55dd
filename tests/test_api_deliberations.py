"""Deliberations through the API: who sees which, upcoming and past, times, RSVP, cost."""
import datetime as dt
import uuid

import pytest

from r2pnet import markdown
from r2pnet.deliberations.models import Attendance, Deliberation, DeliberationThread
from r2pnet.members.models import utcnow
from r2pnet.moderation import actions
from tests.api_helpers import Api, all_pages, token_for
from tests.helpers import QueryCounter, region, soup
from tests.moderation_helpers import make_thread
from tests.signin import sign_in_as

NEXT_YEAR = dt.date.today().year + 1
# A summer afternoon in Berlin: 14:00 CEST is 12:00 UTC.
SUMMER_NOON_UTC = dt.datetime(NEXT_YEAR, 7, 7, 12, 0)


def deliberation(region_key="africa", starts_at=SUMMER_NOON_UTC, title="Early warning",
                 **fields):
    """A deliberation row, as scheduling would leave it (without the mail)."""
    if "agenda_md" in fields:
        fields["agenda_html"] = markdown.render(fields["agenda_md"])
    return Deliberation.create(region=region(region_key), title=title, starts_at=starts_at,
                               timezone=fields.pop("timezone", "Europe/Berlin"),
                               uid=f"deliberation-{uuid.uuid4()}@r2pnet", **fields)


def hours(n):
    return utcnow().replace(microsecond=0) + dt.timedelta(hours=n)


@pytest.fixture
def people(make_member):
    return {
        "amina": make_member(password=None, name="Amina Diallo"),
        "europe": make_member(password=None, region_key="europe"),
        "mod": make_member(password=None, role="moderator", region_key="europe",
                           moderates=("africa",)),
        "admin": make_member(password=None, role="administrator", region_key=None),
    }


def api_of(client, member, scope="read-write"):
    return Api(client, token_for(member, scope=scope))


def titles(api, **params):
    items, _ = all_pages(api, "/deliberations", **params)
    return [d["title"] for d in items]


# --- reading -------------------------------------------------------------------------------------

def test_a_deliberation_reads_in_utc_and_in_the_organisers_zone(client, people):
    item = deliberation(duration_minutes=90, join_url="https://meet.example.org/sahel",
                        agenda_md="1. **Risk factors**")
    body = api_of(client, people["amina"]).get(f"/deliberations/{item.id}").get_json()
    assert (body["starts_at"], body["ends_at"]) == (f"{NEXT_YEAR}-07-07T12:00:00Z",
                                                    f"{NEXT_YEAR}-07-07T13:30:00Z")
    assert (body["starts_at_local"], body["ends_at_local"], body["timezone"]) == (
        f"{NEXT_YEAR}-07-07T14:00:00+02:00", f"{NEXT_YEAR}-07-07T15:30:00+02:00",
        "Europe/Berlin")
    assert body["region"] == {"id": region("africa").id, "key": "africa", "name": "Africa"}
    assert (body["my_answer"], body["counts"]) == (None, {"yes": 0, "maybe": 0, "no": 0})
    assert (body["is_cancelled"], body["has_started"], body["is_over"]) == (False, False, False)
    assert body["join_url"] == "https://meet.example.org/sahel"
    assert "<strong>Risk factors</strong>" in body["agenda_html"]


def test_only_the_regions_members_moderators_and_administrators_see_it(client, people):
    item = deliberation(title="Africa only")
    deliberation(region_key="europe", title="Europe only")
    assert titles(api_of(client, people["amina"])) == ["Africa only"]
    assert titles(api_of(client, people["europe"])) == ["Europe only"]
    assert titles(api_of(client, people["mod"])) == ["Africa only", "Europe only"]
    assert sorted(titles(api_of(client, people["admin"]))) == ["Africa only", "Europe only"]
    assert api_of(client, people["europe"]).get(f"/deliberations/{item.id}").status_code == 404
    assert api_of(client, people["europe"]).put(f"/deliberations/{item.id}/rsvp",
                                                json={"answer": "yes"}).status_code == 404
    assert api_of(client, people["europe"]).get(f"/deliberations/{2**63}").status_code == 404
    assert Attendance.select().count() == 0


def test_linked_threads_are_listed_only_to_those_who_may_read_them(client, people):
    item = deliberation()
    visible = make_thread(people["amina"], title="Open")
    hidden = make_thread(people["amina"], title="Hidden")
    actions.hide(people["mod"], hidden, None, "Confidential")
    for thread in (visible, hidden):
        DeliberationThread.create(deliberation=item, thread=thread)
    assert api_of(client, people["amina"]).get(
        f"/deliberations/{item.id}").get_json()["thread_ids"] == [visible.id]
    assert api_of(client, people["mod"]).get(
        f"/deliberations/{item.id}").get_json()["thread_ids"] == [visible.id, hidden.id]


def test_upcoming_and_past_split_at_each_deliberations_end_as_on_the_page(client, people):
    deliberation(title="Tomorrow", starts_at=hours(24))
    deliberation(title="Running now", starts_at=hours(-1), duration_minutes=90)
    deliberation(title="Ended an hour ago", starts_at=hours(-2), duration_minutes=60)
    deliberation(title="Last month", starts_at=hours(-24 * 30))
    deliberation(title="Next month", starts_at=hours(24 * 30))
    deliberation(title="Called off", starts_at=hours(48), cancelled_at=utcnow())
    api = api_of(client, people["amina"])
    assert titles(api) == ["Running now", "Tomorrow", "Called off", "Next month"]
    assert titles(api, when="past") == ["Ended an hour ago", "Last month"]
    assert titles(api, when="all") == ["Next month", "Called off", "Tomorrow", "Running now",
                                       "Ended an hour ago", "Last month"]
    sign_in_as(client, people["amina"])
    page = soup(client.get("/deliberations")).get_text(" ")
    for title in titles(api) + titles(api, when="past"):
        assert title in page
    assert page.index("Next month") < page.index("Ended an hour ago")


@pytest.mark.parametrize("when", ["upcoming", "past", "all"])
def test_pages_are_stable_without_repeats(client, people, when):
    for n in range(4):
        sign = -1 if when == "past" else 1
        deliberation(title=f"A{n}", starts_at=hours(sign * 24 * (n + 1)))
        deliberation(title=f"B{n}", starts_at=hours(sign * 24 * (n + 1)))  # same time: by id
    # Within the last ten hours: over or not depending on the duration.
    deliberation(title="W over", starts_at=hours(-3), duration_minutes=60)
    deliberation(title="W running", starts_at=hours(-3), duration_minutes=240)
    api = api_of(client, people["amina"])
    items, pages = all_pages(api, "/deliberations", when=when, limit=3)
    ids = [d["id"] for d in items]
    assert len(ids) == len(set(ids))
    expected = {"upcoming": 9, "past": 9, "all": 10}[when]
    assert len(ids) == expected and pages == -(-expected // 3)
    whole = api.get("/deliberations", query_string={"when": when, "limit": 100}).get_json()
    assert [d["id"] for d in whole["items"]] == ids and whole["next_cursor"] is None


def test_a_region_filter_lists_one_of_the_callers_regions(client, people):
    deliberation(title="Africa")
    deliberation(region_key="europe", title="Europe")
    api = api_of(client, people["mod"])
    assert titles(api, region="africa") == ["Africa"]
    assert titles(api, region="europe") == ["Europe"]
    for key in ("asia_pacific", "nowhere"):
        response = api.get("/deliberations", query_string={"region": key})
        assert response.status_code == 422 and "region" in response.get_json()["errors"]


@pytest.mark.parametrize("params", [{"when": "soon"}, {"limit": 0}, {"limit": 101},
                                    {"cursor": "x"}, {"colour": "red"}, {"region": ""}])
def test_bad_list_parameters_are_422(client, people, params):
    response = api_of(client, people["amina"]).get("/deliberations", query_string=params)
    assert response.status_code == 422


def test_a_cursor_of_the_upcoming_list_is_refused_for_the_past(client, people):
    for n in range(3):
        deliberation(title=f"D{n}", starts_at=hours(24 * (n + 1)))
    api = api_of(client, people["amina"])
    cursor = api.get("/deliberations", query_string={"limit": 1}).get_json()["next_cursor"]
    response = api.get("/deliberations", query_string={"when": "past", "cursor": cursor})
    assert response.status_code == 422


# --- RSVP ----------------------------------------------------------------------------------------

def test_an_answer_is_recorded_changed_and_read_back(client, people):
    item = deliberation()
    api = api_of(client, people["amina"])
    response = api.put(f"/deliberations/{item.id}/rsvp", json={"answer": "yes"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["my_answer"], response.get_json()["counts"]) == (
        "yes", {"yes": 1, "maybe": 0, "no": 0})
    api.put(f"/deliberations/{item.id}/rsvp", json={"answer": "maybe"})
    assert api.get(f"/deliberations/{item.id}").get_json()["my_answer"] == "maybe"
    listed, = api.get("/deliberations").get_json()["items"]
    assert (listed["my_answer"], listed["counts"]["maybe"]) == ("maybe", 1)
    assert [(a.member_id, a.answer) for a in Attendance.select()] == [
        (people["amina"].id, "maybe")]
    other = api_of(client, people["mod"]).get(f"/deliberations/{item.id}").get_json()
    assert (other["my_answer"], other["counts"]["maybe"]) == (None, 1)


def test_the_api_and_the_attendance_form_record_the_same_answer(client, people):
    item = deliberation()
    api_of(client, people["amina"]).put(f"/deliberations/{item.id}/rsvp", json={"answer": "no"})
    sign_in_as(client, people["amina"])
    assert "I cannot attend" in soup(client.get(f"/deliberations/{item.id}")).get_text(" ")


@pytest.mark.parametrize("body, field", [({"answer": "perhaps"}, "answer"), ({}, "answer"),
                                         ({"answer": "yes", "member_id": 1}, "member_id"),
                                         ({"answer": None}, "answer")])
def test_an_invalid_answer_is_a_422_that_writes_nothing(client, people, body, field):
    item = deliberation()
    response = api_of(client, people["amina"]).put(f"/deliberations/{item.id}/rsvp", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert Attendance.select().count() == 0


def test_a_cancelled_or_finished_deliberation_takes_no_answer(client, people):
    cancelled = deliberation(cancelled_at=utcnow())
    over = deliberation(starts_at=hours(-30))
    api = api_of(client, people["amina"])
    for item in (cancelled, over):
        response = api.put(f"/deliberations/{item.id}/rsvp", json={"answer": "yes"})
        assert response.status_code == 409
    assert Attendance.select().count() == 0


def test_a_read_token_cannot_answer(client, people):
    item = deliberation()
    reader = api_of(client, people["amina"], scope="read")
    assert reader.put(f"/deliberations/{item.id}/rsvp", json={"answer": "yes"}).status_code == 403
    assert Attendance.select().count() == 0
    assert reader.get(f"/deliberations/{item.id}").status_code == 200


# --- cost ----------------------------------------------------------------------------------------

def _many(count, members):
    rows = [{"region": region("africa").id, "title": f"D{n}", "starts_at": hours(n + 1),
             "timezone": "Africa/Dakar", "uid": f"deliberation-{uuid.uuid4()}@r2pnet"}
            for n in range(count)]
    Deliberation.insert_many(rows).execute()
    answered = Deliberation.select(Deliberation.id).where(
        Deliberation.id.not_in(Attendance.select(Attendance.deliberation)))
    Attendance.insert_many([{"deliberation": d.id, "member": m.id, "answer": "yes"}
                            for d in answered for m in members]).execute()


@pytest.mark.parametrize("when", ["upcoming", "all"])
def test_the_list_costs_the_same_queries_for_10_or_200_deliberations(client, people, when):
    api = api_of(client, people["amina"])
    api.get("/deliberations")
    members = [people["amina"], people["mod"]]
    _many(10, members)
    with QueryCounter() as small:
        shown = api.get("/deliberations", query_string={"when": when, "limit": 100})
    assert len(shown.get_json()["items"]) == 10
    _many(190, members)
    with QueryCounter() as large:
        shown = api.get("/deliberations", query_string={"when": when, "limit": 100})
    assert len(shown.get_json()["items"]) == 100
    assert small.count == large.count
