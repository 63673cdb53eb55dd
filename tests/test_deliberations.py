"""Scheduling deliberations, reading them in one's own time zone, attendance, edits, cancelling."""
import datetime as dt

import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.deliberations import services
from r2pnet.deliberations.models import Attendance, Deliberation
from r2pnet.deliberations.schemas import DeliberationSchema
from r2pnet.discussions.models import Post, Thread
from r2pnet.extensions import db
from r2pnet.members.models import utcnow
from tests.helpers import post_form, region, soup, text_of
from tests.signin import sign_in_as

NEXT_YEAR = dt.date.today().year + 1


def last_sunday(year, month):
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


# A summer afternoon in Berlin: 14:00 CEST is 12:00 UTC.
SUMMER_DAY = dt.date(NEXT_YEAR, 7, 7)

FORM = {
    "title": "Early warning in the Sahel",
    "agenda_md": "1. **Risk factors** of the quarter\n2. Next steps",
    "date": SUMMER_DAY.isoformat(), "time": "14:00", "timezone": "Europe/Berlin",
    "duration_minutes": "90", "join_url": "https://meet.example.org/sahel",
    "location": "", "threads": "", "lessons": "",
}


def page_text(response):
    return " ".join(soup(response).find("main").get_text(" ").split())


def field_error(response, name):
    node = soup(response).find(id=f"{name}-error")
    return node.get_text(" ", strip=True) if node else ""


def schedule(moderator, region_key="africa", **fields):
    """A deliberation scheduled through the service (as the form would)."""
    form = dict(FORM, region_id=str(region(region_key).id), **fields)
    data = DeliberationSchema().load(form)
    with db.connection_context():
        return services.schedule_deliberation(moderator, data)


def move_to_past(deliberation, days=1):
    """Pretend the deliberation took place `days` ago."""
    starts_at = utcnow().replace(second=0, microsecond=0) - dt.timedelta(days=days)
    Deliberation.update(starts_at=starts_at).where(Deliberation.id == deliberation.id).execute()
    return Deliberation.get_by_id(deliberation.id)


def make_thread(author, region_key="africa", title="A thread", **fields):
    thread = Thread.create(region=region(region_key) if region_key else None, author=author,
                           title=title, **fields)
    Post.create(thread=thread, author=author, number=1, body_md="Opening", body_html="<p>Op</p>")
    return thread


@pytest.fixture
def moderator(client, make_member):
    member = make_member(email="amina@example.org", name="Amina Diallo", role="moderator",
                         region_key="africa", moderates=("africa",), password=None,
                         timezone="Africa/Dakar")
    sign_in_as(client, member)
    return member


# --- scheduling --------------------------------------------------------------------------------

def test_a_moderator_schedules_a_deliberation_stored_in_utc_with_its_zone(client, moderator,
                                                                          mailbox):
    response = post_form(client, "/deliberations/new",
                         dict(FORM, region_id=str(region("africa").id)),
                         csrf_from="/deliberations/new")

    assert response.status_code == 302
    deliberation = Deliberation.get()
    assert response.headers["Location"] == f"/deliberations/{deliberation.id}"
    assert deliberation.starts_at == dt.datetime.combine(SUMMER_DAY, dt.time(12, 0))
    assert deliberation.timezone == "Europe/Berlin"
    assert deliberation.uid.startswith("deliberation-") and deliberation.uid.endswith("@r2pnet")
    assert deliberation.sequence == 0 and deliberation.created_by_id == moderator.id
    assert "<strong>Risk factors</strong>" in deliberation.agenda_html
    event = AuditEvent.get(AuditEvent.action == "deliberation_scheduled")
    assert event.region_id == region("africa").id
    assert event.item == f"deliberation:{deliberation.id}" and event.actor_id == moderator.id


