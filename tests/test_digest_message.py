"""The digest email: parts, headers, absolute links to each item, nothing injectable."""
import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from r2pnet.accounts import services as accounts
from r2pnet.digests.compose import compose
from r2pnet.digests.message import digest_message
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.sender import send_due
from r2pnet.digests.tokens import member_for_unsubscribe_token
from r2pnet.discussions.models import Post, Thread
from r2pnet.members.models import Member, utcnow
from tests.helpers import html_of, region, text_of
from tests.moderation_helpers import make_reply, make_thread
from tests.test_deliberations import schedule

BASE = "http://r2pnet.test"
MONDAY = dt.datetime(2026, 11, 30, 8, 0)


def delivery_for(member, frequency="weekly", due_at=MONDAY):
    return DigestDelivery(member=member.id, period="2026-W49", frequency=frequency,
                          due_at=due_at, since=due_at - dt.timedelta(days=7),
                          next_attempt_at=due_at)


def message(member, frequency="weekly", due_at=MONDAY):
    member = Member.get_by_id(member.id)
    now = utcnow() + dt.timedelta(minutes=1)
    digest = compose(member, now - dt.timedelta(days=7), now)
    return digest_message(member, digest, delivery_for(member, frequency, due_at))


@pytest.fixture
def world(make_member, make_lesson):
    """Amina (Africa) with one of each item in her digest."""
    amina = make_member(name="Amina Diallo", email="amina@example.org", region_key="africa",
                        password=None)
    kofi = make_member(name="Kofi Boateng", region_key="africa", password=None)
    moderator = make_member(role="moderator", region_key="africa", moderates=("africa",),
                            password=None)
    old = make_thread(kofi, title="Border monitoring")
    Thread.update(created_at=utcnow() - dt.timedelta(days=20)).where(
        Thread.id == old.id).execute()
    Post.update(created_at=utcnow() - dt.timedelta(days=20)).where(Post.thread == old.id).execute()
    make_reply(kofi, old, "News, @[Amina Diallo].")
    fresh = make_thread(kofi, title="Early warning desk")
    lesson = make_lesson(kofi, title="A lesson on courts")
    deliberation = schedule(moderator, title="Quarterly review",
                            date=(utcnow() + dt.timedelta(days=4)).date().isoformat(),
                            time="10:00", timezone="UTC")
    return {"amina": amina, "old": old, "fresh": fresh, "lesson": lesson,
            "deliberation": deliberation}


def links(html):
    return [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")]


def test_text_and_html_parts_with_absolute_links_straight_to_each_item(world, mailbox):
    msg = message(world["amina"])

    text, html = text_of(msg), html_of(msg)
    old, fresh = world["old"], world["fresh"]
    lesson, deliberation = world["lesson"], world["deliberation"]
    expected = [f"{BASE}/threads/{fresh.id}", f"{BASE}/threads/{old.id}?page=1#post-2",
                f"{BASE}/lessons/{lesson.id}", f"{BASE}/deliberations/{deliberation.id}",
                f"{BASE}/deliberations/{deliberation.id}.ics"]
    hrefs = links(html)
    for url in expected:
        assert url in hrefs, url
        assert url in text, url
    assert all(href.startswith(BASE + "/") for href in hrefs), hrefs
    assert all(url.startswith(BASE + "/") for url in re.findall(r"\w+://\S+", text))
    assert "Kofi Boateng mentioned you in" in text
    assert "<img" not in html and "<script" not in html
    assert 'style="' in html  # the CSS is inlined for mail clients


def test_headers_name_the_period_and_region_and_offer_one_click_unsubscribe(world, app):
    msg = message(world["amina"])

    assert msg["Subject"] == "Your r2pnet digest: Africa, week of 30 November 2026"
    assert msg["From"] == "r2pnet digest <digest@r2pnet.localhost>"
    assert msg["To"] == "Amina Diallo <amina@example.org>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Id"] == "r2pnet digest <digest.r2pnet.r2pnet.test>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"] and msg["Date"]
    unsubscribe = re.fullmatch(r"<(http://r2pnet\.test/unsubscribe/([^>]+))>",
                               msg["List-Unsubscribe"])
    assert unsubscribe, msg["List-Unsubscribe"]
    assert member_for_unsubscribe_token(unsubscribe.group(2)).id == world["amina"].id
    assert unsubscribe.group(1) in links(html_of(msg))


def test_the_subject_of_a_daily_digest_uses_the_members_local_day(make_member):
    member = make_member(region_key="europe", timezone="Asia/Tokyo", password=None)
    # 20:00 UTC on 29 November is already 30 November in Tokyo.
    msg = message(member, "daily", dt.datetime(2026, 11, 29, 20, 0))
    assert msg["Subject"] == "Your r2pnet daily digest: Europe, 30 November 2026"


def test_the_unsubscribe_address_follows_the_base_urls_scheme(world, app):
    app.config["BASE_URL"] = "https://r2pnet.example.org"
    msg = message(world["amina"])
    assert msg["List-Unsubscribe"].startswith("<https://r2pnet.example.org/unsubscribe/")
    assert msg["List-Id"] == "r2pnet digest <digest.r2pnet.r2pnet.example.org>"
    assert all(urlsplit(href).scheme == "https" for href in links(html_of(msg)))


def test_titles_and_names_cannot_inject_headers_or_markup(make_member, mailbox):
    amina = make_member(name="Amina\r\nBcc: spy@evil.example", region_key="africa",
                        email="amina@example.org", password=None)
    kofi = make_member(region_key="africa", password=None)
    Thread.create(region=region("africa"), author=kofi,
                  title="Evil\r\nBcc: spy@evil.example\r\n<script>alert(1)</script>")

    msg = message(amina)

    headers = msg.as_bytes().split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and msg["Bcc"] is None
    assert "Evil" not in msg["Subject"] and "spy" not in msg["Subject"]
    assert "\n" not in msg["To"] and "\r" not in msg["To"]
    html = html_of(msg)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert not BeautifulSoup(html, "html.parser").find_all("script")
    assert "- Evil Bcc: spy@evil.example <script>" in text_of(msg)  # one line in the text


def test_the_digest_goes_out_through_smtp_with_its_headers(world, mailbox):
    amina = Member.get_by_id(world["amina"].id)
    now = utcnow() + dt.timedelta(minutes=1)
    DigestDelivery.create(member=amina.id, period="test", frequency="weekly", due_at=now,
                          since=now - dt.timedelta(days=7), next_attempt_at=now)

    assert send_due(now=now) == {"sent": 1}

    received = mailbox.last_to("amina@example.org")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long value is folded onto the next line; unfolding leaves the leading space.
    assert received["List-Unsubscribe"].strip().startswith(f"<{BASE}/unsubscribe/")
    assert "Early warning desk" in text_of(received)


def test_account_mail_carries_no_list_unsubscribe_header(app, mailbox):
    with app.test_request_context():
        accounts.invite("newcomer@example.org", "member", region("africa").id)
    invitation = mailbox.last_to("newcomer@example.org")
    assert invitation["List-Unsubscribe"] is None
    assert invitation["List-Id"] is None
    assert "digest" not in invitation["From"]
