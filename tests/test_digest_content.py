"""What a digest says: per section, only what the member may read when it is sent."""
import datetime as dt

import pytest

from r2pnet.deliberations import services as deliberation_services
from r2pnet.deliberations.models import Cadence, Deliberation
from r2pnet.deliberations.regional import set_weekly_question
from r2pnet.digests.compose import NOTHING_NEW, compose
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.planner import plan
from r2pnet.digests.sender import send_due
from r2pnet.discussions.models import Post, Thread
from r2pnet.knowledge.services import record_application
from r2pnet.members.models import Member, utcnow
from r2pnet.moderation import actions
from r2pnet.moderation.flagging import flag
from tests.helpers import QueryCounter, region, text_of
from tests.moderation_helpers import make_reply, make_thread
from tests.test_deliberations import schedule

DAY = dt.timedelta(days=1)


def window(days=7):
    """(since, now) around what the test just wrote."""
    now = utcnow() + dt.timedelta(minutes=1)
    return now - dt.timedelta(days=days), now


def age(item, days):
    """Pretend a thread (and its posts) or a post was written `days` ago."""
    when = utcnow() - dt.timedelta(days=days)
    if isinstance(item, Thread):
        Thread.update(created_at=when, last_activity_at=when).where(
            Thread.id == item.id).execute()
        Post.update(created_at=when).where(Post.thread == item.id).execute()
    else:
        Post.update(created_at=when).where(Post.id == item.id).execute()
    return type(item).get_by_id(item.id)


def fresh(member):
    return Member.get_by_id(member.id)


@pytest.fixture
def people(make_member):
    """An African member, a colleague who writes, a European and an Africa moderator."""
    class People:
        amina = make_member(name="Amina Diallo", region_key="africa", password=None,
                            timezone="Africa/Dakar")
        kofi = make_member(name="Kofi Boateng", region_key="africa", password=None)
        hans = make_member(name="Hans Weber", region_key="europe", password=None)
        moderator = make_member(name="Nia Moderator", role="moderator", region_key="africa",
                                moderates=("africa",), password=None)
    return People


def titles(items):
    return [item.title for item in items]


# --- 1. the member's region --------------------------------------------------------------------

def test_the_region_section_lists_new_threads_new_replies_and_threads_waiting(people):
    old = age(make_thread(people.kofi, title="Old thread with news"), days=20)
    earlier = age(make_reply(people.kofi, old, "Before the period."), days=19)
    make_reply(people.amina, old, "First new reply.")
    make_reply(people.kofi, old, "Second new reply.")
    new = make_thread(people.kofi, title="Fresh thread")
    own = make_thread(people.amina, title="Amina asks")

    digest = compose(fresh(people.amina), *window())

    assert titles(digest.new_threads) == ["Amina asks", "Fresh thread"]
    assert [(t.title, t.count, t.number) for t in digest.replied_threads] == [
        ("Old thread with news", 2, earlier.number + 1)]
    # Her own thread does not wait for her reply; the colleague's does.
    assert titles(digest.waiting_threads) == ["Fresh thread"]
    assert new.id in [t.id for t in digest.waiting_threads]
    assert own.id not in [t.id for t in digest.waiting_threads]
    assert not digest.is_empty and digest.skip_reason == ""


def test_hidden_threads_hidden_posts_and_other_regions_never_appear(people, mailbox):
    hidden = make_thread(people.kofi, title="Hidden thread")
    actions.hide(people.moderator, hidden, reason="Confidential")
    old = age(make_thread(people.kofi, title="Thread with a hidden reply"), days=20)
    reply = make_reply(people.kofi, old, "Hidden reply.")
    actions.hide(people.moderator, old, reply, reason="Confidential")
    make_thread(people.hans, region_key="europe", title="European thread")
    locked = make_thread(people.kofi, title="Locked thread")
    actions.lock(people.moderator, locked)

    digest = compose(fresh(people.amina), *window())

    assert titles(digest.new_threads) == ["Locked thread"]
    assert digest.replied_threads == []
    # Its only reply is hidden, so it still waits; the locked one takes no reply.
    assert titles(digest.waiting_threads) == ["Thread with a hidden reply"]
    text = repr(digest)
    assert "Hidden thread" not in text and "European thread" not in text
    # The region's moderator sees the hidden thread and the hidden reply.
    mod = compose(fresh(people.moderator), *window())
    assert "Hidden thread" in titles(mod.new_threads)
    assert [(t.title, t.count) for t in mod.replied_threads] == [
        ("Thread with a hidden reply", 1)]


