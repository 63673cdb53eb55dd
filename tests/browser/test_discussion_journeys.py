"""The discussion journeys of issue 4, clicked through in Chromium against the live app.

Members of Africa start a thread and reply with a quote, and the thread shows as unread until
it is read; a moderator schedules a deliberation that a member in another time zone answers;
a member flags a reply and the region's moderator hides it, after which the others no longer
see it.
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from r2pnet.discussions import services as discussions
from r2pnet.discussions.schemas import ThreadSchema
from r2pnet.extensions import db
from tests.helpers import region, text_of
from tests.browser.pages import nav, sign_in

pytestmark = pytest.mark.browser

TITLE = "Sharing early-warning alerts across borders"
OPENING = ("How do your ministries *share* alerts with neighbouring countries?\n\n"
           "We are drafting a protocol with two neighbours.")
ANSWER = "We use a shared hotline, tested every quarter."
PILLAR_1 = "Pillar I: the protection responsibilities of the State"
LEAKED_REPLY = "Here is the draft cable from our embassy, marked confidential."
LEAKED_WORD = "passphrase"  # only in the reply
FLAG_NOTE = "It quotes a classified cable."
HIDE_REASON = "Shares a confidential document"
MEETING = "Quarterly deliberation: early warning and elections"
AGENDA = "1. Alerts shared across borders\n2. Elections in the coming year"
JOIN_URL = "https://meet.example.org/africa-quarterly"


def open_space(page, name):
    """Discussions, then a space by its name."""
    nav(page).get_by_role("link", name="Discussions").click()
    expect(page.get_by_role("heading", name="Discussions")).to_be_visible()
    page.get_by_role("link", name=re.compile("^" + re.escape(name))).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def listed_thread(page, title):
    """A thread's row in a space's list."""
    return page.locator(".thread-list li").filter(
        has=page.get_by_role("link", name=title, exact=True))


def post(page, number):
    return page.locator(f"li#post-{number}")


def described(page, term):
    """The value beside a term of a page's description list."""
    return page.locator(f"dt:text-is(\"{term}\") + dd")


def three_weeks_ahead_at_two_in_berlin():
    """A start time the organiser in Berlin types: 14:00 on a day three weeks from now."""
    day = dt.datetime.now(ZoneInfo("Europe/Berlin")).date() + dt.timedelta(days=21)
    return dt.datetime.combine(day, dt.time(14, 0), tzinfo=ZoneInfo("Europe/Berlin"))


