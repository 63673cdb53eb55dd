"""A send run shares what members may equally see, yet each digest holds only what its reader
may see when it is sent, and costs the same few queries whatever the members and content."""
import datetime as dt

import pytest

from r2pnet.deliberations import services as deliberation_services
from r2pnet.digests.compose import compose
from r2pnet.digests.shared import Shared
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.sender import send_due
from r2pnet.discussions.models import Thread
from r2pnet.extensions import db
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, utcnow
from r2pnet.moderation import actions
from tests.helpers import QueryCounter, region
from tests.moderation_helpers import make_reply, make_thread
from tests.test_deliberations import schedule

DAY = dt.timedelta(days=1)


@pytest.fixture
def window():
    """The period of one send run: the same moment for every digest of the run."""
    now = utcnow() + dt.timedelta(minutes=5)
    return now - 7 * DAY, now


def fresh(member):
    return Member.get_by_id(member.id)


def claimed(member):
    """The member as the sender's claim reads them: with the catalogue versions of that moment."""
    member = fresh(member)
    member.catalogues = tuple(db.execute_sql(
        "SELECT name, generation, counter FROM catalogue_version "
        "WHERE name IN ('deliberations', 'discussions', 'lessons') ORDER BY name"))
    return member


def titles(items):
    return [item.title for item in items]


@pytest.fixture
def africans(make_member):
    """Kofi writes; Amina and Ama read, members of Africa alike; Nia moderates Africa."""
    class People:
        kofi = make_member(name="Kofi Boateng", region_key="africa", password=None)
        amina = make_member(name="Amina Diallo", region_key="africa", password=None)
        ama = make_member(name="Ama Mensah", region_key="africa", password=None)
        nia = make_member(name="Nia Moderator", role="moderator", region_key="africa",
                          moderates=("africa",), password=None)
    return People


# --- what is shared is still checked for each reader ------------------------------------------

def test_a_thread_hidden_during_a_run_is_left_out_of_the_digests_composed_after(window, africans):
    make_thread(africans.kofi, title="Ordinary thread")
    sensitive = make_thread(africans.kofi, title="Sensitive thread")
    shared = Shared()
    first = compose(fresh(africans.amina), *window, shared)
    assert "Sensitive thread" in titles(first.new_threads)

    actions.hide(fresh(africans.nia), sensitive, reason="Names a witness")
    second = compose(fresh(africans.ama), *window, shared)

    assert titles(second.new_threads) == ["Ordinary thread"]
    moderator = compose(fresh(africans.nia), *window, shared)
    assert "Sensitive thread" in titles(moderator.new_threads)


def test_a_lesson_made_region_only_during_a_run_is_left_out_for_other_regions(
        window, africans, make_member, make_lesson):
    hans = make_member(name="Hans Weber", region_key="europe", password=None)
    greta = make_member(name="Greta Lind", region_key="europe", password=None)
    lesson = make_lesson(africans.kofi, title="Courts lesson", region_key="africa")
    shared = Shared()
    assert titles(compose(fresh(hans), *window, shared).new_lessons) == ["Courts lesson"]

    Lesson.update(visibility="region").where(Lesson.id == lesson.id).execute()

    assert compose(fresh(greta), *window, shared).new_lessons == []
    assert titles(compose(fresh(africans.amina), *window, shared).new_lessons) == [
        "Courts lesson"]


def test_lists_read_at_the_same_catalogue_versions_are_not_checked_again(window, africans,
                                                                         make_lesson):
    make_thread(africans.kofi, title="Ordinary thread")
    make_lesson(africans.kofi, title="A lesson")
    shared = Shared()
    compose(claimed(africans.amina), *window, shared)

    ama_as_claimed, ama_as_read = claimed(africans.ama), fresh(africans.ama)
    with QueryCounter() as unchanged:
        same = compose(ama_as_claimed, *window, shared)
    with QueryCounter() as unknown:
        compose(ama_as_read, *window, shared)

    assert titles(same.new_threads) == ["Ordinary thread"]
    assert titles(same.new_lessons) == ["A lesson"]
    assert len(unknown.queries) == len(unchanged.queries) + 1  # the visibility check


def test_a_write_during_a_run_moves_the_versions_and_the_next_digest_is_checked(
        window, africans, make_lesson):
    make_thread(africans.kofi, title="Ordinary thread")
    sensitive = make_thread(africans.kofi, title="Sensitive thread")
    soon = (utcnow() + 3 * DAY).date().isoformat()
    meeting = schedule(africans.nia, title="Regional meeting", date=soon, time="14:00",
                       timezone="UTC")
    lesson = make_lesson(africans.kofi, title="Network lesson")
    shared = Shared()
    first = compose(claimed(africans.amina), *window, shared)
    assert "Sensitive thread" in titles(first.new_threads)
    assert titles(first.upcoming) == ["Regional meeting"]

    actions.hide(fresh(africans.nia), sensitive, reason="Names a witness")
    second = compose(claimed(africans.ama), *window, shared)
    assert titles(second.new_threads) == ["Ordinary thread"]

    deliberation_services.cancel_deliberation(fresh(africans.nia), meeting)
    assert compose(claimed(africans.amina), *window, shared).upcoming == []

    Lesson.update(visibility="region", region=region("europe")).where(
        Lesson.id == lesson.id).execute()
    third = compose(claimed(africans.amina), *window, shared)
    assert third.new_lessons == []


