"""Every account event lands in the audit log, which only administrators may read."""
import pytest

from r2pnet.accounts import services
from r2pnet.accounts.models import ThrottleEvent
from r2pnet.audit.models import AuditEvent
from tests.helpers import PASSWORD, link_in, login, post_form, region, soup
from tests.signin import sign_in_as

NEW_PASSWORD = "a brand new passphrase for 2025"


@pytest.fixture
def admin(app, make_member):
    """(administrator, a browser signed in as them)."""
    member = make_member(email="admin@example.org", name="Ada Admin", role="administrator",
                         region_key=None, password=None)
    return member, sign_in_as(app.test_client(), member)


def _only(action):
    events = list(AuditEvent.select().where(AuditEvent.action == action))
    assert len(events) == 1, [(e.action, e.email) for e in AuditEvent.select()]
    return events[0]


def test_an_invitation_is_audited_with_the_inviter(admin, mailbox):
    actor, browser = admin
    post_form(browser, "/admin/invitations",
              {"email": "kofi@example.org", "role": "member", "region_id": region("africa").id})
    event = _only("invited")
    assert (event.actor_id, event.email, event.ip) == (actor.id, "kofi@example.org", "127.0.0.1")
    assert "member" in event.detail and "Africa" in event.detail


def test_joining_is_audited_with_the_new_member(app, client, mailbox):
    with app.test_request_context():
        token = services.invite("kofi@example.org", "member", region("africa").id)
    post_form(client, f"/invitations/{token}", {
        "name": "Kofi Mensah", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    event = _only("joined")
    assert event.actor.email == "kofi@example.org"
    assert (event.target_id, event.ip) == (event.actor_id, "127.0.0.1")


def test_signing_in_is_audited(client, make_member):
    member = make_member(email="amina@example.org")
    login(client, member.email)
    event = _only("logged_in")
    assert (event.actor_id, event.email, event.ip) == (member.id, member.email, "127.0.0.1")


def test_a_wrong_password_is_audited_against_the_account(client, make_member):
    member = make_member(email="amina@example.org")
    login(client, member.email, "not the password")
    event = _only("login_failed")
    assert (event.target_id, event.actor_id, event.email, event.ip) == (
        member.id, None, member.email, "127.0.0.1")


def test_a_failed_sign_in_for_an_unknown_address_is_audited_with_the_address(client):
    login(client, "Nobody@Example.org", "not the password")
    event = _only("login_failed")
    assert (event.target_id, event.email) == (None, "nobody@example.org")


def test_signing_out_is_audited(client, make_member):
    member = make_member(email="amina@example.org", password=None)
    sign_in_as(client, member)
    post_form(client, "/logout", csrf_from="/")
    assert _only("logged_out").actor_id == member.id


def test_a_password_reset_is_audited(app, client, make_member, mailbox):
    member = make_member(email="amina@example.org", password=None)
    post_form(client, "/password/reset", {"email": member.email})
    assert _only("reset_requested").target_id == member.id
    link = link_in(mailbox.last_to(member.email), "/password/reset/")
    post_form(client, link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    event = _only("reset")
    assert (event.actor_id, event.target_id, event.ip) == (member.id, member.id, "127.0.0.1")


def test_a_role_change_is_audited_with_before_and_after(admin, make_member):
    actor, browser = admin
    member = make_member(email="amina@example.org", password=None)
    post_form(browser, f"/admin/members/{member.id}/role",
              {"role": "moderator", "region_ids": region("africa").id},
              csrf_from=f"/admin/members/{member.id}")
    event = _only("role_changed")
    assert (event.actor_id, event.target_id) == (actor.id, member.id)
    assert event.detail == "member -> moderator"


def test_disabling_a_member_is_audited_with_the_reason(admin, make_member):
    actor, browser = admin
    member = make_member(email="amina@example.org", password=None)
    post_form(browser, f"/admin/members/{member.id}/status",
              {"disabled": "true", "reason": "Left the ministry"},
              csrf_from=f"/admin/members/{member.id}")
    event = _only("disabled")
    assert (event.actor_id, event.target_id, event.detail) == (
        actor.id, member.id, "Left the ministry")


def test_a_throttled_sign_in_is_audited(client, make_member):
    member = make_member(email="amina@example.org")
    key, _ = services._throttle_keys(member.email, "")
    ThrottleEvent.insert_many([{"key": key}] * services.ACCOUNT_FAILURE_LIMIT).execute()
    login(client, member.email, PASSWORD)
    assert _only("login_throttled").email == member.email


# --- who reads it ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_administrators_may_read_the_audit_log(client, make_member, role):
    member = make_member(role=role, moderates=("africa",) if role == "moderator" else (),
                         password=None)
    sign_in_as(client, member)
    response = client.get("/audit")
    assert response.status_code == 403
    assert "Logged in" not in response.get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_audit_log(client):
    response = client.get("/audit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_audit_log_filtered_by_action_shows_only_that_action(admin, make_member):
    _, browser = admin
    member = make_member(email="amina@example.org")
    login(browser.application.test_client(), member.email, "not the password")
    login(browser.application.test_client(), member.email)
    page = browser.get("/audit?action=login_failed")
    assert page.status_code == 200
    events = [row.find_all("td")[1].get_text(strip=True)
              for row in soup(page).select("table tbody tr")]
    assert events == ["Failed login"]
    everything = browser.get("/audit")
    assert "Logged in" in everything.get_data(as_text=True)