def test_member_starts_a_thread_in_their_region_and_a_peer_replies_with_a_quote(
        app, new_page, make_member):
    with db.connection_context():
        make_member(email="amina@example.org", name="Amina Diallo", region_key="africa")
        make_member(email="kofi@example.org", name="Kofi Mensah", region_key="africa")

    # A member opens their region's space and starts a thread, classified by pillar and tag.
    author = new_page()
    sign_in(author, "amina@example.org")
    open_space(author, "Africa")
    expect(author.get_by_text("No threads here yet")).to_be_visible()
    author.get_by_role("link", name="New thread").click()
    expect(author.get_by_role("heading", name="New thread in Africa")).to_be_visible()
    author.get_by_label("Title").fill(TITLE)
    author.get_by_label("Opening post").fill(OPENING)
    expect(author.get_by_label(PILLAR_1)).to_be_hidden()  # folded away until asked for
    author.get_by_text("Classification and related lessons").click()
    author.get_by_label(PILLAR_1).check()
    author.get_by_label("Tags", exact=True).fill("Early Warning")
    author.get_by_role("button", name="Start the thread").click()

    expect(author.get_by_text("Thread started.")).to_be_visible()
    expect(author).to_have_url(re.compile(r"/threads/\d+$"))
    thread_path = re.search(r"/threads/\d+$", author.url).group(0)
    expect(author.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(author.locator("header .badge", has_text=PILLAR_1)).to_be_visible()
    expect(author.locator("header .badge", has_text="#early warning")).to_be_visible()
    expect(post(author, 1).locator("em")).to_have_text("share")
    open_space(author, "Africa")
    expect(listed_thread(author, TITLE)).to_contain_text("0 replies")
    expect(listed_thread(author, TITLE)).not_to_contain_text("unread")  # one's own post is read

    # A peer of the region finds the thread in the space and quotes the opening post.
    peer = new_page()
    sign_in(peer, "kofi@example.org")
    open_space(peer, "Africa")
    expect(listed_thread(peer, TITLE)).to_contain_text("by Amina Diallo")
    listed_thread(peer, TITLE).get_by_role("link", name=TITLE).click()
    expect(peer.get_by_role("heading", name=TITLE)).to_be_visible()
    post(peer, 1).get_by_role("link", name="Quote").click()

    expect(peer.get_by_role("heading", name=f"Reply to “{TITLE}”")).to_be_visible()
    expect(peer.get_by_text("Quoting #1 by Amina Diallo.")).to_be_visible()
    reply_box = peer.get_by_label("Your reply")
    expect(reply_box).to_have_value(re.compile(
        r"^> \*\*Amina Diallo\*\* wrote \(#1\):\n>\n"
        r"> How do your ministries \*share\* alerts with neighbouring countries\?\n>\n"
        r"> We are drafting a protocol with two neighbours\.\n"))
    reply_box.fill(reply_box.input_value() + ANSWER)
    peer.get_by_role("button", name="Post reply").click()

    # The reply is shown below the opening post, quoting it.
    expect(peer.get_by_text("Reply posted.")).to_be_visible()
    expect(peer).to_have_url(re.compile(re.escape(thread_path) + r"\?page=1#post-2$"))
    answer = post(peer, 2)
    expect(answer).to_contain_text("Kofi Mensah")
    expect(answer.get_by_role("link", name="#1 by Amina Diallo")).to_be_visible()
    expect(answer).to_contain_text("In reply to #1 by Amina Diallo")
    expect(answer.locator("blockquote")).to_contain_text(
        "We are drafting a protocol with two neighbours.")
    expect(answer.locator("blockquote strong")).to_have_text("Amina Diallo")
    expect(answer).to_contain_text(ANSWER)
    expect(answer.locator("blockquote")).not_to_contain_text(ANSWER)

    # The author sees the thread unread in the space, reads it, and it is read.
    author.reload()
    thread_row = listed_thread(author, TITLE)
    expect(thread_row).to_contain_text("1 reply")
    expect(thread_row).to_contain_text("by Kofi Mensah")
    expect(thread_row.locator(".badge")).to_have_text("1 unread")
    thread_row.get_by_role("link", name=TITLE).click()
    expect(post(author, 2)).to_contain_text(ANSWER)
    expect(post(author, 2).locator(".badge", has_text="New")).to_be_visible()
    expect(post(author, 1).locator(".badge", has_text="New")).to_have_count(0)
    author.go_back()
    author.reload()
    expect(listed_thread(author, TITLE)).to_contain_text("1 reply")
    expect(listed_thread(author, TITLE).get_by_text("unread")).to_have_count(0)


def test_moderator_schedules_a_deliberation_and_a_member_in_another_time_zone_attends(
        app, new_page, make_member, mailbox):
    with db.connection_context():
        make_member(email="fatou@example.org", name="Fatou Sow", role="moderator",
                    region_key="africa", moderates=("africa",), timezone="Europe/Berlin")
        make_member(email="ngozi@example.org", name="Ngozi Okafor", region_key="africa",
                    timezone="Africa/Nairobi")
    berlin = three_weeks_ahead_at_two_in_berlin()
    nairobi = berlin.astimezone(ZoneInfo("Africa/Nairobi"))
    nairobi_end = nairobi + dt.timedelta(minutes=90)

    # The moderator schedules a deliberation for Africa, in their own (Berlin) time.
    moderator = new_page()
    sign_in(moderator, "fatou@example.org")
    nav(moderator).get_by_role("link", name="Deliberations").click()
    expect(moderator.get_by_role("heading", name="Deliberations", exact=True)).to_be_visible()
    moderator.get_by_role("link", name="Schedule a deliberation").click()
    expect(moderator.get_by_role("heading", name="Schedule a deliberation")).to_be_visible()
    expect(moderator.get_by_label("Region").locator("option:checked")).to_have_text("Africa")
    expect(moderator.get_by_label("Time zone of that time")).to_have_value("Europe/Berlin")
    moderator.get_by_label("Title").fill(MEETING)
    moderator.get_by_label("Agenda").fill(AGENDA)
    moderator.get_by_label("Date").fill(berlin.strftime("%Y-%m-%d"))
    moderator.get_by_label("Start time").fill("14:00")
    moderator.get_by_label("Duration (minutes)").fill("90")
    moderator.get_by_label("Link to join").fill(JOIN_URL)
    moderator.get_by_role("button", name="Schedule", exact=True).click()

    expect(moderator.get_by_text("Deliberation scheduled; the region's members have been told.")
           ).to_be_visible()
    expect(moderator.get_by_role("heading", name=MEETING)).to_be_visible()
    expect(described(moderator, "When (your time)")).to_contain_text(
        berlin.strftime("%A %d %B %Y, 14:00 ") + berlin.tzname())
    expect(described(moderator, "Organiser's time")).to_have_text(
        berlin.strftime("%A %d %B %Y, 14:00 Europe/Berlin"))
    expect(moderator.get_by_text("Nobody has answered yet.")).to_be_visible()
    deliberation_path = re.search(r"/deliberations/\d+$", moderator.url).group(0)

    # The member is told by email, in their own time zone.
    told = text_of(mailbox.last_to("ngozi@example.org"))
    assert f"When: {nairobi:%A %d %B %Y, %H:%M} to {nairobi_end:%H:%M} EAT " \
           "(Africa/Nairobi, your time zone)" in told
    assert "Organiser's time: 14:00 Europe/Berlin" in told
    assert deliberation_path in told

    # The member finds it in their region's space, at Nairobi time.
    member = new_page()
    sign_in(member, "ngozi@example.org")
    open_space(member, "Africa")
    upcoming = member.get_by_role("region", name="Next deliberations")
    expect(upcoming.get_by_role("listitem")).to_contain_text(
        f"{nairobi:%a %d %b, %H:%M} EAT (14:00 Europe/Berlin)")
    upcoming.get_by_role("link", name=MEETING).click()

    expect(member.get_by_role("heading", name=MEETING)).to_be_visible()
    expect(described(member, "When (your time)")).to_have_text(
        f"{nairobi:%A %d %B %Y, %H:%M} EAT to {nairobi_end:%H:%M} EAT")
    expect(described(member, "Join").get_by_role("link", name=JOIN_URL)).to_be_visible()
    expect(member.locator(".deliberation-agenda li")).to_have_text(
        ["Alerts shared across borders", "Elections in the coming year"])
    expect(member.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    # ... answers that they will attend, and the answer is kept.
    attendance = member.get_by_role("complementary", name="Attendance")
    expect(attendance).to_contain_text("0 attending · 0 maybe · 0 cannot attend")
    attendance.get_by_role("button", name="I will attend").click()
    expect(member.get_by_text("Your answer is recorded")).to_be_visible()
    expect(attendance).to_contain_text("1 attending · 0 maybe · 0 cannot attend")
    expect(attendance.get_by_role("button", name="I will attend")
           ).to_have_attribute("aria-pressed", "true")
    member.reload()
    expect(attendance.get_by_role("group", name=re.compile("Will you attend"))
           ).to_contain_text("(you said: I will attend)")
    expect(attendance.get_by_role("button", name="I will attend")
           ).to_have_attribute("aria-pressed", "true")
    expect(attendance.get_by_role("button", name="Maybe")).not_to_have_attribute(
        "aria-pressed", "true")

    # The list of deliberations shows it at Nairobi time with the member's answer.
    nav(member).get_by_role("link", name="Deliberations").click()
    expect(member.get_by_text("Times are shown in your time zone (Africa/Nairobi)")
           ).to_be_visible()
    listed = member.get_by_role("region", name="Upcoming").get_by_role("listitem")
    expect(listed).to_contain_text(f"{nairobi:%a %d %b %Y, %H:%M} EAT")
    expect(listed).to_contain_text("1 attending · 0 maybe")
    expect(listed).to_contain_text("You: I will attend")

    # The moderator sees who will attend.
    moderator.reload()
    expect(moderator.locator("#who-answered")).to_have_text("Ngozi Okafor: I will attend")


def test_member_flags_a_reply_and_the_moderator_hides_it_so_other_members_no_longer_see_it(
        app, new_page, make_member, mailbox):
    with db.connection_context():
        amina = make_member(email="amina@example.org", name="Amina Diallo", region_key="africa")
        kofi = make_member(email="kofi@example.org", name="Kofi Mensah", region_key="africa",
                           password=None)  # never signs in
        make_member(email="ngozi@example.org", name="Ngozi Okafor", region_key="africa")
        make_member(email="fatou@example.org", name="Fatou Sow", role="moderator",
                    region_key="africa", moderates=("africa",))
        opening = ThreadSchema().load({"title": TITLE, "body_md": OPENING})
        thread = discussions.create_thread(amina, region("africa").id, opening).thread
        discussions.reply(kofi, thread, f"{LEAKED_REPLY} Ask me for the {LEAKED_WORD}.")
    thread_path = f"/threads/{thread.id}"

    # A third member of the region reads the reply before anything happens.
    reader = new_page()
    sign_in(reader, "ngozi@example.org")
    reader.goto(thread_path)
    expect(post(reader, 2)).to_contain_text(LEAKED_REPLY)

    # The opening post's author flags the reply as a breach of confidentiality.
    flagger = new_page()
    sign_in(flagger, "amina@example.org")
    flagger.goto(thread_path)
    expect(post(flagger, 1).get_by_role("link", name="Flag")).to_have_count(0)  # her own post
    post(flagger, 2).get_by_role("link", name="Flag").click()
    expect(flagger.get_by_role("heading", name="Flag reply #2 for the moderators")
           ).to_be_visible()
    flagger.get_by_label("Breach of confidentiality").check()
    flagger.get_by_label(re.compile(r"^Note for the moderators")).fill(FLAG_NOTE)
    flagger.get_by_role("button", name="Flag", exact=True).click()
    expect(flagger.get_by_text("Thank you: the moderators will review it.")).to_be_visible()
    expect(post(flagger, 2)).to_contain_text(LEAKED_REPLY)  # one flag hides nothing yet

    # The region's moderator finds it in the queue and hides it with a reason.
    moderator = new_page()
    sign_in(moderator, "fatou@example.org")
    nav(moderator).get_by_role("link", name="Moderation").click()
    expect(moderator.get_by_role("heading", name="Moderation queue")).to_be_visible()
    flagged = moderator.locator("li.queue-entry")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(f"Reply #2 in {TITLE} by Kofi Mensah")
    expect(flagged).to_contain_text("1 open flag")
    expect(flagged).to_contain_text(
        f"Amina Diallo: Breach of confidentiality — “{FLAG_NOTE}”")
    expect(flagged.locator(".queue-excerpt")).to_contain_text(LEAKED_REPLY)
    flagged.get_by_label("Reason for hiding").fill(HIDE_REASON)
    flagged.get_by_role("button", name="Hide", exact=True).click()
    expect(moderator.get_by_text("Hidden: the author is told why.")).to_be_visible()
    expect(moderator.get_by_text("Nothing is waiting for review.")).to_be_visible()

    # The moderator still sees the reply in the thread, marked hidden with the reason.
    moderator.goto(thread_path)
    expect(post(moderator, 2).locator(".badge", has_text="Hidden")).to_have_text(
        f"Hidden: {HIDE_REASON}")
    expect(post(moderator, 2).get_by_role("button", name="Unhide")).to_be_visible()

    # The author is told why by email.
    told = mailbox.last_to("kofi@example.org")
    assert told["Subject"] == "Your reply is hidden"
    assert f"Reason: {HIDE_REASON}" in text_of(told)

    # The third member no longer sees it: not in the thread, the space or the search.
    reader.reload()
    expect(post(reader, 1)).to_contain_text("We are drafting a protocol")
    expect(post(reader, 2)).to_have_count(0)
    expect(reader.get_by_text(LEAKED_REPLY)).to_have_count(0)
    expect(reader.get_by_role("main")).to_contain_text("0 replies")
    open_space(reader, "Africa")
    expect(listed_thread(reader, TITLE)).to_contain_text("0 replies")
    expect(listed_thread(reader, TITLE)).not_to_contain_text("Kofi Mensah")
    nav(reader).get_by_label("Site search").fill(LEAKED_WORD)
    nav(reader).get_by_label("Site search").press("Enter")
    expect(reader.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    expect(reader.get_by_role("region", name=re.compile(r"^Replies"))).to_contain_text(
        "No replies match.")
