"""Invitations: by SMTP, single use, 7-day expiry, revocable, scoped to the inviter's regions."""
import datetime as dt

import pytest
import time_machine

from r2pnet.accounts import services
from r2pnet.accounts.models import Invitation
from r2pnet.members.models import Member, ModeratorRegion
from tests.helpers import html_of, link_in, post_form, region, soup
from tests.security_helpers import alert_text, database_snapshot, is_signed_in
from tests.signin import sign_in_as

NEW_PASSWORD = "a brand new passphrase for 2025"
JOIN = {"name": "Kofi Mensah", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}


@pytest.fixture
def admin_browser(app, make_member):
    admin = make_member(email="admin@example.org", name="Ada Admin", role="administrator",
                        region_key=None, password=None)
    return sign_in_as(app.test_client(), admin)


@pytest.fixture
def moderator_browser(app, make_member):
    moderator = make_member(email="mod@example.org", name="Moussa Moderator", role="moderator",
                            moderates=("africa",), password=None)
    return sign_in_as(app.test_client(), moderator)


def _invite(browser, email="kofi@example.org", role="member", region_key="africa"):
    data = {"email": email, "role": role,
            "region_id": region(region_key).id if region_key else ""}
    return post_form(browser, "/admin/invitations", data)


def _link(mailbox, email="kofi@example.org"):
    return link_in(mailbox.last_to(email), "/invitations/")


def _invite_directly(app, email="kofi@example.org"):
    with app.test_request_context():
        return f"/invitations/{services.invite(email, 'member', region('africa').id)}"


# --- the link ------------------------------------------------------------------------------------

def test_an_invitation_arrives_by_smtp_with_a_link_to_join(admin_browser, mailbox, client):
    assert _invite(admin_browser).status_code == 302
    msg = mailbox.last_to("kofi@example.org")
    assert msg["Subject"] == "You are invited to join r2pnet"
    page = client.get(_link(mailbox))
    assert page.status_code == 200
    assert "kofi@example.org" in page.get_data(as_text=True)


def test_accepting_an_invitation_creates_the_member_and_signs_them_in(admin_browser, mailbox,
                                                                      client):
    _invite(admin_browser)
    response = post_form(client, _link(mailbox), JOIN)
    assert response.status_code == 302
    member = Member.get(Member.email == "kofi@example.org")
    assert (member.name, member.role, member.region_id) == (
        "Kofi Mensah", "member", region("africa").id)
    assert is_signed_in(client)


def test_an_invitation_link_works_only_once(app, admin_browser, mailbox, client):
    _invite(admin_browser)
    link = _link(mailbox)
    post_form(client, link, JOIN)
    later = app.test_client()
    assert later.get(link).status_code == 404
    before = database_snapshot()
    response = post_form(later, link, {**JOIN, "name": "Someone Else"}, csrf_from="/login")
    assert response.status_code == 404
    assert database_snapshot() == before
    assert not is_signed_in(later)


def test_an_invitation_link_still_works_just_before_seven_days(app, client):
    link = _invite_directly(app)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=7, minutes=-5),
                             tick=False):
        assert client.get(link).status_code == 200


def test_an_invitation_link_expires_after_seven_days(app, client):
    link = _invite_directly(app)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=7, minutes=5),
                             tick=False):
        assert client.get(link).status_code == 404
        response = post_form(client, link, JOIN, csrf_from="/login")
        assert response.status_code == 404
    assert not Member.select().where(Member.email == "kofi@example.org").exists()


def test_an_invitation_page_left_open_past_expiry_cannot_be_submitted(app, client):
    link = _invite_directly(app)
    assert client.get(link).status_code == 200
    token = soup(client.get(link)).find("meta", attrs={"name": "csrf-token"})["content"]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8), tick=False):
        # Refused either as an expired link (404) or, since the page's session is older than
        # the 12-hour session lifetime, as an expired form (400): never accepted.
        assert client.post(link, data={**JOIN, "csrf_token": token}).status_code in (400, 404)
    assert not Member.select().where(Member.email == "kofi@example.org").exists()


def test_a_revoked_invitation_link_no_longer_works(admin_browser, mailbox, client):
    _invite(admin_browser)
    invitation = Invitation.get(Invitation.email == "kofi@example.org")
    response = post_form(admin_browser, f"/admin/invitations/{invitation.id}/revoke",
                         csrf_from="/admin/invitations")
    assert response.status_code == 302
    assert client.get(_link(mailbox)).status_code == 404


def test_inviting_the_same_address_again_ends_the_earlier_link(admin_browser, mailbox, client):
    _invite(admin_browser)
    first = _link(mailbox)
    mailbox.clear()
    _invite(admin_browser)
    second = _link(mailbox)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_name_with_a_line_break_is_refused_when_accepting(app, client):
    link = _invite_directly(app)
    response = post_form(client, link, {**JOIN, "name": "Kofi\r\nBcc: victim@example.org"})
    assert response.status_code == 400
    assert not Member.select().where(Member.email == "kofi@example.org").exists()


# --- who may invite whom ------------------------------------------------------------------------

def test_a_moderator_invites_a_member_to_their_own_region(moderator_browser, mailbox):
    assert _invite(moderator_browser).status_code == 302
    invitation = Invitation.get(Invitation.email == "kofi@example.org")
    assert (invitation.role, invitation.region_id) == ("member", region("africa").id)
    assert mailbox.last_to("kofi@example.org")


