"""A lesson's history: readers see every revision and what changed between two of them."""
import io

import pytest

from r2pnet.extensions import db
from r2pnet.knowledge import attachments
from r2pnet.knowledge.services import update_lesson
from r2pnet.members.models import Member
from tests.conftest import LESSON_DEFAULTS
from tests.helpers import live_markup, region, soup
from tests.signin import sign_in_as

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "onerror": "<img src=x onerror=alert(1)>",
    "javascript link": '<a href="javascript:alert(1)">click</a>',
    "svg": "<svg onload=alert(1)>",
    "attribute breakout": '"><script>alert(1)</script>',
}


def edit(editor, lesson, **fields):
    """Save an edit through the service, as the edit form does."""
    with db.connection_context():
        current = type(lesson).get_by_id(lesson.id)
        data = dict(LESSON_DEFAULTS, title=current.title, summary=current.summary,
                    practice_md=current.practice_md, region_id=current.region_id,
                    visibility=current.visibility, attribution=current.attribution,
                    country=current.country, version=current.version, publish=False)
        data.update(fields)
        return update_lesson(editor, current, data)


def history_rows(response):
    table = soup(response).find("table")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in table.find("tbody").find_all("tr")]


def diff_section(response):
    section = soup(response).find("section", attrs={"aria-labelledby": "h-diff"})
    assert section is not None, response.get_data(as_text=True)
    return section


def changed_words(section, tag):
    """The words marked as changed inside removed ("del") or added ("ins") lines."""
    return [strong.get_text().strip() for line in section.find_all(tag)
            for strong in line.find_all("strong")]


def field_headings(section):
    return [heading.get_text(strip=True) for heading in section.find_all("h3")]


@pytest.fixture
def author(app, make_member):
    member = make_member(email="ama@example.org", name="Ama Mensah", password=None,
                         region_key="africa")
    return member, sign_in_as(app.test_client(), member)


@pytest.fixture
def reader(app, make_member):
    return sign_in_as(app.test_client(), make_member(name="Rui Reader", password=None,
                                                     region_key="africa"))


@pytest.fixture
def lesson(author, make_lesson):
    return make_lesson(author[0], region_key="africa",
                       practice_md="We trained ten judges in the capital.\n\nIt took a year.")


def test_a_reader_sees_every_revision_with_its_editor_date_and_note(app, author, lesson,
                                                                     reader, make_member):
    moderator = make_member(name="Mo Moderator", role="moderator", region_key="europe",
                            moderates=["africa"], password=None)
    edit(author[0], lesson, title="Early-warning desk, second year")
    edit(moderator, lesson, summary="A desk that reads the Framework every month.")
    response = reader.get(f"/lessons/{lesson.id}/revisions")
    assert response.status_code == 200
    rows = history_rows(response)
    assert [row[0] for row in rows] == ["3", "2", "1"]
    assert [row[1] for row in rows] == ["Mo Moderator", "Ama Mensah", "Ama Mensah"]
    assert [row[3] for row in rows] == ["edited", "edited", "published"]
    assert all(row[2].endswith("UTC") for row in rows)
    links = [a for a in soup(response).find("table").find_all("a")
             if a.get_text().startswith("Changes")]
    assert [a["href"] for a in links] == [f"/lessons/{lesson.id}/revisions?from=2&to=3",
                                          f"/lessons/{lesson.id}/revisions?from=1&to=2"]
    assert links[0].get_text() == "Changes in revision 3"


def test_the_diff_marks_the_changed_words_of_a_section(app, author, lesson, reader):
    edit(author[0], lesson, practice_md="We trained forty judges in the capital.\n\n"
                                        "It took a year.")
    response = reader.get(f"/lessons/{lesson.id}/revisions?from=1&to=2")
    assert response.status_code == 200
    section = diff_section(response)
    assert field_headings(section) == ["Practice: what was done"]
    assert changed_words(section, "del") == ["ten"]
    assert changed_words(section, "ins") == ["forty"]
    removed, added = section.find("del"), section.find("ins")
    assert "Removed:" in removed.find(class_="visually-hidden").get_text()
    assert "Added:" in added.find(class_="visually-hidden").get_text()
    assert "We trained ten judges in the capital." in removed.get_text()
    assert "We trained forty judges in the capital." in added.get_text()
    # Unchanged lines around the change are shown as context, neither removed nor added.
    assert "It took a year." in section.get_text()
    assert "It took a year." not in removed.get_text() + added.get_text()


def test_the_diff_lists_every_changed_field_and_only_those(app, author, lesson, reader):
    edit(author[0], lesson, title="A better title", pillars=["pillar_1", "pillar_2"],
         risk_factors=[8], tags=["early warning"], visibility="region",
         recommendation_md="Start small.")
    section = diff_section(reader.get(f"/lessons/{lesson.id}/revisions?from=1&to=2"))
    assert field_headings(section) == ["Title", "Recommendation", "Pillars", "Risk factors",
                                       "Tags", "Who may read it"]
    added = " | ".join(line.get_text(" ", strip=True) for line in section.find_all("ins"))
    assert "Pillar II: international assistance and capacity-building" in added
    assert "8. Triggering factors" in added
    assert "#early warning" in added and "Start small." in added
    assert "Members of the lesson's region only" in added
    removed = " | ".join(line.get_text(" ", strip=True) for line in section.find_all("del"))
    assert "The whole network" in removed
    assert "Pillar I" not in removed  # kept, so not removed


