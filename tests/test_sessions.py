"""Sessions: sign-out, password change and disabling end every copied cookie; sign-in by default."""
import io

import pytest
import time_machine

from r2pnet.accounts.services import create_setup_link, invite, request_password_reset
from r2pnet.digests.tokens import unsubscribe_token
from r2pnet.knowledge.attachments import add_attachment
from r2pnet.knowledge.exports import feed_token
from r2pnet.knowledge.services import create_lesson
from r2pnet.members.models import Member
from tests.conftest import LESSON_DEFAULTS
from tests.helpers import PASSWORD, csrf_token, login, post_form, region
from tests.security_helpers import (PUBLIC_ENDPOINTS, REMEMBER_COOKIE, SESSION_COOKIE,
                                    browser_with, cookie_value, database_snapshot, example_url,
                                    is_signed_in, rules_with)
from tests.signin import sign_in_as

NEW_PASSWORD = "a brand new passphrase for 2025"


@pytest.fixture
def member_on_two_devices(app, client, make_member):
    """A member signed in with "keep me signed in"; returns (member, stolen cookie values).

    The session and remember-me values are what a thief (or the member's other device) holds.
    """
    member = make_member(email="amina@example.org")
    assert login(client, member.email, remember=True).status_code == 302
    stolen = {"session": cookie_value(client, SESSION_COOKIE),
              "remember": cookie_value(client, REMEMBER_COOKIE)}
    # Both copies get in before the action: the tests below would prove nothing otherwise.
    assert is_signed_in(browser_with(app, **{SESSION_COOKIE: stolen["session"]}))
    assert is_signed_in(browser_with(app, **{REMEMBER_COOKIE: stolen["remember"]}))
    return member, stolen


def _session_copy(app, stolen):
    return browser_with(app, **{SESSION_COOKIE: stolen["session"]})


def _remember_copy(app, stolen):
    return browser_with(app, **{REMEMBER_COOKIE: stolen["remember"]})


def _disable(app, make_member, member):
    admin = make_member(email="admin@example.org", role="administrator", region_key=None,
                        password=None)
    admin_browser = sign_in_as(app.test_client(), admin)
    response = post_form(admin_browser, f"/admin/members/{member.id}/status",
                         {"disabled": "true", "reason": "left the ministry"},
                         csrf_from=f"/admin/members/{member.id}")
    assert response.status_code == 302
    return admin_browser


# --- logout ----------------------------------------------------------------------------------

def test_logout_signs_out_the_browser_that_asked(client, member_on_two_devices):
    assert post_form(client, "/logout", csrf_from="/").status_code == 302
    assert not is_signed_in(client)


def test_logout_ends_a_copied_session_cookie(app, client, member_on_two_devices):
    _, stolen = member_on_two_devices
    post_form(client, "/logout", csrf_from="/")
    assert not is_signed_in(_session_copy(app, stolen))


def test_logout_ends_a_copied_remember_me_cookie(app, client, member_on_two_devices):
    _, stolen = member_on_two_devices
    post_form(client, "/logout", csrf_from="/")
    assert not is_signed_in(_remember_copy(app, stolen))


def test_logout_on_another_device_ends_this_session_too(app, client, member_on_two_devices):
    _, stolen = member_on_two_devices
    other_device = _session_copy(app, stolen)
    assert post_form(other_device, "/logout", csrf_from="/").status_code == 302
    assert not is_signed_in(client)


def test_logout_is_refused_over_get(client, member_on_two_devices):
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


# --- password change -------------------------------------------------------------------------