def test_the_form_defaults_to_the_moderators_zone_and_the_asked_region(client, make_member):
    member = make_member(role="moderator", moderates=("africa", "europe"), password=None,
                         timezone="Europe/Paris")
    sign_in_as(client, member)

    page = soup(client.get(f"/deliberations/new?region={region('europe').id}"))

    assert page.find("select", id="timezone").find("option", selected=True)["value"] \
        == "Europe/Paris"
    assert page.find("select", id="region_id").find("option", selected=True)["value"] \
        == str(region("europe").id)


def test_members_see_the_time_in_their_zone_and_the_organisers(client, moderator, make_member):
    deliberation = schedule(moderator)
    reader = make_member(region_key="africa", timezone="America/New_York", password=None)
    sign_in_as(client, reader)

    response = client.get(f"/deliberations/{deliberation.id}")

    assert response.status_code == 200
    page = soup(response)
    assert "08:00" in page.find(id="when").get_text()  # 12:00 UTC is 08:00 EDT
    assert "EDT" in page.find(id="when").get_text()
    assert "14:00 Europe/Berlin" in page.find(id="organiser-time").get_text()
    assert page.find("a", href="https://meet.example.org/sahel") is not None
    assert page.find("strong", string="Risk factors") is not None


@pytest.mark.parametrize("changes, field, message", [
    ({"date": last_sunday(NEXT_YEAR, 3).isoformat(), "time": "02:30"}, "time", "does not exist"),
    ({"date": last_sunday(NEXT_YEAR, 10).isoformat(), "time": "02:30"}, "time", "happens twice"),
    ({"date": (dt.date.today() - dt.timedelta(days=1)).isoformat()}, "date", "in the future"),
    ({"date": "07/07/2027"}, "date", "YYYY-MM-DD"),
    ({"time": "25:00"}, "time", "HH:MM"),
    ({"timezone": "Mars/Olympus"}, "timezone", "from the list"),
    ({"duration_minutes": "5"}, "duration_minutes", "15 to 600"),
    ({"duration_minutes": "601"}, "duration_minutes", "15 to 600"),
    ({"join_url": "javascript:alert(1)"}, "join_url", "https://"),
    ({"join_url": "", "location": ""}, "location", "a link to join, a place, or both"),
    ({"title": ""}, "title", "required"),
    ({"threads": "twelve"}, "threads", "numbers or links"),
    ({"threads": "999999"}, "threads", "does not exist or you may not read it"),
    ({"lessons": "/lessons/999999"}, "lessons", "does not exist or you may not read it"),
])
def test_bad_input_is_refused_next_to_its_field_with_the_form_refilled(
        client, moderator, changes, field, message):
    form = dict(FORM, region_id=str(region("africa").id), **changes)

    response = post_form(client, "/deliberations/new", form, csrf_from="/deliberations/new")

    assert response.status_code == 400
    assert message in field_error(response, field)
    page = soup(response)
    assert page.find("input", attrs={"name": "title"})["value"] == form["title"]
    assert page.find("textarea", attrs={"name": "agenda_md"}).get_text() == FORM["agenda_md"]
    assert Deliberation.select().count() == 0


def test_a_place_without_a_link_is_enough(client, moderator):
    form = dict(FORM, region_id=str(region("africa").id), join_url="",
                location="AU Commission, Addis Ababa")
    assert post_form(client, "/deliberations/new", form,
                     csrf_from="/deliberations/new").status_code == 302
    assert Deliberation.get().location == "AU Commission, Addis Ababa"


