"""Planning: one delivery row per member and period once the member's local send time passes.

Every decision is stored: the row is unique on (member, period), so planning twice, late, or
from two schedulers at once creates it once. Periods are computed in the member's own zone.
"""
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import JOIN, fn

from r2pnet.digests.models import (DEFAULT_FREQUENCY, DEFAULT_HOUR, DEFAULT_WEEKDAY,
                                   DigestDelivery, DigestSettings)
from r2pnet.extensions import db
from r2pnet.members.models import Member, utcnow

PERIOD_DAYS = {"weekly": 7, "daily": 1}


def _zone(name):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def latest_due(frequency, weekday, hour, zone_name, now):
    """(period key, due_at UTC) of the latest local send time at or before `now` (naive UTC)."""
    zone = _zone(zone_name)
    local_now = now.replace(tzinfo=dt.UTC).astimezone(zone)
    day = local_now.date()
    if frequency == "weekly":
        day -= dt.timedelta(days=(day.weekday() - weekday) % 7)
    step = dt.timedelta(days=PERIOD_DAYS[frequency])
    while True:
        # A local hour that does not exist (clocks jump forward) maps to the moment after.
        local = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
        due = local.astimezone(dt.UTC).replace(tzinfo=None)
        if due <= now:
            break
        day -= step
    key = f"{day.isocalendar().year}-W{day.isocalendar().week:02d}" \
        if frequency == "weekly" else day.isoformat()
    return key, due


def plan(now=None, member_id=None):
    """Create the delivery rows that are due (returns how many were created)."""
    now = now or utcnow()
    rows = (Member.select(Member.id, Member.timezone, Member.created_at,
                          DigestSettings.frequency, DigestSettings.weekday, DigestSettings.hour,
                          DigestSettings.stopped_at)
            .join(DigestSettings, JOIN.LEFT_OUTER, on=(DigestSettings.member == Member.id))
            .where(Member.disabled_at.is_null())
            .tuples())
    if member_id is not None:
        rows = rows.where(Member.id == member_id)
    wanted = {}
    for member, zone, joined, frequency, weekday, hour, stopped in rows:
        frequency = frequency or DEFAULT_FREQUENCY
        if frequency not in PERIOD_DAYS or stopped is not None:
            continue
        weekday = DEFAULT_WEEKDAY if weekday is None else weekday
        hour = DEFAULT_HOUR if hour is None else hour
        period, due = latest_due(frequency, weekday, hour, zone, now)
        if due < joined:
            continue  # the member joined after this period's send time: wait for the next
        wanted[(member, period)] = (frequency, due)
    if not wanted:
        return 0
    since = _previous_due(list({m for m, _ in wanted}))
    created = 0
    items = list(wanted.items())
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        payload = [{"member": member, "period": period, "frequency": frequency, "due_at": due,
                    "since": since.get(member) or due - dt.timedelta(days=PERIOD_DAYS[frequency]),
                    "status": "pending", "next_attempt_at": due, "created_at": now}
                   for (member, period), (frequency, due) in chunk]
        with db.atomic():
            created += (DigestDelivery.insert_many(payload)
                        .on_conflict_ignore().as_rowcount().execute()) or 0
    return created


def _previous_due(member_ids):
    """{member id: due_at of their latest digest}: the next one covers what came after."""
    found = {}
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start:start + 500]
        for member, last in (DigestDelivery.select(DigestDelivery.member,
                                                   fn.MAX(DigestDelivery.due_at))
                             .where(DigestDelivery.member.in_(chunk))
                             .group_by(DigestDelivery.member).tuples()):
            found[member] = last
    return found


def plan_now(member_id=None, now=None):
    """Plan the current period's digest at once, as if the local send time had come."""
    now = now or utcnow()
    rows = (Member.select(Member.id, DigestSettings.frequency)
            .join(DigestSettings, JOIN.LEFT_OUTER, on=(DigestSettings.member == Member.id))
            .where(Member.disabled_at.is_null()).tuples())
    if member_id is not None:
        rows = rows.where(Member.id == member_id)
    since = _previous_due([member for member, _ in rows])
    payload = []
    for member, frequency in rows:
        frequency = frequency or DEFAULT_FREQUENCY
        if frequency not in PERIOD_DAYS:
            continue
        key = f"{now:%Y-%m-%d}-now" if frequency == "daily" else \
            f"{now.isocalendar().year}-W{now.isocalendar().week:02d}-now"
        payload.append({"member": member, "period": key, "frequency": frequency, "due_at": now,
                        "since": since.get(member) or now - dt.timedelta(
                            days=PERIOD_DAYS[frequency]),
                        "status": "pending", "next_attempt_at": now, "created_at": now})
    created = 0
    for start in range(0, len(payload), 500):
        with db.atomic():
            created += (DigestDelivery.insert_many(payload[start:start + 500])
                        .on_conflict_ignore().as_rowcount().execute()) or 0
    return created
