"""Planning digests: one row per member and period, at the member's local send time."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r2pnet import scheduler
from r2pnet.digests.models import DigestDelivery
from r2pnet.digests.planner import latest_due, plan
from r2pnet.members.models import Member
from tests.digest_helpers import deliveries, digest_member, news_in, recipients, travel, utc

# Monday 1 June 2026 is in ISO week 23. Monday 08:00 local, in UTC:
MONDAY_EIGHT = {
    "Pacific/Auckland": utc(2026, 5, 31, 20, 0),  # NZST, UTC+12: still Sunday in UTC
    "Asia/Kolkata": utc(2026, 6, 1, 2, 30),  # IST, UTC+5:30
    "Europe/Berlin": utc(2026, 6, 1, 6, 0),  # CEST, UTC+2
    "America/New_York": utc(2026, 6, 1, 12, 0),  # EDT, UTC-4
}
WEDNESDAY_BEFORE = utc(2026, 5, 27, 12, 0)


def _quarter_hours(start, end):
    when = start
    while when <= end:
        yield when
        when += dt.timedelta(minutes=15)


def test_members_in_four_zones_each_get_theirs_at_their_local_monday_eight(
        app, make_member, mailbox):
    members = {zone: digest_member(make_member, zone, joined=WEDNESDAY_BEFORE)
               for zone in MONDAY_EIGHT}
    with travel(utc(2026, 5, 29, 10, 0)):
        news_in(make_member)
    jobs = scheduler.build(app)
    first_seen = {}
    with travel(utc(2026, 5, 31, 12, 0)) as clock:
        for now in _quarter_hours(utc(2026, 5, 31, 12, 0), utc(2026, 6, 1, 14, 0)):
            clock.move_to(now.replace(tzinfo=dt.UTC))
            jobs.get_job("plan_digests").func()
            jobs.get_job("send_digests").func()
            for row in deliveries():
                first_seen.setdefault(row.member_id, now)

    for zone, due in MONDAY_EIGHT.items():
        member = members[zone]
        assert first_seen[member.id] == due, zone  # not a quarter of an hour before, nor after
        [row] = deliveries(member)
        assert (row.period, row.frequency, row.due_at, row.since, row.status, row.sent_at) == (
            "2026-W23", "weekly", due, due - dt.timedelta(days=7), "sent", due), zone
    assert recipients(mailbox.messages) == sorted(m.email for m in members.values())


@pytest.mark.parametrize("zone, earlier, later", [
    # Europe/Berlin: clocks go forward on Sunday 29 March, back on Sunday 25 October 2026.
    ("Europe/Berlin", utc(2026, 3, 23, 7, 0), utc(2026, 3, 30, 6, 0)),
    ("Europe/Berlin", utc(2026, 10, 19, 6, 0), utc(2026, 10, 26, 7, 0)),
    # America/New_York: forward on Sunday 8 March, back on Sunday 1 November 2026.
    ("America/New_York", utc(2026, 3, 2, 13, 0), utc(2026, 3, 9, 12, 0)),
    ("America/New_York", utc(2026, 10, 26, 12, 0), utc(2026, 11, 2, 13, 0)),
], ids=["berlin-spring", "berlin-autumn", "new-york-spring", "new-york-autumn"])
def test_monday_eight_local_is_found_in_utc_across_daylight_saving_changes(
        app, make_member, zone, earlier, later):
    member = digest_member(make_member, zone, joined=earlier - dt.timedelta(days=2))
    for previous, due in ((earlier - dt.timedelta(days=7), earlier), (earlier, later)):
        assert latest_due("weekly", 0, 8, zone, due)[1] == due
        assert latest_due("weekly", 0, 8, zone, due - dt.timedelta(minutes=1))[1] == previous
        with travel(due - dt.timedelta(minutes=1)):
            plan()
        assert due not in [row.due_at for row in deliveries(member)]
        with travel(due):
            assert plan() == 1
            assert plan() == 0
    assert [row.due_at for row in deliveries(member)] == [earlier, later]
    assert deliveries(member)[1].since == earlier  # the week after covers from the week before


def test_a_daily_digest_is_due_at_the_local_hour_every_day_even_on_the_change_day(
        app, make_member):
    member = digest_member(make_member, "Europe/Berlin", joined=utc(2026, 3, 27, 12, 0),
                           frequency="daily", hour=8)
    # Saturday 28 March 08:00 CET, Sunday 29 (the change) 08:00 CEST, Monday 30 08:00 CEST.
    dues = [utc(2026, 3, 28, 7, 0), utc(2026, 3, 29, 6, 0), utc(2026, 3, 30, 6, 0)]
    for due in dues:
        with travel(due - dt.timedelta(minutes=1)):
            plan()
        assert len(deliveries(member)) == dues.index(due)
        with travel(due):
            assert plan() == 1
            assert plan() == 0
    rows = deliveries(member)
    assert [(r.period, r.frequency, r.due_at) for r in rows] == [
        ("2026-03-28", "daily", dues[0]), ("2026-03-29", "daily", dues[1]),
        ("2026-03-30", "daily", dues[2])]
    assert [r.since for r in rows[1:]] == dues[:2]


def test_a_local_hour_skipped_by_the_clock_change_falls_at_the_moment_after():
    # 02:00 does not exist in Berlin on 29 March 2026 (01:59 CET is followed by 03:00 CEST).
    assert latest_due("daily", 0, 2, "Europe/Berlin", utc(2026, 3, 29, 12, 0)) == (
        "2026-03-29", utc(2026, 3, 29, 1, 0))
    # 02:00 happens twice on 25 October 2026: the first one counts, and the day has one row.
    assert latest_due("daily", 0, 2, "Europe/Berlin", utc(2026, 10, 25, 12, 0)) == (
        "2026-10-25", utc(2026, 10, 25, 0, 0))


def test_the_repeated_hour_in_autumn_plans_one_daily_digest(app, make_member):
    member = digest_member(make_member, "Europe/Berlin", joined=utc(2026, 10, 24, 12, 0),
                           frequency="daily", hour=2)
    with travel(utc(2026, 10, 24, 22, 0)) as clock:
        for now in _quarter_hours(utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 4, 0)):
            clock.move_to(now.replace(tzinfo=dt.UTC))
            plan()
    assert [(r.period, r.due_at) for r in deliveries(member)] == [
        ("2026-10-25", utc(2026, 10, 25, 0, 0))]


def test_a_weekday_and_hour_of_the_members_choice_are_honoured(app, make_member):
    # Friday 16:00 in Kolkata is 10:30 UTC; Friday 5 June 2026 is still ISO week 23.
    member = digest_member(make_member, "Asia/Kolkata", joined=utc(2026, 5, 29, 12, 0),
                           weekday=4, hour=16)
    with travel(utc(2026, 6, 5, 10, 29)):
        assert plan() == 0
    with travel(utc(2026, 6, 5, 10, 30)):
        assert plan() == 1
    assert [(r.period, r.due_at) for r in deliveries(member)] == [
        ("2026-W23", utc(2026, 6, 5, 10, 30))]


def test_a_member_who_joined_after_the_send_time_waits_for_the_next_period(app, make_member):
    # Joined on Monday at 09:00 Berlin time, an hour after that week's digests.
    member = digest_member(make_member, "Europe/Berlin", joined=utc(2026, 6, 1, 7, 0))
    with travel(utc(2026, 6, 1, 20, 0)):
        assert plan() == 0
    with travel(utc(2026, 6, 8, 5, 59)):
        assert plan() == 0
    with travel(utc(2026, 6, 8, 6, 0)):
        assert plan() == 1
    [row] = deliveries(member)
    assert (row.period, row.due_at) == ("2026-W24", utc(2026, 6, 8, 6, 0))


def test_disabled_members_and_members_who_turned_digests_off_get_no_row(app, make_member):
    digest_member(make_member, joined=WEDNESDAY_BEFORE, frequency="off")
    digest_member(make_member, joined=WEDNESDAY_BEFORE, stopped_at=utc(2026, 5, 28))
    disabled = digest_member(make_member, joined=WEDNESDAY_BEFORE)
    Member.update(disabled_at=utc(2026, 5, 29)).where(Member.id == disabled.id).execute()
    wanted = digest_member(make_member, joined=WEDNESDAY_BEFORE)
    with travel(utc(2026, 6, 1, 9, 0)):
        assert plan() == 1
    assert [row.member_id for row in deliveries()] == [wanted.id]


def test_a_scheduler_down_for_a_fortnight_plans_one_digest_covering_both_weeks(
        app, make_member):
    member = digest_member(make_member, "Europe/Berlin", joined=WEDNESDAY_BEFORE)
    with travel(utc(2026, 6, 1, 6, 0)):
        plan()
    with travel(utc(2026, 6, 15, 9, 0)):  # down from just after W23 until W25's send time
        assert plan() == 1
    rows = deliveries(member)
    assert [(r.period, r.due_at, r.since) for r in rows] == [
        ("2026-W23", utc(2026, 6, 1, 6, 0), utc(2026, 5, 25, 6, 0)),
        ("2026-W25", utc(2026, 6, 15, 6, 0), utc(2026, 6, 1, 6, 0))]


def test_a_scheduler_back_six_hours_after_the_send_time_plans_and_sends_it_once(
        app, make_member, mailbox):
    member = digest_member(make_member, "Europe/Berlin", joined=WEDNESDAY_BEFORE,
                           email="amina@example.org")
    due = MONDAY_EIGHT["Europe/Berlin"]
    with travel(due - dt.timedelta(days=2)):
        news_in(make_member)
    jobs = scheduler.build(app)
    with travel(due + dt.timedelta(hours=6)) as clock:  # nothing ran from Sunday until now
        for _ in range(2):
            jobs.get_job("plan_digests").func()
            jobs.get_job("send_digests").func()
            clock.shift(dt.timedelta(minutes=1))
    [row] = deliveries(member)
    assert (row.period, row.due_at, row.status, row.attempts) == ("2026-W23", due, "sent", 1)
    assert row.sent_at == due + dt.timedelta(hours=6)
    assert recipients(mailbox.messages) == ["amina@example.org"]
    assert DigestDelivery.select().count() == 1


ZONES = ["UTC", "Pacific/Auckland", "Asia/Kolkata", "Europe/Berlin", "America/New_York",
         "Australia/Lord_Howe"]  # Lord Howe moves its clocks by half an hour


def _exists(local, zone):
    """Whether a naive local time happens in `zone` (not skipped by a clock change)."""
    aware = local.replace(tzinfo=ZoneInfo(zone))
    return aware.astimezone(dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local


@settings(max_examples=300, deadline=None)
@given(frequency=st.sampled_from(["weekly", "daily"]), weekday=st.integers(0, 6),
       hour=st.integers(0, 23), zone=st.sampled_from(ZONES),
       now=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31)))
def test_the_latest_send_time_is_the_local_hour_of_the_current_period(
        frequency, weekday, hour, zone, now):
    period, due = latest_due(frequency, weekday, hour, zone, now)
    length = dt.timedelta(days=7 if frequency == "weekly" else 1)
    assert due <= now < due + length + dt.timedelta(hours=1)  # a clock change: an hour more
    local = due.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    wanted = dt.datetime.combine(local.date(), dt.time(hour))
    if local.replace(tzinfo=None) != wanted:
        # Only when the clocks jump over that hour on that day: then the moment after the jump.
        assert not _exists(wanted, zone)
        assert wanted < local.replace(tzinfo=None) <= wanted + dt.timedelta(hours=1)
    if frequency == "weekly":
        assert local.weekday() == weekday
        year, week, _ = local.isocalendar()
        assert period == f"{year}-W{week:02d}"
    else:
        assert period == local.date().isoformat()
