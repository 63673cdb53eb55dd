"""Outcomes: a summary and follow-up actions recorded after the session, and a draft lesson."""
import datetime as dt

import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.deliberations import services
from r2pnet.deliberations.models import Deliberation, DeliberationAction
from r2pnet.knowledge.models import Lesson
from tests.helpers import post_form, soup
from tests.signin import sign_in_as
from tests.test_deliberations import field_error, move_to_past, page_text, schedule

DUE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def moderator(client, make_member):
    member = make_member(name="Amina Diallo", role="moderator", region_key="africa",
                         moderates=("africa",), password=None)
    sign_in_as(client, member)
    return member


@pytest.fixture
def held(moderator):
    return move_to_past(schedule(moderator, agenda_md="Review the **risk register**."))


def outcome_form(owner_id="", **extra):
    form = {"summary_md": "We agreed on a **shared risk register**.",
            "action-0-description": "Circulate the register template",
            "action-0-owner": str(owner_id),
            "action-0-owner_name": "" if owner_id else "The secretariat",
            "action-0-due_on": DUE,
            "action-1-description": "Brief the AU Peace and Security Council",
            "action-1-owner": "", "action-1-owner_name": "Dr. Nkosi (AU PSC)",
            "action-1-due_on": "",
            "action-2-description": "", "action-2-owner": "", "action-2-owner_name": "",
            "action-2-due_on": ""}
    form.update(extra)
    return form


def test_the_moderator_records_an_outcome_shown_on_the_deliberation(client, moderator, held,
                                                                    make_member):
    owner = make_member(name="Kofi Boateng", region_key="africa")
    path = f"/deliberations/{held.id}/outcome"
    assert client.get(path).status_code == 200

    response = post_form(client, path, outcome_form(owner.id))

    assert response.status_code == 302
    saved = Deliberation.get_by_id(held.id)
    assert "<strong>shared risk register</strong>" in saved.outcome_html
    assert saved.outcome_by_id == moderator.id and saved.outcome_recorded_at is not None
    actions = list(DeliberationAction.select().order_by(DeliberationAction.id))
    assert [(a.description, a.owner_id, a.owner_name, a.due_on) for a in actions] == [
        ("Circulate the register template", owner.id, "", dt.date.fromisoformat(DUE)),
        ("Brief the AU Peace and Security Council", None, "Dr. Nkosi (AU PSC)", None)]
    page = soup(client.get(f"/deliberations/{held.id}"))
    table = page.find(id="actions").get_text(" ")
    assert "Kofi Boateng" in table and "Dr. Nkosi (AU PSC)" in table
    assert page.find("strong", string="shared risk register") is not None
    assert AuditEvent.get(AuditEvent.action == "deliberation_outcome").item \
        == f"deliberation:{held.id}"


def test_the_outcome_is_editable_and_rows_can_be_dropped(client, moderator, held):
    path = f"/deliberations/{held.id}/outcome"
    post_form(client, path, outcome_form())
    page = soup(client.get(path))
    assert page.find("input", attrs={"name": "action-1-owner_name"})["value"] \
        == "Dr. Nkosi (AU PSC)"
    version = page.find("input", attrs={"name": "version"})["value"]

    response = post_form(client, path, outcome_form(
        version=version, summary_md="Revised summary.",
        **{"action-0-description": "", "action-0-owner_name": "", "action-0-due_on": ""}))

    assert response.status_code == 302
    assert Deliberation.get_by_id(held.id).outcome_md == "Revised summary."
    assert [a.description for a in DeliberationAction.select()] == [
        "Brief the AU Peace and Security Council"]


@pytest.mark.parametrize("changes, field, message", [
    ({"summary_md": ""}, "summary_md", "required"),
    ({"action-0-due_on": "soon"}, "action-0-due_on", "YYYY-MM-DD"),
    ({"action-1-owner_name": ""}, "action-1-owner", "Choose an owner or type a name"),
    ({"action-0-description": ""}, "action-0-description", "required"),
])
def test_bad_outcome_input_is_refused_next_to_its_field(client, moderator, held, changes,
                                                        field, message):
    response = post_form(client, f"/deliberations/{held.id}/outcome",
                         outcome_form(**changes))

    assert response.status_code == 400
    assert message in field_error(response, field)
    assert soup(response).find("input", attrs={"name": "action-1-description"})["value"] \
        == "Brief the AU Peace and Security Council"
    assert Deliberation.get_by_id(held.id).outcome_md == ""


def test_an_owner_must_belong_to_the_region(client, moderator, held, make_member):
    stranger = make_member(region_key="europe")

    response = post_form(client, f"/deliberations/{held.id}/outcome", outcome_form(stranger.id))

    assert response.status_code == 400
    assert "among the region's members" in field_error(response, "action-0-owner")
    assert DeliberationAction.select().count() == 0


def test_no_outcome_before_the_session_or_for_a_cancelled_one(client, moderator):
    future = schedule(moderator)
    response = post_form(client, f"/deliberations/{future.id}/outcome", outcome_form())
    assert response.status_code == 400
    assert "once the deliberation has started" in page_text(response)
    assert Deliberation.get_by_id(future.id).outcome_md == ""

    cancelled = schedule(moderator)
    services.cancel_deliberation(moderator, cancelled)
    cancelled = move_to_past(cancelled)
    response = post_form(client, f"/deliberations/{cancelled.id}/outcome", outcome_form())
    assert response.status_code == 400
    assert "cancelled deliberation has no outcome" in page_text(response)


def test_two_outcome_editors_the_second_gets_a_conflict(app, moderator, held, make_member):
    admin = make_member(role="administrator", password=None)
    one, two = app.test_client(), app.test_client()
    sign_in_as(one, moderator)
    sign_in_as(two, admin)
    path = f"/deliberations/{held.id}/outcome"
    version = soup(one.get(path)).find("input", attrs={"name": "version"})["value"]
    assert post_form(two, path, outcome_form(version=version,
                                             summary_md="By the admin")).status_code == 302

    late = post_form(one, path, outcome_form(version=version, summary_md="By Amina"))

    assert late.status_code == 409
    assert soup(late).find("textarea", attrs={"name": "summary_md"}).get_text() == "By Amina"
    assert Deliberation.get_by_id(held.id).outcome_md == "By the admin"


def test_the_outcome_becomes_a_draft_lesson_of_the_region(client, moderator, held,
                                                          make_member):
    owner = make_member(name="Kofi Boateng", region_key="africa")
    post_form(client, f"/deliberations/{held.id}/outcome", outcome_form(owner.id))

    response = post_form(client, f"/deliberations/{held.id}/lesson", {},
                         csrf_from=f"/deliberations/{held.id}")

    lesson = Lesson.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lessons/{lesson.id}/edit"
    assert not lesson.is_published and lesson.author_id == moderator.id
    assert lesson.visibility == "region" and lesson.region_id == held.region_id
    assert lesson.title == held.title
    assert lesson.summary == "We agreed on a shared risk register."
    assert "Circulate the register template (Kofi Boateng, due" in lesson.outcome_md
    assert "Dr. Nkosi (AU PSC)" in lesson.outcome_md
    assert "risk register" in lesson.context_md
    assert client.get(f"/lessons/{lesson.id}/edit").status_code == 200


def test_no_lesson_without_an_outcome(client, moderator, held):
    response = post_form(client, f"/deliberations/{held.id}/lesson", {},
                         csrf_from=f"/deliberations/{held.id}")
    assert response.status_code == 302
    assert Lesson.select().count() == 0
