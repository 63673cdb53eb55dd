"""Spaces, threads, replies with quotes, edits with history, closing, and the search box."""
from r2pnet.discussions.models import Post, PostRevision, Thread, ThreadLesson, ThreadTerm
from r2pnet.knowledge.models import Lesson
from tests.helpers import post_form, region, soup
from tests.signin import sign_in_as


def start_thread(client, space="/regions/africa", **fields):
    data = {"title": "Early warning across borders", "body_md": "How do you *share* alerts?"}
    data.update(fields)
    return post_form(client, f"{space}/new", data)


def test_a_member_starts_a_thread_in_their_region_and_finds_it_listed(client, signed_in):
    amina = signed_in(region_key="africa", name="Amina Diallo")
    response = start_thread(client, pillars="pillar_1", tags="Early Warning, elections")
    thread = Thread.get()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{thread.id}")
    assert (thread.region_id, thread.author_id) == (region("africa").id, amina.id)
    opening = Post.get(Post.thread == thread)
    assert opening.number == 1 and "<em>share</em>" in opening.body_html
    assert {(t.kind, t.key) for t in ThreadTerm.select()} == {
        ("pillar", "pillar_1"), ("tag", "early warning"), ("tag", "elections")}
    listing = soup(client.get("/regions/africa")).select(".thread-list li")
    assert len(listing) == 1 and "Early warning across borders" in listing[0].text


def test_a_bad_thread_form_keeps_what_was_typed(client, signed_in):
    signed_in(region_key="africa")
    response = start_thread(client, title="", body_md="My long draft", pillars="nonsense")
    assert response.status_code == 400
    page = soup(response)
    assert page.find("textarea", id="body_md").text == "My long draft"
    assert "This field is required." in page.text or "Give a title" in page.text
    assert Thread.select().count() == 0


def test_another_regions_space_is_not_found(client, signed_in):
    signed_in(region_key="europe")
    assert client.get("/regions/africa").status_code == 404
    assert start_thread(client).status_code == 404
    assert client.get("/regions/nowhere").status_code == 404
    assert client.get("/network").status_code == 200