def test_revisions_compare_in_either_order(app, author, lesson, reader):
    edit(author[0], lesson, title="A better title")
    section = diff_section(reader.get(f"/lessons/{lesson.id}/revisions?from=2&to=1"))
    assert section.find("del").get_text(" ", strip=True).endswith("A better title")
    assert "Early-warning desk" in section.find("ins").get_text()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markup_in_any_field_is_shown_as_text_in_the_history(app, author, lesson, reader,
                                                             payload):
    edit(author[0], lesson, title=f"Desk {payload}"[:200], summary=f"Summary {payload}",
         practice_md=f"We trained {payload} judges.", lesson_md=payload, tags=["x"])
    with db.connection_context():
        Member.update(name=f"Ama {payload}"[:120]).where(Member.id == author[0].id).execute()
    response = reader.get(f"/lessons/{lesson.id}/revisions?from=1&to=2")
    assert response.status_code == 200
    assert live_markup(response) == []
    text = diff_section(response).get_text()
    assert f"Desk {payload}" in text and payload in text
    assert f"Ama {payload}" in soup(response).find("table").get_text()


BAD = {
    "letters": "from=abc&to=1",
    "missing to": "from=1",
    "missing from": "to=2",
    "empty": "from=&to=",
    "unknown revision": "from=1&to=99",
    "zero": "from=0&to=1",
    "negative": "from=-1&to=2",
    "decimal": "from=1.5&to=2",
    "huge": "from=99999999999999999999999999&to=1",
    "full-width digit": "from=%EF%BC%91&to=2",
    "same revision": "from=2&to=2",
    "markup": "from=%3Cscript%3Ealert(1)%3C/script%3E&to=1",
    "repeated": "from=1&from=2",
}


@pytest.mark.parametrize("query", BAD.values(), ids=BAD.keys())
def test_a_bad_comparison_gets_a_clear_message_and_the_list(app, author, lesson, reader, query):
    edit(author[0], lesson, title="A better title")
    response = reader.get(f"/lessons/{lesson.id}/revisions?{query}")
    assert response.status_code == 400
    alert = soup(response).find(class_="alert-danger")
    assert "Choose two" in alert.get_text()
    assert soup(response).find("section", attrs={"aria-labelledby": "h-diff"}) is None
    assert [row[0] for row in history_rows(response)] == ["2", "1"]
    assert live_markup(response) == []


def test_two_revisions_with_the_same_content_say_so(app, author, lesson, reader):
    with db.connection_context():
        attachments.add_attachment(author[0], lesson, io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
                                   "brief.pdf")
    response = reader.get(f"/lessons/{lesson.id}/revisions?from=1&to=2")
    assert response.status_code == 200
    assert "same in both revisions" in diff_section(response).get_text()
    assert history_rows(response)[0][3] == "attachment added: brief.pdf"


def test_the_history_of_an_anonymized_lesson_names_neither_author_nor_country(
        app, author, make_lesson, reader):
    lesson = make_lesson(author[0], region_key="africa", attribution="anonymous", country="GH")
    edit(author[0], lesson, country="KE", title="A better title")
    response = reader.get(f"/lessons/{lesson.id}/revisions?from=1&to=2")
    page = response.get_data(as_text=True)
    assert "Ama Mensah" not in page
    assert "Ghana" not in page and "Kenya" not in page
    assert [row[1] for row in history_rows(response)] == ["The author", "The author"]
    assert field_headings(diff_section(response)) == ["Title"]
    # Those who may edit the lesson see everything.
    own = author[1].get(f"/lessons/{lesson.id}/revisions?from=1&to=2")
    assert "Ama Mensah" in own.get_data(as_text=True)
    assert "Country" in field_headings(diff_section(own))
    assert "Kenya" in diff_section(own).get_text()


def test_an_anonymous_visitor_is_sent_to_sign_in(app, make_member, make_lesson):
    writer = make_member(password=None)
    lesson = make_lesson(writer, visibility="public")
    response = app.test_client().get(f"/lessons/{lesson.id}/revisions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_who_may_not_read_the_lesson_gets_404(app, author, make_lesson, make_member):
    hidden = make_lesson(author[0], region_key="africa", visibility="region", title="Secret desk")
    draft = make_lesson(author[0], region_key="africa", publish=False, title="Draft desk")
    outsider = sign_in_as(app.test_client(), make_member(password=None, region_key="europe"))
    neighbour = sign_in_as(app.test_client(), make_member(password=None, region_key="africa"))
    for browser, lesson in ((outsider, hidden), (neighbour, draft)):
        response = browser.get(f"/lessons/{lesson.id}/revisions?from=1&to=1")
        assert response.status_code == 404
        assert "desk" not in response.get_data(as_text=True).lower()
    assert author[1].get(f"/lessons/{draft.id}/revisions").status_code == 200


def test_a_region_change_shows_the_region_names(app, author, lesson, reader):
    edit(author[0], lesson, region_id=region("europe").id)
    section = diff_section(reader.get(f"/lessons/{lesson.id}/revisions?from=1&to=2"))
    assert field_headings(section) == ["Region"]
    assert section.find("del").get_text(" ", strip=True).endswith(region("africa").name)
    assert section.find("ins").get_text(" ", strip=True).endswith(region("europe").name)
