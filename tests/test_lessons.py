"""Writing, reading and editing lessons: drafts, publishing, attribution, permissions, uptake."""
import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.knowledge.models import Lesson, LessonRevision, LessonTerm
from tests.helpers import post_form, region, soup
from tests.signin import sign_in_as

FORM = {
    "title": "Inter-ministerial atrocity prevention committee",
    "summary": "How a standing committee met monthly to review risk factors.",
    "context_md": "Elections were due in **six months**.",
    "practice_md": "- monthly meetings\n- a shared risk register",
    "outcome_md": "", "lesson_md": "Start small.", "recommendation_md": "",
    "country": "GH", "region_id": "", "attribution": "office", "visibility": "network",
    "pillars": ["pillar_1", "pillar_2"], "crimes": ["genocide"], "priorities": [],
    "risk_factors": ["1", "8"], "strategy": ["risk_assessment"],
    "tags": "Early Warning, elections", "publish": "true",
}


def text(response):
    return " ".join(soup(response).find("main").get_text(" ").split())


@pytest.fixture
def author(client, make_member):
    member = make_member(email="kwame@example.org", name="Kwame Mensah", region_key="africa",
                         country="GH", organization="Ministry of Foreign Affairs",
                         password=None)
    sign_in_as(client, member)
    return member


def test_a_member_publishes_a_classified_lesson_and_reads_it(client, author):
    response = post_form(client, "/lessons/new", FORM)

    assert response.status_code == 302
    lesson = Lesson.get()
    assert lesson.is_published and lesson.region.key == "africa"  # from the country
    assert lesson.context_html.strip() == \
        "<p>Elections were due in <strong>six months</strong>.</p>"
    terms = sorted((t.kind, t.key) for t in LessonTerm.select())
    assert ("tag", "early warning") in terms and ("risk_factor", "8") in terms
    page = text(client.get(f"/lessons/{lesson.id}"))
    for shown in ("Inter-ministerial atrocity prevention committee", "Kwame Mensah",
                  "Pillar I: the protection responsibilities of the State", "Genocide",
                  "8. Triggering factors", "#early warning", "Start small."):
        assert shown in page, shown


def test_a_draft_needs_only_a_title_and_summary_and_only_its_author_sees_it(
        app, client, author, make_member):
    response = post_form(client, "/lessons/new", {"title": "Idea", "summary": "To be written",
                                                  "publish": "false"})
    assert response.status_code == 302
    lesson = Lesson.get()
    assert not lesson.is_published
    assert client.get(f"/lessons/{lesson.id}").status_code == 200

    peer = app.test_client()
    sign_in_as(peer, make_member(email="peer@example.org", region_key="africa", password=None))
    assert peer.get(f"/lessons/{lesson.id}").status_code == 404
    assert "Idea" not in text(peer.get("/lessons"))
    admin = app.test_client()
    sign_in_as(admin, make_member(email="admin@example.org", role="administrator",
                                  password=None))
    assert admin.get(f"/lessons/{lesson.id}").status_code == 200


def test_publishing_without_a_pillar_is_refused_next_to_the_field_and_keeps_the_text(
        client, author):
    response = post_form(client, "/lessons/new", dict(FORM, pillars=[]))

    assert response.status_code == 400
    page = soup(response)
    assert "at least one pillar" in page.find(id="pillars-list").find_parent("fieldset").text
    assert page.find("textarea", attrs={"name": "context_md"}).text.strip() == \
        FORM["context_md"]
    assert page.find("input", attrs={"name": "tags"})["value"] == FORM["tags"]
    assert not Lesson.select().exists()


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "Two\nlines"}, "title"),
    ({"summary": ""}, "summary"),
    ({"summary": "s" * 501}, "summary"),
    ({"country": "ZZ"}, "country"),
    ({"region_id": "999999"}, "region_id"),
    ({"region_id": "9" * 40}, "region_id"),
    ({"visibility": "secret"}, "visibility"),
    ({"attribution": "someone"}, "attribution"),
    ({"pillars": ["pillar_9"]}, "pillars"),
    ({"crimes": ["piracy"]}, "crimes"),
    ({"risk_factors": ["15"]}, "risk_factors"),
    ({"risk_factors": ["x"]}, "risk_factors"),
    ({"strategy": ["lobbying"]}, "strategy"),
    ({"tags": ", ".join(f"tag{n}" for n in range(16))}, "tags"),
    ({"context_md": "x" * 20001}, "context_md"),
])
def test_bad_lesson_input_is_refused_and_nothing_is_saved(client, author, changes, field):
    response = post_form(client, "/lessons/new", dict(FORM, **changes))
    assert response.status_code == 400
    page = soup(response)
    assert page.find(class_="alert-danger") is not None
    assert page.find("input", attrs={"name": "title"})["value"] == \
        dict(FORM, **changes)["title"].replace("\n", "\n")
    assert not Lesson.select().exists()