def test_the_question_of_the_week_links_its_thread_only_for_readers(people, make_member):
    thread = make_thread(people.kofi, title="About the question")
    set_weekly_question(people.moderator, region("africa").id, "Who trains judges?",
                        thread_id=thread.id)
    actions.hide(people.moderator, thread, reason="Off topic")

    digest = compose(fresh(people.amina), *window())

    assert digest.question.text == "Who trains judges?"
    assert digest.question.thread_id is None and digest.question.is_new
    assert compose(fresh(people.moderator), *window()).question.thread_id == thread.id
    # An old question is shown, but is no reason on its own to send a digest.
    since, now = window()
    later = compose(fresh(people.amina), now, now + DAY)
    assert later.question.text == "Who trains judges?" and not later.question.is_new
    assert later.is_empty and later.skip_reason == NOTHING_NEW


# --- 2. deliberations --------------------------------------------------------------------------

def test_upcoming_deliberations_of_the_next_14_days_in_the_members_zone(people):
    soon = (utcnow() + 3 * DAY).date().isoformat()
    later = (utcnow() + 20 * DAY).date().isoformat()
    near = schedule(people.moderator, title="Soon", date=soon, time="14:00", timezone="UTC")
    schedule(people.moderator, title="Too far", date=later, time="14:00", timezone="UTC")
    called_off = schedule(people.moderator, title="Called off", date=soon, time="16:00",
                          timezone="UTC")
    deliberation_services.cancel_deliberation(people.moderator, called_off)

    digest = compose(fresh(people.amina), *window())

    assert [d.title for d in digest.upcoming] == ["Soon"]
    item = digest.upcoming[0]
    assert item.id == near.id
    # 14:00 UTC is 14:00 in Dakar (UTC+0 all year); the zone is the member's.
    assert item.starts_local.tzinfo.key == "Africa/Dakar"
    assert item.starts_local.strftime("%H:%M") == "14:00"


def test_outcomes_recorded_since_the_last_digest_appear(people):
    held = schedule(people.moderator, title="Held last week")
    Deliberation.update(starts_at=utcnow() - 3 * DAY, outcome_md="Agreed",
                        outcome_html="<p>Agreed</p>", outcome_recorded_at=utcnow()).where(
        Deliberation.id == held.id).execute()

    digest = compose(fresh(people.amina), *window())
    assert [d.title for d in digest.outcomes] == ["Held last week"]
    assert compose(fresh(people.hans), *window()).outcomes == []


# --- 3. lessons --------------------------------------------------------------------------------

def test_new_lessons_region_first_then_matching_expertise_drafts_and_foreign_never(
        people, make_lesson, make_member):
    reader = make_member(name="Reader", region_key="africa", password=None,
                         expertise=("risk_factor_3",))
    make_lesson(people.kofi, title="Network, no match")
    make_lesson(people.kofi, title="Network, matches", risk_factors=[3])
    make_lesson(people.kofi, region_key="africa", title="African lesson")
    make_lesson(people.kofi, title="Draft", publish=False)
    make_lesson(people.hans, region_key="europe", visibility="region", title="Europe only")

    digest = compose(fresh(reader), *window())

    assert titles(digest.new_lessons) == ["African lesson", "Network, matches",
                                          "Network, no match"]
    # The author sees their own draft on the site, but a digest only brings published lessons.
    assert "Draft" not in titles(compose(fresh(people.kofi), *window()).new_lessons)


