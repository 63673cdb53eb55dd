"""The digest journey, clicked through in Chromium against the live app.

A member chooses a daily digest at seven, previews it and finds their region's new thread,
receives it by email from the test SMTP server, follows its link to the thread; then opens
the one-click unsubscribe link, which only asks, and unsubscribes by pressing the button.
"""
import re

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from r2pnet.digests.models import DigestSettings
from r2pnet.digests.planner import plan_now
from r2pnet.digests.sender import send_due
from r2pnet.extensions import db
from tests.browser.pages import sign_in
from tests.helpers import html_of
from tests.moderation_helpers import make_thread

pytestmark = pytest.mark.browser

NEWS = "Hate speech monitoring before the elections"


def frequency_of(member):
    with db.connection_context():
        return DigestSettings.get(DigestSettings.member == member.id).frequency


def test_member_sets_a_daily_digest_previews_it_receives_it_and_follows_its_link(
        app, live_server, new_page, make_member, mailbox):
    # Links in the email must lead to this live server, as they lead to BASE_URL in production.
    app.config["BASE_URL"] = live_server
    with db.connection_context():
        amina = make_member(email="amina@example.org", name="Amina Diallo", region_key="africa")
        kofi = make_member(email="kofi@example.org", name="Kofi Mensah", region_key="africa")
        make_thread(kofi, title=NEWS)

    # From her profile page to the digest settings: daily, at seven in her time zone.
    page = new_page()
    sign_in(page, "amina@example.org")
    page.goto("/profile")
    page.get_by_role("link", name="Digest email: how often and when").click()
    expect(page.get_by_role("heading", name="Your digest")).to_be_visible()
    expect(page.get_by_role("radio", name="Weekly")).to_be_checked()
    page.get_by_role("radio", name="Daily").check()
    page.get_by_label("Time of day").select_option(label="07:00")
    page.get_by_role("button", name="Save digest settings").click()
    expect(page.get_by_text("Digest settings saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("radio", name="Daily")).to_be_checked()
    expect(page.get_by_role("radio", name="Weekly")).not_to_be_checked()
    expect(page.get_by_label("Time of day")).to_have_value("7")

    # The preview shows her region's new thread (also waiting for a first reply).
    page.get_by_role("link", name="Preview your next digest").click()
    expect(page.get_by_role("heading", name="Africa this period")).to_be_visible()
    new_threads = page.locator("h3:text-is('New threads') + ul")
    expect(new_threads.get_by_role("link", name=NEWS)).to_be_visible()

    # The digest goes out, daily, to the test SMTP server.
    with db.connection_context():
        assert plan_now(member_id=amina.id) == 1
        assert send_due(member_id=amina.id) == {"sent": 1}
    msg = mailbox.last_to("amina@example.org")
    assert "daily digest: Africa" in str(msg["Subject"])
    assert NEWS not in str(msg["Subject"])
    email = BeautifulSoup(html_of(msg), "html.parser")
    link = email.find("a", string=NEWS)
    assert link is not None, html_of(msg)
    assert link["href"].startswith(live_server + "/threads/"), link["href"]

    # Following the link from the email lands on the thread.
    page.goto(link["href"])
    expect(page).to_have_url(re.compile(r"/threads/\d+$"))
    expect(page.get_by_role("heading", name=NEWS)).to_be_visible()

    # The one-click unsubscribe address: opening it (as a link scanner would) only asks.
    unsubscribe = str(msg["List-Unsubscribe"]).strip().strip("<>")  # a long header is folded
    assert unsubscribe.startswith(live_server + "/unsubscribe/"), unsubscribe
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    mail_client = new_page()  # not signed in: a mail client or a scanner
    mail_client.goto(unsubscribe)
    expect(mail_client.get_by_role("heading", name="Unsubscribe from the r2pnet digest?")
           ).to_be_visible()
    button = mail_client.get_by_role("button", name="Unsubscribe")
    expect(button).to_be_visible()
    assert frequency_of(amina) == "daily"

    button.click()
    expect(mail_client.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert frequency_of(amina) == "off"
    page.goto("/settings/digest")
    expect(page.get_by_role("radio", name="Off: send me no digest")).to_be_checked()
    expect(page.get_by_label("Time of day")).to_have_value("7")