def test_a_member_moved_during_a_run_gets_their_new_regions_lists(window, africans, make_member):
    make_thread(africans.kofi, title="African thread")
    hans = make_member(name="Hans Weber", region_key="europe", password=None)
    make_thread(hans, region_key="europe", title="European thread")
    shared = Shared()
    compose(fresh(africans.amina), *window, shared)

    Member.update(region=region("europe")).where(Member.id == africans.ama.id).execute()
    moved = compose(fresh(africans.ama), *window, shared)

    assert titles(moved.new_threads) == ["European thread"]
    assert moved.region_name == "Europe"


def test_shared_waiting_threads_still_leave_out_the_readers_own(window, africans):
    for n in range(3):
        make_thread(africans.amina, title=f"Amina asks {n}")
    for n in range(4):
        make_thread(africans.kofi, title=f"Kofi asks {n}")
    shared = Shared()

    kofi = compose(fresh(africans.kofi), *window, shared)
    amina = compose(fresh(africans.amina), *window, shared)

    assert not any(title.startswith("Kofi") for title in titles(kofi.waiting_threads))
    assert not any(title.startswith("Amina") for title in titles(amina.waiting_threads))
    assert len(amina.waiting_threads) == 4 and len(kofi.waiting_threads) == 3


def test_more_own_threads_than_the_shared_list_holds_reads_the_readers_own_list(window, africans):
    for n in range(10):
        make_thread(africans.amina, title=f"Amina asks {n:02d}")
    make_thread(africans.kofi, title="Kofi asks, early")
    Thread.update(created_at=utcnow() - DAY).where(Thread.title == "Kofi asks, early").execute()
    shared = Shared()
    compose(fresh(africans.ama), *window, shared)

    amina = compose(fresh(africans.amina), *window, shared)

    assert titles(amina.waiting_threads) == ["Kofi asks, early"]


def test_a_lesson_only_its_author_may_read_is_never_shared(
        window, africans, make_member, make_lesson):
    # Kofi wrote an African region-only lesson, then moved to Europe: he still reads it.
    make_lesson(africans.kofi, title="Kofi's African lesson", region_key="africa",
                visibility="region")
    Member.update(region=region("europe")).where(Member.id == africans.kofi.id).execute()
    hans = make_member(name="Hans Weber", region_key="europe", password=None)
    for first, then in ((africans.kofi, hans), (hans, africans.kofi)):
        shared = Shared()
        digests = {m.id: compose(fresh(m), *window, shared) for m in (first, then)}
        assert titles(digests[africans.kofi.id].new_lessons) == ["Kofi's African lesson"]
        assert digests[hans.id].new_lessons == []


# --- a constant number of queries per digest ---------------------------------------------------

def _deliveries(members, period):
    now = utcnow() + dt.timedelta(minutes=1)
    for member in members:
        DigestDelivery.create(member=member.id, period=period, frequency="weekly", due_at=now,
                              since=now - 7 * DAY, next_attempt_at=now)
    return now


def _queries_to_send(members, period):
    now = _deliveries(members, period)
    with QueryCounter() as counter:
        counts = send_due(now=now)
    assert counts == {"sent": len(members)}
    return counter.count


def _content(author, make_lesson, n):
    for i in range(n):
        thread = make_thread(author, title=f"Thread {n}-{i}")
        Thread.update(created_at=utcnow() - 20 * DAY).where(Thread.id == thread.id).execute()
        make_reply(author, Thread.get_by_id(thread.id), f"Reply {n}-{i}")
        make_thread(author, title=f"New thread {n}-{i}")
        make_lesson(author, title=f"Lesson {n}-{i}", region_key="africa" if i % 2 else None)


def test_each_digest_of_a_run_costs_the_same_few_queries_whatever_the_members_and_content(
        africans, make_member, make_lesson, mailbox):
    _content(africans.kofi, make_lesson, 2)
    readers = [make_member(region_key="africa", password=None) for _ in range(6)]

    one = _queries_to_send(readers[:1], "run-1")
    two = _queries_to_send(readers[:2], "run-2")
    _content(africans.kofi, make_lesson, 8)
    six = _queries_to_send(readers, "run-3")

    per_digest = two - one
    assert six == one + 5 * per_digest, (one, two, six)
    assert per_digest <= 8
    assert len(mailbox.messages) == 1 + 2 + 6