def test_lessons_newly_applied_are_counted(people, make_lesson):
    lesson = make_lesson(people.hans, title="Applied lesson")
    age_lesson = utcnow() - 30 * DAY
    type(lesson).update(published_at=age_lesson).where(type(lesson).id == lesson.id).execute()
    record_application(people.kofi, lesson, "We used it.")
    record_application(people.hans, lesson, "So did we.")

    digest = compose(fresh(people.amina), *window())

    assert digest.new_lessons == []
    assert [(item.title, item.applications) for item in digest.applied_lessons] == [
        ("Applied lesson", 2)]


def test_the_lists_are_capped(people, make_lesson):
    for n in range(8):
        make_thread(people.kofi, title=f"Thread {n}")
        make_lesson(people.kofi, title=f"Lesson {n}")
    digest = compose(fresh(people.amina), *window())
    assert len(digest.new_threads) == 5 and len(digest.new_lessons) == 5


# --- 4. nudges ---------------------------------------------------------------------------------

def test_a_mention_is_a_nudge_only_in_posts_the_member_can_read(people, mailbox):
    thread = make_thread(people.kofi, title="Ask Amina")
    make_reply(people.kofi, thread, "What do you think, @[Amina Diallo]?")
    digest = compose(fresh(people.amina), *window())
    assert [(m.thread_title, m.number, m.author_name) for m in digest.mentions] == [
        ("Ask Amina", 2, "Kofi Boateng")]
    assert compose(fresh(people.kofi), *window()).mentions == []

    actions.hide(people.moderator, thread, reason="Confidential")
    assert compose(fresh(people.amina), *window()).mentions == []


def test_the_quiet_nudge_needs_four_weeks_without_a_post(people):
    Member.update(created_at=utcnow() - 60 * DAY).where(Member.id == people.amina.id).execute()
    waiting = make_thread(people.kofi, title="Experience wanted")
    own = age(make_thread(people.amina, title="Her old thread"), days=10)

    assert compose(fresh(people.amina), *window()).quiet is None  # she posted 10 days ago

    age(own, days=40)
    digest = compose(fresh(people.amina), *window())
    assert digest.quiet.weeks == 4 and digest.quiet.thread.id == waiting.id
    # A newcomer is not told they have been quiet for four weeks.
    assert compose(fresh(people.kofi), *window()).quiet is None


def test_moderators_are_nudged_about_an_overdue_region_and_waiting_items(people, make_member):
    flagger = make_member(region_key="africa", password=None)
    thread = make_thread(people.kofi, title="Flag me")
    flag(flagger, thread, reason="spam")
    age(make_thread(people.kofi, title="Nobody answers"), days=10)
    Cadence.create(region=region("africa"), every_days=14)
    held = schedule(people.moderator, title="Long ago")
    Deliberation.update(starts_at=utcnow() - 30 * DAY).where(
        Deliberation.id == held.id).execute()

    digest = compose(fresh(people.moderator), *window())

    assert [(o.region_name, o.days_since, o.cadence_days) for o in digest.overdue] == [
        ("Africa", 30, 14)]
    assert (digest.waiting_for_moderator.flagged,
            digest.waiting_for_moderator.unanswered) == (1, 1)
    plain = compose(fresh(people.amina), *window())
    assert plain.overdue == [] and plain.waiting_for_moderator is None


def test_a_region_within_its_cadence_and_a_clean_queue_give_no_moderator_nudge(people):
    held = schedule(people.moderator, title="Recent")
    Deliberation.update(starts_at=utcnow() - 5 * DAY).where(
        Deliberation.id == held.id).execute()
    digest = compose(fresh(people.moderator), utcnow(), utcnow() + dt.timedelta(minutes=1))
    assert digest.overdue == [] and digest.waiting_for_moderator is None
    assert digest.is_empty and digest.skip_reason == NOTHING_NEW


