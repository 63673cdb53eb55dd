"""The personal access token journey, clicked through in Chromium against the live app.

A member opens her profile, goes to her tokens, makes a read token and sees it once, lets a
program call the API with it, sees when and from where it was last used, revokes it, and the
program is refused from then on.
"""
import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from r2pnet.extensions import db
from tests.browser.pages import nav, sign_in

pytestmark = pytest.mark.browser


def call_me(live_server, token):
    """GET /api/v1/me as a program would: (status, JSON body)."""
    request = urllib.request.Request(f"{live_server}/api/v1/me",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_member_makes_a_read_token_uses_it_sees_its_use_and_revokes_it(
        live_server, new_page, make_member):
    with db.connection_context():
        amina = make_member(email="amina@example.org", name="Amina Diallo")

    page = new_page()
    sign_in(page, "amina@example.org")
    nav(page).get_by_role("link", name="Amina Diallo").click()
    page.get_by_role("link", name="Personal access tokens").click()
    expect(page.get_by_role("heading", name="Personal access tokens")).to_be_visible()
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()

    # A read token for a dashboard, kept 30 days: shown once, with the note to copy it.
    page.get_by_label("Name").fill("Regional dashboard")
    page.get_by_role("radio", name="Read only").check()
    page.get_by_label("Expires after").select_option(label="30 days")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("Copy it now: it is shown only this once.")).to_be_visible()
    token = page.get_by_label(re.compile(r"^Token")).input_value()
    assert token.startswith("r2p_")

    # The program's call works as Amina.
    status, body = call_me(live_server, token)
    assert (status, body["id"]) == (200, amina.id)

    # Back on the page (a fresh load): the token is not shown again; its last use is.
    page.goto("/settings/tokens")
    row = page.locator("#token-list tbody tr").filter(has_text="Regional dashboard")
    expect(row.locator(".last-used")).to_contain_text("127.0.0.1")
    expect(row.locator(".token-status")).to_have_text("active")
    expect(row).to_contain_text(token[:10])
    assert token not in page.content()

    # Revoke, after a confirmation; the program is refused at once.
    row.get_by_role("link", name="Revoke Regional dashboard").click()
    expect(page.get_by_role("heading", name=re.compile("Revoke the token"))).to_be_visible()
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    expect(row.locator(".token-status")).to_contain_text("revoked")
    status, body = call_me(live_server, token)
    assert status == 401 and body["status"] == 401

    # The reference the page links to, served here (the CSP would report anything else).
    page.get_by_role("link", name="r2pnet API").click()
    expect(page.get_by_role("heading", name="r2pnet API reference")).to_be_visible()
    page.get_by_role("link", name="GET /api/v1/me", exact=True).click()
    expect(page.locator("#op-get_me")).to_contain_text("Your profile")