def test_an_anonymized_lesson_never_names_its_author(app, client, author, make_member):
    post_form(client, "/lessons/new", dict(FORM, attribution="anonymous"))
    lesson = Lesson.get()
    reader = app.test_client()
    sign_in_as(reader, make_member(email="reader@example.org", region_key="europe",
                                   password=None))
    for page in (text(reader.get(f"/lessons/{lesson.id}")), text(reader.get("/lessons"))):
        assert "A Member State in Africa" in page
        assert "Kwame" not in page and "Ghana" not in page


XSS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
       '[click](javascript:alert(1))', '<svg onload=alert(1)>', '"><b>bold</b>']


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_every_lesson_field_comes_out_inert(client, author, payload):
    fields = {"title": f"T {payload}".replace("\n", " "), "summary": f"S {payload}",
              "tags": f"tag {payload}"}
    fields.update({f"{key}_md": f"Text {payload}" for key in
                   ("context", "practice", "outcome", "lesson", "recommendation")})
    assert post_form(client, "/lessons/new", dict(FORM, **fields)).status_code == 302
    lesson = Lesson.get()
    for url in (f"/lessons/{lesson.id}", "/lessons", "/lessons?q=Text",
                f"/lessons/{lesson.id}/edit"):
        page = soup(client.get(url))
        assert not page.find("script", src=False), url
        assert not page.find(attrs={"onerror": True}) and not page.find(attrs={"onload": True})
        assert not page.find("svg") and not page.find("img")
        assert not [a for a in page.find_all("a", href=True)
                    if a["href"].strip().lower().startswith("javascript:")], url
        assert not page.find("b", string="bold"), url


def test_markdown_links_are_limited_to_http_https_and_mailto(client, author):
    body = ("[web](https://example.org) [mail](mailto:a@example.org) "
            "[js](javascript:alert(1)) [data](data:text/html,x) [vb](vbscript:x)")
    post_form(client, "/lessons/new", dict(FORM, practice_md=body))
    html = Lesson.get().practice_html
    assert 'href="https://example.org"' in html and 'href="mailto:a@example.org"' in html
    assert "javascript:" not in html.replace("[js](javascript:alert(1))", "")
    assert "href=\"data:" not in html and "href=\"vbscript:" not in html


# --- editing -------------------------------------------------------------------------------

def test_who_may_edit_a_lesson(app, make_member, make_lesson):
    writer = make_member(email="w@example.org", region_key="africa", password=None)
    lesson = make_lesson(writer, region_key="africa")
    expectations = {
        make_member(email="a@example.org", role="administrator", password=None): 200,
        make_member(email="m@example.org", role="moderator", moderates=("africa",),
                    password=None): 200,
        make_member(email="e@example.org", role="moderator", moderates=("europe",),
                    password=None): 403,
        make_member(email="p@example.org", region_key="africa", password=None): 403,
        writer: 200,
    }
    for member, status in expectations.items():
        browser = app.test_client()
        sign_in_as(browser, member)
        assert browser.get(f"/lessons/{lesson.id}/edit").status_code == status, member.email
        response = post_form(browser, f"/lessons/{lesson.id}/edit",
                             dict(FORM, title=f"By {member.email}", version=str(
                                 Lesson.get_by_id(lesson.id).version)),
                             csrf_from="/lessons")
        assert response.status_code == (302 if status == 200 else 403), member.email