def test_nothing_new_is_an_empty_digest(people):
    age(make_thread(people.kofi, title="Answered long ago"), days=30)
    make_reply(people.amina, Thread.get(Thread.title == "Answered long ago"), "Reply.")
    Post.update(created_at=utcnow() - 30 * DAY).execute()
    digest = compose(fresh(people.hans), *window())
    assert digest.is_empty and digest.skip_reason == NOTHING_NEW


# --- read at send time, bounded queries ----------------------------------------------------------

def test_access_removed_between_planning_and_sending_keeps_the_item_out(people, mailbox):
    make_thread(people.kofi, title="African confidential thread")
    make_thread(people.kofi, region_key=None, title="Network thread")
    amina = fresh(people.amina)
    Member.update(created_at=utcnow() - 30 * DAY).where(Member.id == amina.id).execute()
    plan(now=utcnow() + 8 * DAY, member_id=amina.id)
    delivery = DigestDelivery.get(DigestDelivery.member == amina.id)
    DigestDelivery.update(since=utcnow() - DAY).where(DigestDelivery.id == delivery.id).execute()
    # She moves to Europe after the digest was planned and before it goes out.
    Member.update(region=region("europe")).where(Member.id == amina.id).execute()
    make_thread(people.hans, region_key="europe", title="European thread")

    counts = send_due(now=utcnow() + 8 * DAY, member_id=amina.id)

    assert counts == {"sent": 1}
    text = text_of(mailbox.last_to(amina.email))
    assert "European thread" in text
    assert "African confidential thread" not in text



def test_the_sender_orders_lessons_by_expertise_and_nudges_only_the_quiet(
        people, make_lesson, make_member, mailbox):
    reader = make_member(name="Reader", region_key="africa", password=None,
                         expertise=("risk_factor_3",))
    make_lesson(people.kofi, title="Network, matches", risk_factors=[3])
    make_lesson(people.kofi, title="Network, no match")
    make_thread(people.kofi, title="Experience wanted")
    make_thread(people.amina, title="Amina asks")  # she has posted; the reader never has
    later = utcnow() + 8 * DAY
    for member in (reader, people.amina):
        Member.update(created_at=utcnow() - 60 * DAY).where(Member.id == member.id).execute()
        plan(now=later, member_id=member.id)
    DigestDelivery.update(since=utcnow() - DAY).execute()

    assert send_due(now=later) == {"sent": 2}

    to_reader, to_amina = text_of(mailbox.last_to(reader.email)), text_of(
        mailbox.last_to(people.amina.email))
    assert to_reader.index("Network, matches") < to_reader.index("Network, no match")
    assert to_amina.index("Network, no match") < to_amina.index("Network, matches")
    assert "You have not posted for 4 weeks" in to_reader
    assert "You have not posted" not in to_amina


def _world(people, make_lesson, n):
    for i in range(n):
        thread = make_thread(people.kofi, title=f"T{i}")
        make_reply(people.kofi, age(thread, 20) if i % 2 else thread, f"R {i} @[Amina Diallo]")
        make_lesson(people.kofi, title=f"L{i}", region_key="africa" if i % 2 else None)
        schedule(people.moderator, title=f"D{i}",
                 date=(utcnow() + (i % 10 + 1) * DAY).date().isoformat(), time="10:00",
                 timezone="UTC")


@pytest.mark.parametrize("who", ["amina", "moderator"])
def test_composing_costs_the_same_queries_whatever_the_data(people, make_lesson, mailbox, who):
    Member.update(created_at=utcnow() - 60 * DAY).execute()
    _world(people, make_lesson, 2)
    member = fresh(getattr(people, who))
    with QueryCounter() as few:
        compose(member, *window())
    _world(people, make_lesson, 12)
    member = fresh(getattr(people, who))
    with QueryCounter() as many:
        digest = compose(member, *window())
    assert len(digest.new_threads) == 5
    assert many.count == few.count, many.queries
    assert few.count <= 24