def test_a_moderator_cannot_invite_into_another_region(moderator_browser, mailbox):
    before = database_snapshot()
    response = _invite(moderator_browser, region_key="europe")
    assert response.status_code in (400, 403)
    assert "your own regions" in alert_text(response)
    assert database_snapshot() == before
    assert mailbox.messages == []


@pytest.mark.parametrize("role", ["moderator", "administrator"])
def test_a_moderator_cannot_invite_a_moderator_or_administrator(moderator_browser, mailbox,
                                                                role):
    before = database_snapshot()
    response = _invite(moderator_browser, role=role)
    assert response.status_code in (400, 403)
    assert database_snapshot() == before
    assert mailbox.messages == []


def test_a_member_cannot_open_or_use_the_invitation_page(client, make_member, mailbox):
    sign_in_as(client, make_member(password=None))
    assert client.get("/admin/invitations").status_code == 403
    before = database_snapshot()
    response = _invite(client)
    assert response.status_code == 403
    assert database_snapshot() == before
    assert mailbox.messages == []


def test_an_administrator_invites_a_moderator_of_any_region(admin_browser, mailbox, client):
    assert _invite(admin_browser, role="moderator", region_key="europe").status_code == 302
    post_form(client, _link(mailbox), JOIN)
    member = Member.get(Member.email == "kofi@example.org")
    assert member.role == "moderator"
    assert [row.region_id for row in ModeratorRegion.select().where(
        ModeratorRegion.member == member.id)] == [region("europe").id]


def test_an_administrator_invites_another_administrator(admin_browser, mailbox, client):
    assert _invite(admin_browser, role="administrator", region_key=None).status_code == 302
    post_form(client, _link(mailbox), JOIN)
    assert Member.get(Member.email == "kofi@example.org").role == "administrator"


def test_a_moderator_cannot_revoke_an_invitation_of_another_region(app, moderator_browser):
    with app.test_request_context():
        services.invite("eu@example.org", "member", region("europe").id)
    invitation = Invitation.get(Invitation.email == "eu@example.org")
    response = post_form(moderator_browser, f"/admin/invitations/{invitation.id}/revoke",
                         csrf_from="/admin/invitations")
    assert response.status_code in (403, 404)
    assert Invitation.get_by_id(invitation.id).revoked_at is None


def test_a_moderator_does_not_see_invitations_to_other_regions(app, moderator_browser):
    with app.test_request_context():
        services.invite("eu@example.org", "member", region("europe").id)
        services.invite("af@example.org", "member", region("africa").id)
    page = moderator_browser.get("/admin/invitations").get_data(as_text=True)
    assert "af@example.org" in page
    assert "eu@example.org" not in page


# --- the same answer whoever is invited ----------------------------------------------------------

def _invitation_rows(browser):
    return [[cell.get_text(" ", strip=True) for cell in row.find_all("td")[:5:4]]
            for row in soup(browser.get("/admin/invitations")).select("tbody tr")]


def test_inviting_an_existing_member_looks_the_same_to_the_inviter(make_member,
                                                                   moderator_browser):
    make_member(email="already@example.org", email_visibility="administrators", password=None)
    known = _invite(moderator_browser, email="already@example.org")
    unknown = _invite(moderator_browser, email="stranger@example.org")
    assert known.status_code == unknown.status_code == 302
    rows = {email: status for email, status in _invitation_rows(moderator_browser)}
    assert rows == {"already@example.org": "pending", "stranger@example.org": "pending"}


def test_an_existing_member_invited_again_gets_no_joining_link(make_member, admin_browser,
                                                               mailbox):
    member = make_member(email="already@example.org", password=None)
    _invite(admin_browser, email="already@example.org")
    msg = mailbox.last_to("already@example.org")
    assert "/invitations/" not in msg.get_body(("plain",)).get_content()
    assert Member.get_by_id(member.id).password_hash == member.password_hash


# --- the email itself --------------------------------------------------------------------------

def test_an_inviter_name_with_line_breaks_cannot_add_email_headers(app, make_member, mailbox):
    inviter = make_member(email="admin@example.org", role="administrator", region_key=None,
                          password=None,
                          name="Ada\r\nBcc: victim@evil.example\r\nSubject: hijacked")
    services.invite("kofi@example.org", "member", region("africa").id, invited_by=inviter)
    msg = mailbox.last_to("kofi@example.org")
    assert len(mailbox.messages) == 1
    assert msg["Bcc"] is None
    assert msg["Subject"] == "You are invited to join r2pnet"
    assert str(msg["To"]) == "kofi@example.org"
    assert "victim@evil.example" not in "".join(f"{k}: {v}" for k, v in msg.items())


def test_an_invitation_to_an_address_with_a_line_break_is_refused(admin_browser, mailbox):
    before = database_snapshot()
    response = _invite(admin_browser, email="kofi@example.org\r\nBcc: victim@evil.example")
    assert response.status_code == 400
    assert database_snapshot() == before
    assert mailbox.messages == []


def test_an_inviter_name_with_markup_is_inert_in_the_html_email(app, make_member, mailbox):
    inviter = make_member(email="admin@example.org", role="administrator", region_key=None,
                          password=None, name='<img src=x onerror=alert(1)>Ada')
    with app.test_request_context():
        services.invite("kofi@example.org", "member", region("africa").id, invited_by=inviter)
    html = html_of(mailbox.last_to("kofi@example.org"))
    assert "<img src=x" not in html
