"""Every state-changing request needs a valid CSRF token; GET never changes state."""
import time

import pytest
import time_machine

from r2pnet.accounts import services
from r2pnet.accounts.models import Invitation
from tests.helpers import PASSWORD, csrf_token, region
from tests.security_helpers import (alert_text, database_snapshot, example_url, is_signed_in,
                                    rules_with)
from tests.signin import sign_in_as

NEW_PASSWORD = "a brand new passphrase for 2025"
# One-click unsubscribe (RFC 8058): mail clients post without a session or token; the signed
# unsubscribe token stands in for both (tests/test_unsubscribe.py).
CSRF_EXEMPT = {"digests.unsubscribe"}


class World:
    """The people and links the forms below act on, made on demand (hashing is slow)."""

    def __init__(self, app, make_member, member_password=None):
        self.app, self.make_member = app, make_member
        self.member_password = member_password
        self._admin = self._member = None

    @property
    def admin(self):
        if self._admin is None:
            self._admin = self.make_member(email="admin@example.org", role="administrator",
                                           region_key=None, password=None)
        return self._admin

    @property
    def member(self):
        if self._member is None:
            self._member = self.make_member(email="amina@example.org", name="Amina Diallo",
                                            password=self.member_password)
        return self._member

    def invitation(self):
        with self.app.test_request_context():
            token = services.invite("newcomer@example.org", "member", region("africa").id)
        return token, Invitation.get(Invitation.email == "newcomer@example.org")

    def reset_token(self):
        with self.app.test_request_context():
            return services.request_password_reset(self.member.email)

    def setup_token(self):
        with self.app.test_request_context():
            return services.create_setup_link()