def test_members_of_the_region_are_mailed_in_their_own_zone(client, moderator, make_member,
                                                           mailbox):
    tokyo = make_member(email="kenji@example.org", region_key="africa", timezone="Asia/Tokyo")
    outsider = make_member(email="olga@example.org", region_key="europe")
    gone = make_member(email="gone@example.org", region_key="africa", disabled_at=utcnow())

    deliberation = schedule(moderator)

    msg = mailbox.last_to(tokyo.email)
    body = text_of(msg)
    assert "Deliberation scheduled: Early warning in the Sahel" in msg["Subject"]
    assert "21:00" in body and "Asia/Tokyo" in body  # 12:00 UTC
    assert "14:00 Europe/Berlin" in body
    assert f"http://r2pnet.test/deliberations/{deliberation.id}.ics" in body
    assert f"http://r2pnet.test/deliberations/{deliberation.id}\r\n" in body
    addressed = " ".join(str(m["To"]) for m in mailbox.messages)
    assert outsider.email not in addressed and gone.email not in addressed


# --- linked threads and lessons ----------------------------------------------------------------

def test_linked_items_show_only_to_those_who_may_read_them(client, moderator, make_member,
                                                           make_lesson):
    open_thread = make_thread(moderator, title="Election violence early signs")
    hidden = make_thread(moderator, title="Hidden complaint", is_hidden=True)
    draft = make_lesson(moderator, title="Unpublished draft lesson", publish=False)
    public = make_lesson(moderator, title="Published lesson on media")
    deliberation = schedule(moderator, threads=f"{open_thread.id}, /threads/{hidden.id}",
                            lessons=f"https://r2pnet.test/lessons/{draft.id} #{public.id}")

    moderator_view = page_text(client.get(f"/deliberations/{deliberation.id}"))
    assert "Hidden complaint" in moderator_view and "Unpublished draft lesson" in moderator_view

    sign_in_as(client, make_member(region_key="africa", password=None))
    member_view = page_text(client.get(f"/deliberations/{deliberation.id}"))
    assert "Election violence early signs" in member_view
    assert "Published lesson on media" in member_view
    assert "Hidden complaint" not in member_view
    assert "Unpublished draft lesson" not in member_view


def test_a_moderator_cannot_link_what_they_may_not_read(client, moderator, make_member):
    europe_thread = make_thread(make_member(region_key="europe"), region_key="europe",
                                title="Secret European thread")
    form = dict(FORM, region_id=str(region("africa").id), threads=str(europe_thread.id))

    response = post_form(client, "/deliberations/new", form, csrf_from="/deliberations/new")

    assert response.status_code == 400
    assert "does not exist or you may not read it" in field_error(response, "threads")
    assert "Secret European thread" not in response.get_data(as_text=True)


# --- reading and listing -----------------------------------------------------------------------

def test_the_list_shows_upcoming_first_then_past_and_cancelled_ones(client, moderator):
    later = schedule(moderator, title="Later one", date=(SUMMER_DAY + dt.timedelta(days=7))
                     .isoformat())
    sooner = schedule(moderator, title="Sooner one")
    cancelled = schedule(moderator, title="Called off")
    services.cancel_deliberation(moderator, cancelled)
    held = move_to_past(schedule(moderator, title="Held last week"), days=7)
    older = move_to_past(schedule(moderator, title="Held long ago"), days=60)

    response = client.get("/deliberations")

    assert response.status_code == 200
    page = soup(response)
    upcoming = [int(li["data-id"]) for li in page.find(id="h-upcoming").parent
                .select(".deliberation-item")]
    past = [int(li["data-id"]) for li in page.find(id="h-past").parent
            .select(".deliberation-item")]
    assert upcoming == [sooner.id, cancelled.id, later.id]
    assert past == [held.id, older.id]
    item = page.find("li", attrs={"data-id": str(cancelled.id)})
    assert "Cancelled" in item.get_text()