def test_a_reply_quotes_an_earlier_post_and_counts(client, make_member, signed_in):
    author = make_member(region_key="africa", name="Amina Diallo")
    sign_in_as(client, author)
    start_thread(client)
    thread = Thread.get()
    opening = Post.get(Post.thread == thread)
    kofi = signed_in(region_key="africa", name="Kofi Mensah")
    form = soup(client.get(f"/threads/{thread.id}/reply?quote={opening.id}"))
    prefilled = form.find("textarea", id="body_md").text
    assert "> **Amina Diallo** wrote (#1):" in prefilled
    assert "> How do you *share* alerts?" in prefilled
    response = post_form(client, f"/threads/{thread.id}/reply",
                         {"body_md": prefilled + "We use a shared hotline.",
                          "quoted_post_id": str(opening.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith("#post-2")
    reply = Post.get(Post.number == 2)
    assert reply.author_id == kofi.id and reply.quoted_post_id == opening.id
    assert "<blockquote>" in reply.body_html
    thread = Thread.get_by_id(thread.id)
    assert (thread.reply_count, thread.last_number, thread.last_author_id) == (1, 2, kofi.id)
    page = soup(client.get(f"/threads/{thread.id}"))
    assert "In reply to #1 by Amina Diallo" in page.find(id="post-2").text


def test_quoting_a_post_of_another_thread_is_refused(client, signed_in):
    signed_in(region_key="africa")
    start_thread(client)
    start_thread(client, title="Second")
    first, second = Thread.select().order_by(Thread.id)
    foreign = Post.get(Post.thread == second)
    response = post_form(client, f"/threads/{first.id}/reply",
                         {"body_md": "text", "quoted_post_id": str(foreign.id)})
    assert response.status_code == 400
    assert "not in this thread" in response.get_data(as_text=True)
    assert soup(response).find("textarea", id="body_md").text == "text"


def test_an_empty_reply_is_refused_with_a_message(client, signed_in):
    signed_in(region_key="africa")
    start_thread(client)
    thread = Thread.get()
    for body in ("", "  \n  "):
        response = post_form(client, f"/threads/{thread.id}/reply", {"body_md": body})
        assert response.status_code == 400
    assert Post.select().count() == 1


def test_editing_a_post_keeps_its_history(client, signed_in):
    signed_in(region_key="africa")
    start_thread(client)
    post = Post.get()
    response = post_form(client, f"/posts/{post.id}/edit",
                         {"title": "Early warning, revised", "body_md": "New text",
                          "version": "1", "reason": "clarified"})
    assert response.status_code == 302
    post = Post.get_by_id(post.id)
    assert (post.body_md, post.version, post.edit_count) == ("New text", 2, 1)
    assert Thread.get().title == "Early warning, revised"
    revision = PostRevision.get()
    assert (revision.body_md, revision.title, revision.reason) == (
        "How do you *share* alerts?", "Early warning across borders", "clarified")
    history = client.get(f"/posts/{post.id}/history").get_data(as_text=True)
    assert "How do you *share* alerts?" in history and "clarified" in history


def test_an_edit_based_on_an_old_version_is_refused_and_kept(client, signed_in):
    signed_in(region_key="africa")
    start_thread(client)
    post = Post.get()
    post_form(client, f"/posts/{post.id}/edit", {"title": "T", "body_md": "First", "version": "1"})
    response = post_form(client, f"/posts/{post.id}/edit",
                         {"title": "T", "body_md": "Second", "version": "1"})
    assert response.status_code == 409
    assert soup(response).find("textarea", id="body_md").text == "Second"
    assert Post.get_by_id(post.id).body_md == "First"


def test_a_member_cannot_edit_someone_elses_post(client, make_member, signed_in):
    sign_in_as(client, make_member(region_key="africa"))
    start_thread(client)
    post = Post.get()
    signed_in(region_key="africa")
    assert client.get(f"/posts/{post.id}/edit").status_code == 403
    response = post_form(client, f"/posts/{post.id}/edit",
                         {"title": "x", "body_md": "vandalised", "version": "1"},
                         csrf_from="/discussions")
    assert response.status_code == 403
    assert Post.get_by_id(post.id).body_md == "How do you *share* alerts?"


def test_a_moderator_edits_with_a_reason_that_is_audited(client, make_member, signed_in):
    from r2pnet.audit.models import AuditEvent

    sign_in_as(client, make_member(region_key="africa"))
    start_thread(client)
    post = Post.get()
    signed_in(role="moderator", region_key="africa", moderates=("africa",))
    without = post_form(client, f"/posts/{post.id}/edit",
                        {"title": "T", "body_md": "Redacted", "version": "1"})
    assert without.status_code == 400 and "Say why" in without.get_data(as_text=True)
    with_reason = post_form(client, f"/posts/{post.id}/edit",
                            {"title": "T", "body_md": "Redacted", "version": "1",
                             "reason": "named a private person"})
    assert with_reason.status_code == 302
    event = AuditEvent.get(AuditEvent.action == "post_edited_by_moderator")
    assert (event.item, event.reason, event.region_id) == (
        f"post:{post.id}", "named a private person", region("africa").id)


def test_a_closed_thread_takes_no_replies_and_its_conclusion_starts_a_draft_lesson(
        client, signed_in):
    amina = signed_in(region_key="africa")
    start_thread(client, pillars="pillar_2", tags="hotline")
    thread = Thread.get()
    response = post_form(client, f"/threads/{thread.id}/close",
                         {"conclusion_md": "Shared hotlines **work** when staffed."})
    assert response.status_code == 302
    thread = Thread.get_by_id(thread.id)
    assert thread.closed_at is not None and "<strong>work</strong>" in thread.conclusion_html
    refused = post_form(client, f"/threads/{thread.id}/reply", {"body_md": "late"},
                        csrf_from=f"/threads/{thread.id}")
    assert refused.status_code == 302 and Post.select().count() == 1
    made = post_form(client, f"/threads/{thread.id}/lesson", csrf_from=f"/threads/{thread.id}")
    lesson = Lesson.get()
    assert made.headers["Location"].endswith(f"/lessons/{lesson.id}/edit")
    assert (lesson.is_published, lesson.author_id, lesson.visibility) == (False, amina.id,
                                                                           "region")
    assert lesson.title == thread.title and "Shared hotlines **work**" in lesson.lesson_md
    assert f"/threads/{thread.id}" in lesson.context_md


def test_linked_lessons_must_be_readable_by_the_writer(client, make_member, make_lesson,
                                                       signed_in):
    other = make_member(region_key="europe")
    hidden = make_lesson(other, region_key="europe", visibility="region", publish=True)
    shown = make_lesson(other, publish=True)
    signed_in(region_key="africa")
    refused = start_thread(client, lessons=f"{hidden.id}")
    assert refused.status_code == 400 and Thread.select().count() == 0
    assert start_thread(client, lessons=f"/lessons/{shown.id}").status_code == 302
    assert [link.lesson_id for link in ThreadLesson.select()] == [shown.id]
    page = client.get(f"/threads/{Thread.get().id}").get_data(as_text=True)
    assert shown.title in page
    discussed = soup(client.get(f"/lessons/{shown.id}")).find(id="h-discussed").parent
    assert "Early warning across borders" in discussed.text
    signed_in(region_key="europe")
    assert soup(client.get(f"/lessons/{shown.id}")).find(id="h-discussed") is None


def test_a_post_cannot_inject_markup(client, signed_in):
    from tests.helpers import live_markup

    signed_in(region_key="africa")
    start_thread(client, body_md='<script>alert(1)</script> [x](javascript:alert(1)) '
                                 '<img src=x onerror=alert(1)>')
    assert live_markup(client.get(f"/threads/{Thread.get().id}")) == []


def test_search_finds_threads_and_replies_only_where_the_reader_may_look(
        client, make_member, signed_in):
    sign_in_as(client, make_member(region_key="africa"))
    start_thread(client, title="Hotline for early warning", body_md="Opening words")
    thread = Thread.get()
    post_form(client, f"/threads/{thread.id}/reply", {"body_md": "A zebra crossing reply"})
    signed_in(region_key="africa")
    page = client.get("/search?q=hotline").get_data(as_text=True)
    assert "<mark>Hotline</mark> for early warning" in page
    assert "zebra" in client.get("/search?q=zebra").get_data(as_text=True)
    signed_in(region_key="europe")
    assert "early warning" not in client.get("/search?q=hotline").get_data(as_text=True)
    assert "zebra crossing" not in client.get("/search?q=zebra").get_data(as_text=True)


def test_any_search_text_answers(client, signed_in):
    signed_in(region_key="africa")
    for text in ['"', "-", "or", "((", "a" * 500, "\x00", "*"]:
        assert client.get("/search", query_string={"q": text}).status_code == 200