# name -> (who is signed in, build(world) -> (path, form data))
FORMS = {
    "login": (None, lambda w: ("/login", {"email": w.member.email, "password": PASSWORD})),
    "logout": ("member", lambda w: ("/logout", {})),
    "edit own profile": ("member", lambda w: ("/profile", {
        "name": "Renamed", "timezone": "UTC", "email_visibility": "network"})),
    "digest settings": ("member", lambda w: ("/settings/digest", {
        "frequency": "daily", "weekday": "2", "hour": "9"})),
    "change password": ("member", lambda w: ("/profile/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD})),
    "invite": ("admin", lambda w: ("/admin/invitations", {
        "email": "newcomer@example.org", "role": "member", "region_id": region("africa").id})),
    "revoke invitation": ("admin", lambda w: (
        f"/admin/invitations/{w.invitation()[1].id}/revoke", {})),
    "change role": ("admin", lambda w: (f"/admin/members/{w.member.id}/role", {
        "role": "moderator", "region_ids": region("africa").id})),
    "disable member": ("admin", lambda w: (f"/admin/members/{w.member.id}/status", {
        "disabled": "true", "reason": "left"})),
    "edit a member's profile": ("admin", lambda w: (f"/members/{w.member.id}/edit", {
        "name": "Renamed", "timezone": "UTC", "email_visibility": "network"})),
    "create region": ("admin", lambda w: ("/admin/regions/new", {
        "key": "oceania", "name": "Oceania"})),
    "edit region": ("admin", lambda w: (f"/admin/regions/{region('africa').id}", {
        "key": "africa", "name": "Africa renamed"})),
    "ask for a reset": (None, lambda w: ("/password/reset", {"email": w.member.email})),
    "reset password": (None, lambda w: (f"/password/reset/{w.reset_token()}", {
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})),
    "accept invitation": (None, lambda w: (f"/invitations/{w.invitation()[0]}", {
        "name": "Newcomer", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})),
    "set up first administrator": (None, lambda w: (f"/setup/{w.setup_token()}", {
        "email": "first@example.org", "name": "First Admin", "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD})),
}


def _browser(app, world, who):
    browser = app.test_client()
    if who is not None:
        sign_in_as(browser, getattr(world, who))
    return browser


@pytest.mark.parametrize("form", FORMS)
def test_a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing(app, make_member,
                                                                         mailbox, form):
    who, build = FORMS[form]
    # Only the forms that check the member's password pay for hashing one.
    world = World(app, make_member, PASSWORD if form in ("login", "change password") else None)
    path, data = build(world)
    browser = _browser(app, world, who)
    stranger_token = csrf_token(app.test_client(), "/login")
    mailbox.clear()
    before = database_snapshot()
    for token in (None, "", "not-a-token", stranger_token):
        forged = dict(data) if token is None else {**data, "csrf_token": token}
        response = browser.post(path, data=forged)
        assert response.status_code == 400, (token, response.status_code)
        assert "The form has expired" in response.get_data(as_text=True)
        assert database_snapshot() == before, token
    assert mailbox.messages == []
    assert is_signed_in(browser) == (who is not None)
    # The very same form with the page's own token goes through: the data above was valid.
    token = csrf_token(browser, "/password/reset")  # a page every visitor may open
    response = browser.post(path, data={**data, "csrf_token": token})
    assert response.status_code in (200, 302), alert_text(response)
    assert database_snapshot() != before


def test_every_post_route_refuses_a_signed_in_request_without_a_token(app, make_member, client):
    member = make_member(role="administrator", region_key=None, password=None)
    sign_in_as(client, member)
    before = database_snapshot()
    accepted = []
    for rule in rules_with(app, "POST"):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = example_url(app, rule, member_id=member.id, region_id=region("africa").id)
        response = client.post(url, data={"name": "Forged", "disabled": "true"})
        # The JSON API refuses a session write without X-CSRFToken with a 403 problem.
        if response.status_code != (403 if rule.endpoint.startswith("api.") else 400):
            accepted.append((url, response.status_code))
    assert accepted == []
    assert database_snapshot() == before
    assert is_signed_in(client)


def test_every_post_route_refuses_an_anonymous_request_without_a_token(app, client):
    before = database_snapshot()
    accepted = []
    for rule in rules_with(app, "POST"):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        response = client.post(example_url(app, rule), data={"email": "x@example.org"})
        # The JSON API answers a call with neither session nor token 401.
        if response.status_code != (401 if rule.endpoint.startswith("api.") else 400):
            accepted.append((rule.rule, response.status_code))
    assert accepted == []
    assert database_snapshot() == before


def test_a_token_in_a_header_from_another_session_is_refused(app, make_member, client):
    sign_in_as(client, make_member(password=None))
    stranger_token = csrf_token(app.test_client(), "/login")
    response = client.post("/logout", headers={"X-CSRFToken": stranger_token})
    assert response.status_code == 400
    assert is_signed_in(client)


def test_a_session_keeps_one_token_that_its_forms_accept_and_other_sessions_refuse(
        app, make_member, client):
    member = make_member(password=None)
    sign_in_as(client, member)
    other = sign_in_as(app.test_client(), make_member(email="other@example.org", password=None))

    tokens = {csrf_token(client, path) for path in ("/", "/members", "/lessons", "/profile")}
    theirs = csrf_token(other, "/")

    assert len(tokens) == 1 and theirs not in tokens
    assert client.post("/logout", headers={"X-CSRFToken": theirs}).status_code == 400
    assert is_signed_in(client)
    assert client.post("/logout", headers={"X-CSRFToken": tokens.pop()}).status_code == 302
    assert not is_signed_in(client)


def test_signing_in_again_gives_a_new_token(app, make_member, client):
    member = make_member(password=None)
    sign_in_as(client, member)
    before = csrf_token(client, "/")
    client.post("/logout", headers={"X-CSRFToken": before})
    sign_in_as(client, member)

    after = csrf_token(client, "/")

    assert after != before
    assert client.post("/logout", headers={"X-CSRFToken": before}).status_code == 400


# --- GET never changes state ---------------------------------------------------------------------

def test_opening_every_page_as_an_administrator_changes_nothing(app, make_member, client):
    world = World(app, make_member)
    sign_in_as(client, world.admin)
    invitation_token, _ = world.invitation()
    tokens = {"accounts.accept_invitation": invitation_token,
              "accounts.reset_password": world.reset_token(),
              "accounts.setup": world.setup_token()}
    before = database_snapshot()
    opened = []
    for rule in rules_with(app, "GET"):
        if rule.endpoint in ("static", "bootstrap.static"):
            continue
        url = example_url(app, rule, member_id=world.member.id, region_id=region("africa").id,
                          token=tokens.get(rule.endpoint, "example"))
        response = client.get(url + "?name=Renamed&disabled=true&role=member")
        opened.append((url, response.status_code))
        assert database_snapshot() == before, url
    assert len(opened) >= 10
    assert is_signed_in(client)


def test_opening_secret_links_does_not_use_them_up(app, client, make_member):
    world = World(app, make_member)  # nobody signs in: no password needed
    invitation_token, _ = world.invitation()
    reset_token = world.reset_token()
    before = database_snapshot()
    for _ in range(2):
        assert client.get(f"/invitations/{invitation_token}").status_code == 200
        assert client.get(f"/password/reset/{reset_token}").status_code == 200
    assert database_snapshot() == before


def test_logout_over_get_is_refused_even_with_a_valid_token(make_member, client):
    sign_in_as(client, make_member(password=None))
    token = csrf_token(client, "/")
    assert client.get(f"/logout?csrf_token={token}").status_code == 405
    assert is_signed_in(client)


def test_the_token_a_session_gets_on_its_first_page_is_the_one_its_later_pages_use(
        app, make_member, client):
    sign_in_as(client, make_member(password=None))
    with time_machine.travel(time.time() + 60, tick=False) as traveller:
        first = csrf_token(client, "/")  # the page that makes the session's secret
        traveller.shift(5)  # the same secret signed again now would read differently
        assert {csrf_token(client, path) for path in ("/", "/members", "/lessons")} == {first}