def _change_password(client):
    response = post_form(client, "/profile/password",
                         {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                          "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_password_change_keeps_the_browser_that_changed_it_signed_in(client,
                                                                      member_on_two_devices):
    _change_password(client)
    assert is_signed_in(client)


def test_password_change_ends_a_copied_session_cookie(app, client, member_on_two_devices):
    _, stolen = member_on_two_devices
    _change_password(client)
    assert not is_signed_in(_session_copy(app, stolen))


def test_password_change_ends_a_copied_remember_me_cookie(app, client, member_on_two_devices):
    _, stolen = member_on_two_devices
    _change_password(client)
    assert not is_signed_in(_remember_copy(app, stolen))


# --- an administrator disables the member ------------------------------------------------------

def test_disabling_a_member_ends_their_session_at_once(app, client, make_member,
                                                       member_on_two_devices):
    member, _ = member_on_two_devices
    _disable(app, make_member, member)
    assert not is_signed_in(client)


def test_disabling_a_member_ends_a_copied_remember_me_cookie(app, make_member,
                                                             member_on_two_devices):
    member, stolen = member_on_two_devices
    _disable(app, make_member, member)
    assert not is_signed_in(_remember_copy(app, stolen))


def test_re_enabling_a_member_does_not_revive_their_old_cookies(app, make_member,
                                                                member_on_two_devices):
    member, stolen = member_on_two_devices
    admin_browser = _disable(app, make_member, member)
    response = post_form(admin_browser, f"/admin/members/{member.id}/status",
                         {"disabled": "false", "reason": "back"},
                         csrf_from=f"/admin/members/{member.id}")
    assert response.status_code == 302
    assert Member.get_by_id(member.id).is_active
    assert not is_signed_in(_session_copy(app, stolen))
    assert not is_signed_in(_remember_copy(app, stolen))


def test_disabled_member_cannot_sign_in_again(app, make_member, member_on_two_devices):
    member, _ = member_on_two_devices
    _disable(app, make_member, member)
    browser = app.test_client()
    assert login(browser, member.email).status_code == 400
    assert not is_signed_in(browser)


def test_a_session_of_another_member_is_untouched_by_a_logout(app, client, make_member,
                                                              member_on_two_devices):
    colleague = make_member(email="colleague@example.org", password=None)
    colleague_browser = sign_in_as(app.test_client(), colleague)
    post_form(client, "/logout", csrf_from="/")
    assert is_signed_in(colleague_browser)


# --- sign-in by default ------------------------------------------------------------------------

def is_api(rule):
    """The JSON API answers anonymous callers 401 itself (tests/test_api_contract.py)."""
    return rule.endpoint.startswith("api.")


def test_every_page_outside_the_allow_list_sends_anonymous_visitors_to_sign_in(app, client):
    checked, open_pages = [], []
    for rule in rules_with(app, "GET"):
        if rule.endpoint in PUBLIC_ENDPOINTS or is_api(rule):
            continue
        url = example_url(app, rule)
        response = client.get(url)
        checked.append(url)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/login?next="):
            open_pages.append((url, response.status_code, location))
    assert len(checked) >= 10  # the member, region, invitation, audit and home pages at least
    assert open_pages == []


def test_every_form_outside_the_allow_list_refuses_anonymous_posts(app, client):
    token = csrf_token(client, "/login")  # a valid token, so CSRF is not what stops them
    checked, accepted = [], []
    for rule in rules_with(app, "POST"):
        if rule.endpoint in PUBLIC_ENDPOINTS or is_api(rule):
            continue
        before = database_snapshot()
        url = example_url(app, rule)
        response = client.post(url, data={"csrf_token": token, "name": "Intruder",
                                          "email": "intruder@example.org"})
        checked.append(url)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/login?next=") \
                or database_snapshot() != before:
            accepted.append((url, response.status_code, location))
    assert len(checked) >= 7  # logout, profile, password, invitations, revoke, role, status...
    assert accepted == []


def test_the_pages_anyone_may_open_are_exactly_the_allow_list(app, client, make_member):
    with app.test_request_context():
        invitation_token = invite("newcomer@example.org", "member", region("africa").id)
        setup_token = create_setup_link()
        member = make_member(email="forgetful@example.org", password=None)
        reset_token = request_password_reset(member.email)
        lesson_feed_token = feed_token(member)
        # A public lesson with a file: what the lesson and download pages show to anyone.
        lesson = create_lesson(member, dict(LESSON_DEFAULTS, visibility="public"))
        attachment = add_attachment(member, lesson, io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")
    ids = {"lesson_id": lesson.id, "attachment_id": attachment.id}
    tokens = {"accounts.setup": setup_token, "accounts.accept_invitation": invitation_token,
              "accounts.reset_password": reset_token,
              "digests.unsubscribe": unsubscribe_token(member)}
    files = {"static": "r2pnet.css", "bootstrap.static": "css/bootstrap.min.css"}
    answered = set()
    for rule in rules_with(app, "GET"):
        if is_api(rule):
            continue
        values = {name: value for name, value in ids.items() if name in rule.arguments}
        if "token" in rule.arguments:
            values["token"] = tokens.get(rule.endpoint, "example")
        if "filename" in rule.arguments:
            values["filename"] = files.get(rule.endpoint, "example")
        url = example_url(app, rule, **values)
        if rule.endpoint == "knowledge.feed":  # a feed reader's token stands in for a session
            url += f"?token={lesson_feed_token}"
        response = client.get(url)
        response.close()  # static files are streamed from an open file
        if response.status_code == 200:
            answered.add(rule.endpoint)
        else:
            assert response.status_code == 302, (rule.endpoint, response.status_code)
    assert answered == PUBLIC_ENDPOINTS


def test_after_signing_in_the_visitor_lands_on_the_page_they_asked_for(client, make_member):
    member = make_member()
    response = client.get("/members?region=africa")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    token_page = client.get(login_url)
    assert token_page.status_code == 200
    signed_in = post_form(client, login_url, {"email": member.email, "password": PASSWORD})
    assert signed_in.headers["Location"] == "/members?region=africa"


def test_a_session_idle_for_more_than_twelve_hours_ends(app, make_member):
    member = make_member(email="idle@example.org")
    client = app.test_client()
    with time_machine.travel("2026-11-27 09:00 +0000", tick=False) as traveller:
        assert login(client, member.email).status_code == 302
        assert client.get("/members").status_code == 200
        traveller.move_to("2026-11-27 20:00 +0000")
        assert client.get("/members").status_code == 200  # activity refreshes the cookie
        traveller.move_to("2026-11-28 08:30 +0000")
        response = client.get("/members")
    assert response.status_code == 302 and "/login" in response.location


def _sets_session_cookie(response):
    return any(value.startswith("session=") for value in response.headers.getlist("Set-Cookie"))


def test_the_session_cookie_is_sent_again_only_once_it_is_five_minutes_old(app, make_member):
    member = make_member(email="busy@example.org")
    client = app.test_client()
    with time_machine.travel("2026-11-27 09:00 +0000", tick=False) as traveller:
        assert _sets_session_cookie(login(client, member.email))
        client.get("/members")  # the first page may add to the session (its CSRF token)
        traveller.move_to("2026-11-27 09:04 +0000")
        assert not _sets_session_cookie(client.get("/members"))
        traveller.move_to("2026-11-27 09:06 +0000")
        assert _sets_session_cookie(client.get("/members"))
        assert not _sets_session_cookie(client.get("/members"))
        traveller.move_to("2026-11-27 20:30 +0000")
        assert client.get("/members").status_code == 200  # and refreshed: 11 h 24 min old
        traveller.move_to("2026-11-28 08:31 +0000")  # 12 h 1 min idle
        response = client.get("/members")
    assert response.status_code == 302 and "/login" in response.location


def test_a_cookie_seen_before_still_ends_after_twelve_hours_idle(app, make_member):
    member = make_member(email="replayed@example.org")
    client = app.test_client()
    with time_machine.travel("2026-11-27 09:00 +0000", tick=False) as traveller:
        login(client, member.email)
        client.get("/members")
        cookie = cookie_value(client, SESSION_COOKIE)
        copy = browser_with(app, **{SESSION_COOKIE: cookie})
        assert [copy.get("/members").status_code for _ in range(3)] == [200] * 3
        traveller.move_to("2026-11-27 20:59 +0000")
        assert browser_with(app, **{SESSION_COOKIE: cookie}).get("/members").status_code == 200
        traveller.move_to("2026-11-27 21:01 +0000")
        response = browser_with(app, **{SESSION_COOKIE: cookie}).get("/members")
    assert response.status_code == 302 and "/login" in response.location


def test_a_cookie_holding_a_message_shows_it_to_each_browser_that_presents_it_once(
        app, make_member):
    member = make_member(email="two-tabs@example.org")
    client = app.test_client()
    login(client, member.email)
    client.get("/members")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your profile was saved.")]
    cookie = cookie_value(client, SESSION_COOKIE)
    browsers = [browser_with(app, **{SESSION_COOKIE: cookie}) for _ in range(2)]

    pages = [[browser.get("/members").get_data(as_text=True) for _ in range(2)]
             for browser in browsers]

    assert [["Your profile was saved." in page for page in visits] for visits in pages] == [
        [True, False], [True, False]]


def test_a_cookie_changed_after_a_good_one_was_seen_is_refused(app, make_member):
    member = make_member(email="tampered@example.org")
    client = app.test_client()
    login(client, member.email)
    cookie = cookie_value(client, SESSION_COOKIE)
    assert is_signed_in(browser_with(app, **{SESSION_COOKIE: cookie}))
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")

    assert not is_signed_in(browser_with(app, **{SESSION_COOKIE: tampered}))
    assert is_signed_in(browser_with(app, **{SESSION_COOKIE: cookie}))
