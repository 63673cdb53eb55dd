"""A moderator of one region can do none of the moderator actions in another region."""
import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.deliberations import services
from r2pnet.deliberations.outcomes import record_outcome
from r2pnet.deliberations.models import Cadence, Deliberation, DeliberationAction, WeeklyQuestion
from r2pnet.deliberations.schemas import load_outcome
from r2pnet.knowledge.models import Lesson
from tests.helpers import post_form, region, soup
from tests.signin import sign_in_as
from tests.test_deliberations import FORM, move_to_past, schedule
from werkzeug.datastructures import MultiDict

AUDITED = ("deliberation_scheduled", "deliberation_changed", "deliberation_cancelled",
           "deliberation_outcome", "cadence_changed", "question_set", "lesson_created")


@pytest.fixture
def africa(make_member):
    """An African moderator's upcoming deliberation and a held one with an outcome."""
    moderator = make_member(role="moderator", region_key="africa", moderates=("africa",),
                            password=None)
    upcoming = schedule(moderator, title="Upcoming in Africa")
    held = move_to_past(schedule(moderator, title="Held in Africa"))
    data, errors, _ = load_outcome(MultiDict({"summary_md": "Agreed.", "version": "1"}))
    assert not errors
    record_outcome(moderator, held, data)
    AuditEvent.delete().execute()
    return upcoming, Deliberation.get_by_id(held.id)


# Europe's moderator, living in Europe (cannot even read Africa's deliberations), or living in
# Africa (reads them as a member, but runs only Europe).
@pytest.fixture(params=["europe", "africa"], ids=["lives-in-europe", "lives-in-africa"])
def european_moderator(request, client, make_member):
    member = make_member(role="moderator", region_key=request.param, moderates=("europe",),
                         password=None)
    sign_in_as(client, member)
    return member


def _deliberation_refusal(member):
    return 404 if member.region_id == region("europe").id else 403


def _nothing_changed(upcoming, held):
    now = Deliberation.get_by_id(upcoming.id)
    assert (now.title, now.starts_at, now.version, now.sequence, now.cancelled_at) == (
        upcoming.title, upcoming.starts_at, upcoming.version, upcoming.sequence, None)
    assert Deliberation.get_by_id(held.id).outcome_md == "Agreed."
    assert DeliberationAction.select().count() == 0
    assert Deliberation.select().count() == 2
    assert Lesson.select().count() == 0
    assert Cadence.select().count() == 0 and WeeklyQuestion.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.action << AUDITED).count() == 0


def test_cannot_open_the_edit_form(client, africa, european_moderator):
    upcoming, held = africa
    assert client.get(f"/deliberations/{upcoming.id}/edit").status_code \
        == _deliberation_refusal(european_moderator)


def test_cannot_edit(client, africa, european_moderator):
    upcoming, held = africa
    form = dict(FORM, title="Hijacked", version=str(upcoming.version))
    response = post_form(client, f"/deliberations/{upcoming.id}/edit", form,
                         csrf_from="/deliberations")
    assert response.status_code == _deliberation_refusal(european_moderator)
    _nothing_changed(upcoming, held)


def test_cannot_cancel(client, africa, european_moderator):
    upcoming, held = africa
    response = post_form(client, f"/deliberations/{upcoming.id}/cancel", {"reason": "no"},
                         csrf_from="/deliberations")
    assert response.status_code == _deliberation_refusal(european_moderator)
    _nothing_changed(upcoming, held)


def test_cannot_open_the_outcome_form(client, africa, european_moderator):
    upcoming, held = africa
    assert client.get(f"/deliberations/{held.id}/outcome").status_code \
        == _deliberation_refusal(european_moderator)


def test_cannot_record_an_outcome(client, africa, european_moderator):
    upcoming, held = africa
    form = {"summary_md": "Overwritten", "version": str(held.version),
            "action-0-description": "Do something", "action-0-owner_name": "Someone"}
    response = post_form(client, f"/deliberations/{held.id}/outcome", form,
                         csrf_from="/deliberations")
    assert response.status_code == _deliberation_refusal(european_moderator)
    _nothing_changed(upcoming, held)


def test_cannot_turn_an_outcome_into_a_lesson(client, africa, european_moderator):
    upcoming, held = africa
    response = post_form(client, f"/deliberations/{held.id}/lesson", {},
                         csrf_from="/deliberations")
    assert response.status_code == _deliberation_refusal(european_moderator)
    _nothing_changed(upcoming, held)


def test_cannot_open_the_scheduling_form_for_the_region(client, africa, european_moderator):
    assert client.get(f"/deliberations/new?region={region('africa').id}").status_code == 403


def test_cannot_schedule_in_the_region(client, africa, european_moderator):
    upcoming, held = africa
    form = dict(FORM, region_id=str(region("africa").id))
    response = post_form(client, "/deliberations/new", form, csrf_from="/deliberations/new")
    assert response.status_code == 403
    _nothing_changed(upcoming, held)


def test_cannot_set_the_cadence(client, africa, european_moderator):
    upcoming, held = africa
    response = post_form(client, f"/regions/{region('africa').id}/cadence",
                         {"every_days": "14"}, csrf_from="/moderation/regions")
    assert response.status_code == 403
    _nothing_changed(upcoming, held)


def test_cannot_set_the_question_of_the_week(client, africa, european_moderator):
    upcoming, held = africa
    response = post_form(client, f"/regions/{region('africa').id}/question",
                         {"text": "Whose question?"}, csrf_from="/moderation/regions")
    assert response.status_code == 403
    _nothing_changed(upcoming, held)


def test_does_not_see_who_answered_nor_the_region_on_the_dashboard(
        client, africa, european_moderator, make_member):
    upcoming, held = africa
    services.set_attendance(make_member(name="Kofi Boateng", region_key="africa"), upcoming,
                            "yes")
    page = client.get(f"/deliberations/{upcoming.id}")
    if european_moderator.region_id == region("africa").id:
        main = soup(page).find("main")
        assert main.find(id="who-answered") is None and "Kofi Boateng" not in main.get_text()
        assert main.find("a", href=f"/deliberations/{upcoming.id}/edit") is None
    else:
        assert page.status_code == 404
    dashboard = soup(client.get("/moderation/regions"))
    assert [tr["data-region"] for tr in dashboard.select("#region-dashboard tbody tr")] \
        == ["europe"]


def test_a_member_may_do_no_moderator_action(client, africa, make_member):
    upcoming, held = africa
    sign_in_as(client, make_member(region_key="africa", password=None))
    assert client.get(f"/deliberations/{upcoming.id}/edit").status_code == 403
    assert client.get(f"/deliberations/{held.id}/outcome").status_code == 403
    assert client.get("/deliberations/new").status_code == 403
    assert client.get("/moderation/regions").status_code == 403
    assert post_form(client, f"/regions/{region('africa').id}/cadence", {"every_days": "14"},
                     csrf_from="/deliberations").status_code == 403
    _nothing_changed(upcoming, held)
