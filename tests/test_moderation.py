"""Flags and the auto-hide threshold, hiding and unhiding, dismissing, locking, pinning, moving;
what hidden content looks like to whom; the mail the author gets; the audit rows."""
import pytest

from r2pnet.audit.models import AuditEvent
from r2pnet.discussions.models import Thread
from r2pnet.errors import DomainError, Forbidden
from r2pnet.moderation import actions, flagging
from r2pnet.moderation.log import moderation_log
from r2pnet.moderation.models import Flag
from tests.helpers import html_of, post_form, region, soup, text_of
from tests.moderation_helpers import discussion_under_review, moderation_cast, fresh, make_thread
from tests.signin import sign_in_as

PENDING_3 = "Hidden pending review: flagged by 3 members"


@pytest.fixture
def people(make_member):
    return moderation_cast(make_member)


@pytest.fixture
def discussion(people):
    return discussion_under_review(people)


def audit_rows(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# --- flags -----------------------------------------------------------------------------------

def test_a_member_flags_a_reply_with_a_reason(client, people, discussion):
    thread, post = discussion
    reader = people["readers"][0]
    sign_in_as(client, reader)

    assert client.get(f"/posts/{post.id}/flag").status_code == 200
    response = post_form(client, f"/posts/{post.id}/flag", {"reason": "confidentiality"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{thread.id}?page=1#post-2")
    flag = Flag.get()
    assert (flag.member_id, flag.thread_id, flag.post_id, flag.item, flag.reason) == (
        reader.id, thread.id, post.id, f"post:{post.id}", "confidentiality")
    assert fresh(post).flag_count == 1 and not fresh(post).is_hidden


def test_a_flag_for_another_reason_needs_a_note_and_keeps_the_form(client, people, discussion):
    _, post = discussion
    sign_in_as(client, people["readers"][0])

    response = post_form(client, f"/posts/{post.id}/flag", {"reason": "other", "note": "  "})

    assert response.status_code == 400
    page = soup(response)
    assert page.find(id="note-error").text.strip() == "Say why you flag it."
    assert page.find("input", id="reason-other").has_attr("checked")
    assert Flag.select().count() == 0

    response = post_form(client, f"/posts/{post.id}/flag",
                         {"reason": "other", "note": "Names a witness"})
    assert response.status_code == 302
    assert Flag.get().note == "Names a witness"


def test_a_flag_without_a_known_reason_is_refused(client, people, discussion):
    _, post = discussion
    sign_in_as(client, people["readers"][0])
    response = post_form(client, f"/posts/{post.id}/flag", {"reason": "boring"})
    assert response.status_code == 400
    assert soup(response).find(id="reason-error") is not None
    assert Flag.select().count() == 0


def test_a_member_flags_an_item_only_once(client, people, discussion):
    _, post = discussion
    sign_in_as(client, people["readers"][0])
    post_form(client, f"/posts/{post.id}/flag", {"reason": "spam"})

    response = post_form(client, f"/posts/{post.id}/flag", {"reason": "abusive"})

    assert response.status_code == 302
    assert Flag.select().count() == 1 and fresh(post).flag_count == 1
    page = client.get(response.headers["Location"])
    assert "You have already flagged this" in page.get_data(as_text=True)


def test_nobody_flags_their_own_post(client, people, discussion):
    _, post = discussion
    sign_in_as(client, people["author"])
    assert post_form(client, f"/posts/{post.id}/flag", {"reason": "spam"},
                     csrf_from="/").status_code == 403
    assert Flag.select().count() == 0


def test_the_third_flag_hides_a_reply_pending_review_and_mails_the_author_once(
        app, people, discussion, mailbox):
    thread, post = discussion
    first, second, third, _ = people["readers"]
    flagging.flag(first, thread, post, "confidentiality")
    flagging.flag(second, thread, post, "abusive")
    assert not fresh(post).is_hidden and fresh(thread).reply_count == 1

    flagging.flag(third, thread, post, "other", "Private number")

    hidden = fresh(post)
    assert hidden.is_hidden and hidden.hidden_reason == PENDING_3 and hidden.flag_count == 3
    assert fresh(thread).reply_count == 0
    [event] = audit_rows("post_auto_hidden")
    assert (event.actor_id, event.target_id, event.region_id, event.item, event.reason) == (
        None, people["author"].id, region("africa").id, f"post:{post.id}", PENDING_3)
    msg = mailbox.last_to("amina@example.org")
    assert "hidden pending review" in msg["Subject"]
    body = text_of(msg)
    assert "Cross-border alerts" in body and PENDING_3 in body
    assert f"/threads/{thread.id}?page=1#post-2" in body
    # Never the text of the post itself.
    assert "phone number" not in body and "phone number" not in html_of(msg)

    # A later flag (a moderator still sees the post) is recorded, hides nothing more, mails nobody.
    flagging.flag(people["mod"], thread, post, "spam")
    assert fresh(post).flag_count == 4 and Flag.select().count() == 4
    assert fresh(post).hidden_reason == PENDING_3
    assert len(audit_rows("post_auto_hidden")) == 1
    assert len([m for m in mailbox.messages if "amina@example.org" in str(m["To"])]) == 1


def test_the_threshold_is_a_setting(app, people, discussion):
    thread, _ = discussion
    app.config["FLAG_THRESHOLD"] = 1
    flagging.flag(people["readers"][0], thread, None, "spam")
    hidden = fresh(thread)
    assert hidden.is_hidden
    assert hidden.hidden_reason == "Hidden pending review: flagged by 1 member"
    assert [e.item for e in audit_rows("thread_auto_hidden")] == [f"thread:{thread.id}"]


def test_a_thread_hidden_by_flags_disappears_for_members_but_not_for_its_moderators(
        client, people, discussion):
    thread, post = discussion
    for reader in people["readers"][:3]:
        flagging.flag(reader, thread, None, "spam")
    assert fresh(thread).is_hidden

    sign_in_as(client, people["readers"][0])
    assert client.get(f"/threads/{thread.id}").status_code == 404
    assert "Cross-border alerts" not in client.get("/regions/africa").get_data(as_text=True)
    assert "Cross-border" not in client.get("/search?q=alerts").get_data(as_text=True)
    assert "private" not in client.get("/search?q=phone").get_data(as_text=True)
    # Not even its author sees it.
    sign_in_as(client, people["readers"][3])
    assert client.get(f"/threads/{thread.id}").status_code == 404

    for who in ("mod", "admin"):
        sign_in_as(client, people[who])
        page = client.get(f"/threads/{thread.id}")
        assert page.status_code == 200 and PENDING_3 in page.get_data(as_text=True)
        assert "Cross-border" in client.get("/search?q=alerts").get_data(as_text=True)
    sign_in_as(client, people["mod_europe"])
    assert client.get(f"/threads/{thread.id}").status_code == 404


def test_flagging_a_hidden_reply_is_not_offered_to_members_who_cannot_see_it(
        client, people, discussion):
    thread, post = discussion
    actions.hide(people["mod"], thread, post, "Confidential")
    sign_in_as(client, people["readers"][0])
    assert client.get(f"/posts/{post.id}/flag").status_code == 404
    assert post_form(client, f"/posts/{post.id}/flag", {"reason": "spam"},
                     csrf_from="/").status_code == 404
    assert Flag.select().count() == 0


# --- hide and unhide ---------------------------------------------------------------------------

def test_a_moderator_hides_a_reply_with_a_reason_and_the_author_is_told(
        client, people, discussion, mailbox):
    thread, post = discussion
    flagging.flag(people["readers"][0], thread, post, "confidentiality")
    sign_in_as(client, people["mod"])

    response = post_form(client, f"/moderation/posts/{post.id}/hide",
                         {"reason": "Names a private phone", "next": f"/threads/{thread.id}"},
                         csrf_from="/moderation")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/threads/{thread.id}"
    hidden = fresh(post)
    assert (hidden.is_hidden, hidden.hidden_reason, hidden.flag_count) == (
        True, "Names a private phone", 0)
    assert hidden.hidden_at is not None
    assert fresh(thread).reply_count == 0
    # The last visible post is the opening one again.
    assert fresh(thread).last_author_id == people["readers"][3].id
    assert Flag.get().resolution == "hidden" and Flag.get().resolved_by_id == people["mod"].id
    [event] = audit_rows("post_hidden")
    assert (event.actor_id, event.target_id, event.region_id, event.item, event.reason) == (
        people["mod"].id, people["author"].id, region("africa").id, f"post:{post.id}",
        "Names a private phone")
    msg = mailbox.last_to("amina@example.org")
    assert msg["Subject"] == "Your reply is hidden"
    assert "Names a private phone" in text_of(msg) and "Cross-border alerts" in text_of(msg)
    assert "phone number" not in text_of(msg)

    sign_in_as(client, people["readers"][0])
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Cross-border alerts" in page and "private phone number" not in page
    sign_in_as(client, people["author"])
    assert "private phone number" not in client.get(f"/threads/{thread.id}").get_data(
        as_text=True)
    sign_in_as(client, people["mod"])
    assert "private phone number" in client.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_hiding_needs_a_reason_and_keeps_the_form(client, people, discussion):
    thread, post = discussion
    sign_in_as(client, people["mod"])
    response = post_form(client, f"/moderation/posts/{post.id}/hide", {"reason": " "},
                         csrf_from="/moderation")
    assert response.status_code == 400
    assert soup(response).find(id="reason-error").text.strip().startswith("Say why")
    assert not fresh(post).is_hidden
    assert audit_rows("post_hidden") == []


def test_hiding_twice_is_refused_without_a_second_event(app, people, discussion):
    thread, post = discussion
    actions.hide(people["mod"], thread, post, "Off-topic")
    with pytest.raises(DomainError, match="already hidden"):
        actions.hide(people["mod"], thread, fresh(post), "Again")
    assert fresh(thread).reply_count == 0 and len(audit_rows("post_hidden")) == 1


def test_a_moderator_confirms_an_item_hidden_by_flags_with_their_own_reason(
        app, people, discussion, mailbox):
    thread, post = discussion
    for reader in people["readers"][:3]:
        flagging.flag(reader, thread, post, "abusive")
    actions.hide(people["mod"], thread, fresh(post), "Abusive language")
    hidden = fresh(post)
    assert hidden.hidden_reason == "Abusive language" and hidden.flag_count == 0
    assert fresh(thread).reply_count == 0  # not decremented twice
    assert {f.resolution for f in Flag.select()} == {"hidden"}
    assert "Abusive language" in text_of(mailbox.last_to("amina@example.org"))


def test_unhide_shows_the_item_again_and_resolves_its_flags(client, people, discussion):
    thread, post = discussion
    for reader in people["readers"][:3]:
        flagging.flag(reader, thread, post, "spam")
    sign_in_as(client, people["mod"])

    response = post_form(client, f"/moderation/posts/{post.id}/unhide",
                         {"reason": "Not spam"}, csrf_from="/moderation")

    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    shown = fresh(post)
    assert (shown.is_hidden, shown.hidden_reason, shown.hidden_at, shown.flag_count) == (
        False, "", None, 0)
    assert fresh(thread).reply_count == 1
    assert fresh(thread).last_author_id == people["author"].id
    assert {(f.resolution, f.resolved_by_id) for f in Flag.select()} == {
        ("unhidden", people["mod"].id)}
    [event] = audit_rows("post_unhidden")
    assert (event.actor_id, event.item, event.reason) == (
        people["mod"].id, f"post:{post.id}", "Not spam")
    sign_in_as(client, people["readers"][0])
    assert "private phone number" in client.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_unhiding_a_visible_item_is_refused(app, people, discussion):
    thread, post = discussion
    with pytest.raises(DomainError, match="not hidden"):
        actions.unhide(people["mod"], thread, post)
    assert fresh(thread).reply_count == 1 and audit_rows("post_unhidden") == []


def test_a_thread_is_hidden_and_unhidden_with_its_events(app, people, discussion, mailbox):
    thread, _ = discussion
    actions.hide(people["admin"], thread, None, "Duplicate of another thread")
    assert fresh(thread).is_hidden
    assert Thread.visible_to(people["readers"][0]).where(Thread.id == thread.id).count() == 0
    assert "Your thread is hidden" == mailbox.last_to(people["readers"][3].email)["Subject"]
    actions.unhide(people["admin"], fresh(thread), None)
    assert not fresh(thread).is_hidden
    assert [(e.action, e.item) for e in AuditEvent.select().where(
        AuditEvent.action.in_(["thread_hidden", "thread_unhidden"])).order_by(AuditEvent.id)] \
        == [("thread_hidden", f"thread:{thread.id}"), ("thread_unhidden", f"thread:{thread.id}")]


# --- dismiss -----------------------------------------------------------------------------------

def test_dismissing_flags_keeps_the_item_and_resets_its_count(client, people, discussion):
    thread, post = discussion
    flagging.flag(people["readers"][0], thread, post, "spam")
    flagging.flag(people["readers"][1], thread, post, "spam")
    sign_in_as(client, people["mod"])

    response = post_form(client, f"/moderation/posts/{post.id}/dismiss", {},
                         csrf_from="/moderation")

    assert response.status_code == 302
    assert fresh(post).flag_count == 0 and not fresh(post).is_hidden
    assert {f.resolution for f in Flag.select()} == {"dismissed"}
    [event] = audit_rows("flags_dismissed")
    assert event.item == f"post:{post.id}" and event.detail.startswith("2 flags on post #2")
    # Flags already made stay one per member: the same readers cannot flag it again.
    with pytest.raises(DomainError, match="already flagged"):
        flagging.flag(people["readers"][0], thread, fresh(post), "spam")


def test_dismissing_flags_shows_an_item_they_hid(app, people, discussion):
    thread, post = discussion
    for reader in people["readers"][:3]:
        flagging.flag(reader, thread, post, "spam")
    actions.dismiss_flags(people["mod"], fresh(thread), fresh(post), "Not spam")
    shown = fresh(post)
    assert not shown.is_hidden and shown.hidden_reason == "" and shown.flag_count == 0
    assert fresh(thread).reply_count == 1
    assert [e.action for e in AuditEvent.select().where(AuditEvent.item == f"post:{post.id}")
            .order_by(AuditEvent.id)] == ["post_auto_hidden", "flags_dismissed", "post_unhidden"]


def test_dismissing_keeps_an_item_a_moderator_hid_hidden(app, people, discussion):
    thread, post = discussion
    actions.hide(people["mod"], thread, post, "Confidential")
    flagging.flag(people["mod"], thread, fresh(post), "spam")  # moderators see hidden posts
    actions.dismiss_flags(people["mod"], thread, fresh(post))
    assert fresh(post).is_hidden and fresh(post).hidden_reason == "Confidential"


def test_dismissing_without_open_flags_is_refused(client, people, discussion):
    thread, _ = discussion
    sign_in_as(client, people["mod"])
    response = post_form(client, f"/moderation/threads/{thread.id}/dismiss", {},
                         csrf_from="/moderation")
    assert response.status_code == 302
    assert "no open flags" in client.get("/moderation").get_data(as_text=True)
    assert audit_rows("flags_dismissed") == []


# --- lock, pin, move ------------------------------------------------------------------------

def test_a_locked_thread_takes_no_replies_until_unlocked(client, people, discussion):
    thread, _ = discussion
    sign_in_as(client, people["mod"])
    assert post_form(client, f"/moderation/threads/{thread.id}/lock", {"reason": "Cooling off"},
                     csrf_from="/moderation").status_code == 302
    assert fresh(thread).is_locked

    sign_in_as(client, people["readers"][0])
    post_form(client, f"/threads/{thread.id}/reply", {"body_md": "One more thing"},
              csrf_from=f"/threads/{thread.id}")
    assert fresh(thread).reply_count == 1

    sign_in_as(client, people["mod"])
    post_form(client, f"/moderation/threads/{thread.id}/unlock", {}, csrf_from="/moderation")
    assert not fresh(thread).is_locked
    assert [(e.action, e.reason) for e in AuditEvent.select().where(
        AuditEvent.item == f"thread:{thread.id}").order_by(AuditEvent.id)] == [
        ("thread_locked", "Cooling off"), ("thread_unlocked", "")]


def test_a_pinned_thread_comes_first_in_its_space(client, people, discussion):
    thread, _ = discussion
    make_thread(people["readers"][0], title="A newer thread")
    sign_in_as(client, people["mod"])
    post_form(client, f"/moderation/threads/{thread.id}/pin", {}, csrf_from="/moderation")
    assert fresh(thread).is_pinned
    first = soup(client.get("/regions/africa")).select(".thread-list li")[0]
    assert "Cross-border alerts" in first.text
    with pytest.raises(DomainError, match="already pinned"):
        actions.pin(people["mod"], fresh(thread))
    actions.unpin(people["mod"], fresh(thread))
    assert [e.action for e in AuditEvent.select().where(AuditEvent.action.startswith(
        "thread_")).order_by(AuditEvent.id)] == ["thread_pinned", "thread_unpinned"]


def test_a_moderator_of_both_regions_moves_a_thread_and_both_logs_show_it(
        client, make_member, people, discussion):
    thread, _ = discussion
    both = make_member(password=None, role="moderator", moderates=("africa", "europe"))
    sign_in_as(client, both)
    page = soup(client.get(f"/moderation/threads/{thread.id}/move"))
    assert [o["value"] for o in page.find("select", id="space").find_all("option")] == [
        "", "europe"]

    response = post_form(client, f"/moderation/threads/{thread.id}/move",
                         {"space": "europe", "reason": "About the OSCE"},
                         csrf_from="/moderation")

    assert response.status_code == 302
    assert fresh(thread).region_id == region("europe").id
    events = audit_rows("thread_moved")
    assert {e.region_id for e in events} == {region("africa").id, region("europe").id}
    assert {(e.actor_id, e.item, e.reason) for e in events} == {
        (both.id, f"thread:{thread.id}", "About the OSCE")}
    assert events[0].detail.startswith("Africa → Europe")
    for moderator in (people["mod"], people["mod_europe"]):
        assert [e.action for e in moderation_log(moderator)] == ["thread_moved"]
    sign_in_as(client, people["readers"][0])
    assert client.get(f"/threads/{thread.id}").status_code == 404


def test_moving_needs_a_reason_and_a_destination(client, make_member, discussion):
    thread, _ = discussion
    sign_in_as(client, make_member(password=None, role="moderator",
                                   moderates=("africa", "europe")))
    response = post_form(client, f"/moderation/threads/{thread.id}/move",
                         {"space": "", "reason": "Somewhere else"}, csrf_from="/moderation")
    assert response.status_code == 400 and soup(response).find(id="space-error")
    response = post_form(client, f"/moderation/threads/{thread.id}/move",
                         {"space": "europe", "reason": ""}, csrf_from="/moderation")
    assert response.status_code == 400 and soup(response).find(id="reason-error")
    assert soup(response).find("option", value="europe").has_attr("selected")
    assert fresh(thread).region_id == region("africa").id


def test_a_moderator_cannot_move_a_thread_into_a_space_they_do_not_moderate(
        client, people, discussion):
    thread, _ = discussion
    sign_in_as(client, people["mod"])
    for space in ("europe", "network"):
        response = post_form(client, f"/moderation/threads/{thread.id}/move",
                             {"space": space, "reason": "Wider audience"},
                             csrf_from="/moderation")
        assert response.status_code == 403
    assert fresh(thread).region_id == region("africa").id
    assert audit_rows("thread_moved") == []
    with pytest.raises(Forbidden):
        actions.move_thread(people["mod"], thread, None, "Wider audience")


def test_an_administrator_moves_a_thread_to_the_network_space(app, people, discussion):
    thread, _ = discussion
    actions.move_thread(people["admin"], thread, None, "Concerns every region")
    assert fresh(thread).region_id is None
    assert {e.region_id for e in audit_rows("thread_moved")} == {region("africa").id, None}
    # The network half of the move is for administrators only.
    assert len(list(moderation_log(people["mod"]))) == 1
    assert len(list(moderation_log(people["admin"]))) == 2


# --- safety of the forms -----------------------------------------------------------------------

@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example",
                                    "javascript:alert(1)"])
def test_after_an_action_the_redirect_stays_on_the_site(client, people, discussion, target):
    thread, _ = discussion
    sign_in_as(client, people["mod"])
    response = post_form(client, f"/moderation/threads/{thread.id}/lock", {"next": target},
                         csrf_from="/moderation")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation"


def test_actions_need_a_post_and_a_csrf_token(client, people, discussion):
    thread, post = discussion
    sign_in_as(client, people["mod"])
    assert client.get(f"/moderation/threads/{thread.id}/lock").status_code == 200
    assert not fresh(thread).is_locked  # GET shows the form and changes nothing
    assert client.post(f"/moderation/threads/{thread.id}/lock").status_code == 400
    assert client.post(f"/posts/{post.id}/flag", data={"reason": "spam"}).status_code == 400
    assert not fresh(thread).is_locked and Flag.select().count() == 0


def test_unknown_actions_are_not_found(client, people, discussion):
    thread, post = discussion
    sign_in_as(client, people["admin"])
    assert client.get(f"/moderation/threads/{thread.id}/delete").status_code == 404
    assert client.get(f"/moderation/posts/{post.id}/lock").status_code == 404
    assert client.get("/moderation/threads/999999/hide").status_code == 404


def test_reasons_with_markup_are_shown_inert(client, people, discussion):
    thread, post = discussion
    actions.hide(people["mod"], thread, post, '<script>alert(1)</script><img src=x onerror=1>')
    sign_in_as(client, people["mod"])
    for path in (f"/threads/{thread.id}", "/moderation/log"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


# --- the buttons on the thread page ------------------------------------------------------------

def test_the_thread_page_offers_moderators_their_actions_and_members_a_flag(
        client, people, discussion):
    thread, post = discussion
    sign_in_as(client, people["readers"][0])
    page = soup(client.get(f"/threads/{thread.id}"))
    assert page.find("a", href=f"/threads/{thread.id}/flag") is not None
    assert page.find("a", href=f"/posts/{post.id}/flag") is not None
    assert page.select("form[action^='/moderation/']") == []

    sign_in_as(client, people["mod"])
    page = soup(client.get(f"/threads/{thread.id}"))
    lock = page.find("form", action=f"/moderation/threads/{thread.id}/lock")
    data = {i["name"]: i.get("value", "") for i in lock.find_all("input")}
    assert data["next"] == f"/threads/{thread.id}"
    response = client.post(lock["action"], data=data)
    assert response.status_code == 302 and response.headers["Location"] == f"/threads/{thread.id}"
    assert fresh(thread).is_locked
    hide = page.find("a", href=lambda h: h and h.startswith(f"/moderation/posts/{post.id}/hide"))
    form = soup(client.get(hide["href"])).find("form", method="post")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    data["reason"] = "Confidential"
    response = client.post(hide["href"], data=data)
    assert response.headers["Location"] == f"/threads/{thread.id}#post-2"
    assert fresh(post).hidden_reason == "Confidential"
    page = soup(client.get(f"/threads/{thread.id}"))
    assert page.find("form", action=f"/moderation/posts/{post.id}/unhide") is not None