def test_every_edit_keeps_a_revision_and_visibility_changes_are_audited(client, author):
    post_form(client, "/lessons/new", FORM)
    lesson = Lesson.get()
    response = post_form(client, f"/lessons/{lesson.id}/edit",
                         dict(FORM, visibility="public", version="1"))
    assert response.status_code == 302
    assert [r.note for r in LessonRevision.select().order_by(LessonRevision.number)] == \
        ["published", "edited"]
    event = AuditEvent.get(AuditEvent.action == "lesson_visibility_changed")
    assert event.actor_id == author.id and "network -> public" in event.detail


def test_the_second_of_two_editors_gets_a_conflict_with_their_text_kept(
        app, client, author, make_member):
    post_form(client, "/lessons/new", FORM)
    lesson = Lesson.get()
    admin = app.test_client()
    sign_in_as(admin, make_member(email="admin@example.org", role="administrator",
                                  password=None))
    assert post_form(admin, f"/lessons/{lesson.id}/edit",
                     dict(FORM, title="Saved first", version="1")).status_code == 302

    late = post_form(client, f"/lessons/{lesson.id}/edit",
                     dict(FORM, title="Typed meanwhile", lesson_md="My long text",
                          version="1"))

    assert late.status_code == 409
    page = soup(late)
    assert "Someone else saved this lesson" in page.get_text()
    assert page.find("input", attrs={"name": "title"})["value"] == "Typed meanwhile"
    assert page.find("textarea", attrs={"name": "lesson_md"}).text.strip() == "My long text"
    assert page.find("a", href=f"/lessons/{lesson.id}") is not None
    assert Lesson.get_by_id(lesson.id).title == "Saved first"


# --- uptake --------------------------------------------------------------------------------

def test_members_apply_a_lesson_and_mark_it_useful(app, make_member, make_lesson):
    lesson = make_lesson(make_member(email="w@example.org", password=None), region_key="africa")
    peer = app.test_client()
    sign_in_as(peer, make_member(email="peer@example.org", name="Amina Diallo",
                                 country="SN", password=None))
    post_form(peer, f"/lessons/{lesson.id}/apply", {"note": "We adapted the risk register."},
              csrf_from=f"/lessons/{lesson.id}")
    post_form(peer, f"/lessons/{lesson.id}/apply", {"note": "Updated note."},
              csrf_from=f"/lessons/{lesson.id}")
    post_form(peer, f"/lessons/{lesson.id}/useful", {"useful": "1"},
              csrf_from=f"/lessons/{lesson.id}")

    saved = Lesson.get_by_id(lesson.id)
    assert (saved.applied_count, saved.useful_count) == (1, 1)
    page = text(peer.get(f"/lessons/{lesson.id}"))
    assert "Amina Diallo (Senegal)" in page and "Updated note." in page
    assert "✓ Useful" in page
    post_form(peer, f"/lessons/{lesson.id}/useful", {"useful": "0"},
              csrf_from=f"/lessons/{lesson.id}")
    assert Lesson.get_by_id(lesson.id).useful_count == 0


def test_a_public_lesson_is_readable_without_an_account_but_not_who_applied_it(
        app, make_member, make_lesson):
    writer = make_member(email="w@example.org", password=None)
    lesson = make_lesson(writer, visibility="public", region_key="africa")
    network = make_lesson(writer, title="Network only")
    from r2pnet.knowledge.services import record_application
    record_application(make_member(email="x@example.org", name="Secret Applier",
                                   password=None), lesson, "note")
    anonymous = app.test_client()
    page = anonymous.get(f"/lessons/{lesson.id}")
    assert page.status_code == 200 and "Secret Applier" not in text(page)
    assert anonymous.get(f"/lessons/{network.id}").status_code == 404
    listing = text(anonymous.get("/lessons"))
    assert "Early-warning desk" in listing and "Network only" not in listing
    assert anonymous.get(f"/lessons/{lesson.id}/edit").status_code == 302  # sign in first


def test_region_is_checked_against_the_list(client, author):
    response = post_form(client, "/lessons/new",
                         dict(FORM, visibility="region", country="", region_id=""))
    assert response.status_code == 400
    assert "needs its region" in soup(response).get_text()
    assert region("africa").id