def test_members_see_only_their_regions_and_may_filter(client, make_member):
    both = make_member(role="moderator", region_key="africa", moderates=("africa", "europe"),
                       password=None)
    africa = schedule(both, title="African deliberation")
    europe = schedule(both, "europe", title="European deliberation")
    sign_in_as(client, both)
    filtered = page_text(client.get(f"/deliberations?region={region('africa').id}"))
    assert "African deliberation" in filtered and "European deliberation" not in filtered

    member = make_member(region_key="europe", password=None)
    sign_in_as(client, member)
    listed = page_text(client.get("/deliberations"))
    assert "European deliberation" in listed and "African deliberation" not in listed
    assert client.get(f"/deliberations/{africa.id}").status_code == 404
    assert client.get(f"/deliberations/{africa.id}.ics").status_code == 404
    assert client.get(f"/deliberations/{europe.id}").status_code == 200
    assert client.get(f"/deliberations?region={region('africa').id}").status_code == 400


@pytest.mark.parametrize("path", ["/deliberations/999999", "/deliberations/999999.ics",
                                  "/deliberations/99999999999999999999999",
                                  "/deliberations/0/edit"])
def test_unknown_deliberations_are_404(client, moderator, path):
    assert client.get(path).status_code == 404


def test_deliberation_pages_need_sign_in(client, moderator):
    deliberation = schedule(moderator)
    anonymous = client.application.test_client()
    for path in ("/deliberations", f"/deliberations/{deliberation.id}",
                 f"/deliberations/{deliberation.id}.ics", "/moderation/regions"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


# --- attendance --------------------------------------------------------------------------------

def test_members_answer_change_their_answer_and_moderators_see_who(client, moderator,
                                                                  make_member):
    deliberation = schedule(moderator)
    member = make_member(name="Kofi Boateng", region_key="africa", password=None)
    sign_in_as(client, member)
    path = f"/deliberations/{deliberation.id}"

    assert post_form(client, f"{path}/attendance", {"answer": "maybe"},
                     csrf_from=path).status_code == 302
    assert post_form(client, f"{path}/attendance", {"answer": "yes"},
                     csrf_from=path).status_code == 302

    assert Attendance.select().count() == 1 and Attendance.get().answer == "yes"
    member_page = soup(client.get(path))
    assert "1 attending" in member_page.find(id="attendance-counts").get_text()
    assert member_page.find(id="who-answered") is None
    assert "Kofi Boateng" not in member_page.find("main").get_text()

    sign_in_as(client, moderator)
    who = soup(client.get(path)).find(id="who-answered").get_text()
    assert "Kofi Boateng: I will attend" in who


def test_a_tampered_answer_is_a_400_and_answers_close_when_cancelled(client, moderator):
    deliberation = schedule(moderator)
    path = f"/deliberations/{deliberation.id}"
    response = post_form(client, f"{path}/attendance", {"answer": "perhaps"}, csrf_from=path)
    assert response.status_code == 400
    assert "yes, maybe or no" in field_error(response, "answer")

    services.cancel_deliberation(moderator, deliberation)
    post_form(client, f"{path}/attendance", {"answer": "yes"}, csrf_from=path)
    assert Attendance.select().count() == 0


# --- editing and cancelling --------------------------------------------------------------------

def _version(response):
    return soup(response).find("input", attrs={"name": "version"})["value"]


def _edit_form(response):
    page = soup(response)
    values = {tag["name"]: tag.get("value", "") for tag in page.select("form input[name]")
              if tag["name"] != "csrf_token"}
    values.update({tag["name"]: tag.get_text() for tag in page.select("form textarea[name]")})
    for tag in page.select("form select[name]"):
        chosen = tag.find("option", selected=True)
        values[tag["name"]] = chosen["value"] if chosen else ""
    return values


def test_moving_a_deliberation_bumps_the_sequence_and_mails_the_members(
        client, moderator, make_member, mailbox):
    deliberation = schedule(moderator)
    reader = make_member(email="reader@example.org", region_key="africa")
    path = f"/deliberations/{deliberation.id}/edit"
    form = _edit_form(client.get(path))
    assert form["date"] == SUMMER_DAY.isoformat() and form["time"] == "14:00"
    mailbox.clear()

    response = post_form(client, path, dict(form, time="16:30"))

    assert response.status_code == 302
    saved = Deliberation.get_by_id(deliberation.id)
    assert saved.starts_at == dt.datetime.combine(SUMMER_DAY, dt.time(14, 30))
    assert saved.sequence == 1 and saved.version == 2 and saved.uid == deliberation.uid
    assert saved.updated_at > deliberation.updated_at
    msg = mailbox.last_to(reader.email)
    assert "Deliberation moved" in msg["Subject"] and "16:30 Europe/Berlin" in text_of(msg)
    assert AuditEvent.get(AuditEvent.action == "deliberation_changed").region_id \
        == region("africa").id


def test_a_title_change_bumps_the_sequence_without_mail(client, moderator, make_member,
                                                      mailbox):
    deliberation = schedule(moderator)
    make_member(email="reader@example.org", region_key="africa")
    path = f"/deliberations/{deliberation.id}/edit"
    mailbox.clear()

    assert post_form(client, path, dict(_edit_form(client.get(path)),
                                        title="Early warning, revised")).status_code == 302

    saved = Deliberation.get_by_id(deliberation.id)
    assert saved.title == "Early warning, revised" and saved.sequence == 1
    assert not [m for m in mailbox.messages if "reader@" in str(m["To"])]


def test_two_editors_the_second_gets_a_conflict_with_their_text_kept(app, moderator,
                                                                     make_member):
    deliberation = schedule(moderator)
    admin = make_member(role="administrator", password=None)
    one, two = app.test_client(), app.test_client()
    sign_in_as(one, moderator)
    sign_in_as(two, admin)
    path = f"/deliberations/{deliberation.id}/edit"
    first, second = _edit_form(one.get(path)), _edit_form(two.get(path))

    assert post_form(two, path, dict(second, title="Set by the administrator")).status_code \
        == 302
    late = post_form(one, path, dict(first, title="Typed by Amina"))

    assert late.status_code == 409
    assert "Someone else saved this deliberation" in page_text(late)
    assert soup(late).find("input", attrs={"name": "title"})["value"] == "Typed by Amina"
    assert Deliberation.get_by_id(deliberation.id).title == "Set by the administrator"
    again = post_form(one, path, dict(first, title="Typed by Amina", version=_version(late)))
    assert again.status_code == 302
    assert Deliberation.get_by_id(deliberation.id).title == "Typed by Amina"


def test_cancelling_keeps_it_listed_mails_the_members_and_closes_edits(
        client, moderator, make_member, mailbox):
    deliberation = schedule(moderator)
    reader = make_member(email="reader@example.org", region_key="africa")
    path = f"/deliberations/{deliberation.id}"

    response = post_form(client, f"{path}/cancel", {"reason": "The chair is ill."},
                         csrf_from=path)

    assert response.status_code == 302
    saved = Deliberation.get_by_id(deliberation.id)
    assert saved.cancelled_at is not None and saved.sequence == 1
    msg = mailbox.last_to(reader.email)
    assert "Deliberation cancelled" in msg["Subject"] and "The chair is ill." in text_of(msg)
    assert AuditEvent.get(AuditEvent.action == "deliberation_cancelled").reason \
        == "The chair is ill."
    assert "was cancelled" in page_text(client.get(path))
    assert client.get(f"{path}/edit").headers["Location"] == path
    edit = post_form(client, f"{path}/edit", dict(FORM, version=str(saved.version)),
                     csrf_from=path)
    assert edit.status_code == 400 and "cancelled" in page_text(edit)
    assert Deliberation.get_by_id(deliberation.id).title == FORM["title"]


def test_a_deliberation_that_started_cannot_be_cancelled(client, moderator):
    deliberation = move_to_past(schedule(moderator))
    path = f"/deliberations/{deliberation.id}"

    post_form(client, f"{path}/cancel", {}, csrf_from=path)

    assert Deliberation.get_by_id(deliberation.id).cancelled_at is None
