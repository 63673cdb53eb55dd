"""The question of the week: set by a region's moderators, shown on its space and digest."""
import pytest
from bs4 import BeautifulSoup
from flask import render_template_string
from flask_login import login_user

from r2pnet.audit.models import AuditEvent
from r2pnet.deliberations import services
from r2pnet.deliberations.reading import upcoming_for_region
from r2pnet.deliberations.regional import current_question, set_weekly_question
from r2pnet.deliberations.models import WeeklyQuestion
from tests.helpers import post_form, region, soup
from tests.signin import sign_in_as
from tests.test_deliberations import make_thread, schedule


@pytest.fixture
def moderator(client, make_member):
    member = make_member(role="moderator", region_key="africa", moderates=("africa",),
                         password=None)
    sign_in_as(client, member)
    return member


def ask(client, text, thread="", next_page=None):
    form = {"text": text, "thread": thread}
    if next_page:
        form["next"] = next_page
    return post_form(client, f"/regions/{region('africa').id}/question", form,
                     csrf_from="/moderation/regions")


def render_as(app, member, template, **context):
    with app.test_request_context("/regions/africa"):
        login_user(member)
        html = render_template_string('{% include "' + template + '" %}', **context)
    return BeautifulSoup(html, "html.parser")


def test_a_moderator_asks_and_the_latest_question_is_current(client, moderator):
    assert current_question(region("africa").id) is None

    response = ask(client, "How do you brief parliament on early warning?")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/regions"
    ask(client, "Which training worked best for your officials?")

    current = current_question(region("africa").id)
    assert current.text == "Which training worked best for your officials?"
    assert current.asked_by_id == moderator.id and current.thread_id is None
    assert current_question(region("europe").id) is None
    event = AuditEvent.select().where(AuditEvent.action == "question_set").order_by(
        AuditEvent.id.desc()).first()
    assert event.region_id == region("africa").id and "training" in event.detail
    section = soup(client.get("/moderation/regions")).find(id="settings-africa")
    assert "Which training worked best" in section.get_text()


def test_the_question_may_point_to_a_thread_of_the_region_or_the_network(client, moderator):
    regional = make_thread(moderator, title="Parliament briefings")
    network = make_thread(moderator, region_key=None, title="Network-wide")

    assert ask(client, "Join the thread", thread=f"/threads/{regional.id}").status_code == 302
    assert current_question(region("africa").id).thread_id == regional.id
    assert ask(client, "Or this one", thread=str(network.id)).status_code == 302
    assert current_question(region("africa").id).thread_id == network.id


def test_a_thread_of_another_region_is_refused(client, moderator, make_member):
    europe = make_thread(make_member(region_key="europe"), region_key="europe",
                         title="European secrets")

    response = ask(client, "Look at this", thread=str(europe.id))

    assert response.status_code == 400
    section = soup(response).find(id="settings-africa")
    assert "not in this region's space" in section.find(id="thread-error").get_text()
    assert section.find("textarea", attrs={"name": "text"}).get_text() == "Look at this"
    assert "European secrets" not in response.get_data(as_text=True)
    assert WeeklyQuestion.select().count() == 0


@pytest.mark.parametrize("text, thread, field, message", [
    ("", "", "text", "required"),
    ("x" * 501, "", "text", "1 to 500"),
    ("A question", "a thread", "thread", "numbers or links"),
    ("A question", "1, 2", "thread", "one thread at most"),
])
def test_bad_questions_are_refused_next_to_the_field(client, moderator, text, thread, field,
                                                     message):
    response = ask(client, text, thread)
    assert response.status_code == 400
    error = soup(response).find(id="settings-africa").find(id=f"{field}-error")
    assert message in error.get_text()
    assert WeeklyQuestion.select().count() == 0


def test_after_asking_the_moderator_returns_to_the_page_they_came_from(client, moderator):
    assert ask(client, "Q1", next_page="/regions/africa").headers["Location"] \
        == "/regions/africa"
    assert ask(client, "Q2", next_page="https://evil.example/").headers["Location"] \
        == "/moderation/regions"


def test_the_space_partial_shows_the_question_and_the_form_to_moderators(app, moderator,
                                                                         make_member):
    thread = make_thread(moderator, title="Parliament briefings")
    question = set_weekly_question(moderator, region("africa").id,
                                            "How do you brief parliament?", thread.id)
    member = make_member(region_key="africa")
    africa = region("africa")

    as_member = render_as(app, member, "deliberations/_question.html", question=question,
                          region=africa)
    assert "How do you brief parliament?" in as_member.get_text()
    assert as_member.find("a", href=f"/threads/{thread.id}") is not None
    assert as_member.find("form") is None

    as_moderator = render_as(app, moderator, "deliberations/_question.html", question=None,
                             region=africa)
    assert as_moderator.find("form")["action"] == f"/regions/{africa.id}/question"
    assert as_moderator.find("input", attrs={"name": "next"})["value"] == "/regions/africa"

    nothing = render_as(app, member, "deliberations/_question.html", question=None,
                        region=africa)
    assert nothing.get_text().strip() == ""


def test_a_hidden_thread_is_not_shown_with_the_question(app, moderator, make_member):
    thread = make_thread(moderator, title="Hidden thread title")
    question = set_weekly_question(moderator, region("africa").id, "Q?", thread.id)
    thread.is_hidden = True
    thread.save()

    page = render_as(app, make_member(region_key="africa"), "deliberations/_question.html",
                     question=question, region=region("africa"))

    assert "Q?" in page.get_text() and "Hidden thread title" not in page.get_text()


def test_the_upcoming_partial_lists_the_next_visible_deliberations(app, moderator,
                                                                   make_member):
    first = schedule(moderator, title="First", time="09:00")
    second = schedule(moderator, title="Second", time="10:00")
    schedule(moderator, title="Third", time="11:00")
    schedule(moderator, title="Fourth", time="12:00")
    services.cancel_deliberation(moderator, second)
    schedule(moderator, title="Fifth", time="13:00")
    member = make_member(region_key="africa")
    outsider = make_member(region_key="europe")

    upcoming = upcoming_for_region(member, region("africa").id)
    assert [d.title for d in upcoming] == ["First", "Third", "Fourth"]
    assert upcoming_for_region(outsider, region("africa").id) == []

    page = render_as(app, member, "deliberations/_upcoming.html", upcoming=upcoming)
    assert page.find("a", href=f"/deliberations/{first.id}").get_text() == "First"
    assert "Europe/Berlin" in page.get_text()
    assert render_as(app, member, "deliberations/_upcoming.html",
                     upcoming=[]).get_text().strip() == ""
