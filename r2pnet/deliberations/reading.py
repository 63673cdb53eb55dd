"""Reading deliberations: lists, upcoming per region, answers, attendance, links, form values."""
import datetime as dt

from peewee import JOIN, fn

from r2pnet import permissions
from r2pnet.deliberations.models import (ANSWERS, Attendance, Deliberation, DeliberationAction,
                                         DeliberationLesson, DeliberationThread)
from r2pnet.deliberations.timing import in_zone, is_over
from r2pnet.discussions.models import Thread
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, ModeratorRegion, Region, utcnow

# The longest deliberation: what started earlier than this ago is over for sure.
LONGEST = dt.timedelta(minutes=600)
PAST_PAGE_SIZE = 20
UPCOMING_LIMIT = 100


def get_visible(deliberation_id, viewer):
    """The deliberation (with its region) if `viewer` may read it, else None."""
    return (Deliberation.visible_to(viewer)
            .select_extend(Region)
            .join(Region, on=(Deliberation.region == Region.id))
            .where(Deliberation.id == deliberation_id)
            .first())


def listing(viewer, region_id=None, page=1, now=None):
    """(upcoming, past, total past) of the deliberations `viewer` may read, cancelled included.

    Upcoming: not yet over, soonest first. Past: over, latest first, a page at a time.
    """
    now = now or utcnow()
    base = (Deliberation.visible_to(viewer)
            .select_extend(Region)
            .join(Region, on=(Deliberation.region == Region.id)))
    if region_id is not None:
        base = base.where(Deliberation.region == region_id)
    recent = list(base.where(Deliberation.starts_at >= now - LONGEST)
                  .order_by(Deliberation.starts_at, Deliberation.id)
                  .limit(UPCOMING_LIMIT))
    upcoming = [d for d in recent if not is_over(d, now)]
    ended = [d for d in reversed(recent) if is_over(d, now)]
    older = base.where(Deliberation.starts_at < now - LONGEST)
    past = list(older.order_by(Deliberation.starts_at.desc(), Deliberation.id.desc())
                .paginate(page, PAST_PAGE_SIZE))
    if page == 1:
        past = ended + past
    return upcoming, past, older.count() + len(ended)


def upcoming_for_region(viewer, region_id, limit=3, now=None):
    """The next deliberations of a region that `viewer` may read (cancelled ones left out)."""
    now = now or utcnow()
    rows = (Deliberation.visible_to(viewer)
            .where(Deliberation.region == region_id, Deliberation.cancelled_at.is_null(),
                   Deliberation.starts_at >= now - LONGEST)
            .order_by(Deliberation.starts_at, Deliberation.id)
            .limit(limit + 10))
    return [d for d in rows if not is_over(d, now)][:limit]


def answers_of(member, deliberation_ids):
    """{deliberation id: answer} of one member for some deliberations."""
    if not deliberation_ids:
        return {}
    return dict(Attendance.select(Attendance.deliberation, Attendance.answer)
                .where(Attendance.member == member.id,
                       Attendance.deliberation.in_(list(deliberation_ids)))
                .tuples())


def attendance_counts(deliberation_ids):
    """{deliberation id: {answer: count}} for some deliberations, in one query."""
    counts = {i: dict.fromkeys(ANSWERS, 0) for i in deliberation_ids}
    if not deliberation_ids:
        return counts
    rows = (Attendance.select(Attendance.deliberation, Attendance.answer,
                              fn.COUNT(Attendance.id))
            .where(Attendance.deliberation.in_(list(deliberation_ids)))
            .group_by(Attendance.deliberation, Attendance.answer)
            .tuples())
    for deliberation_id, answer, count in rows:
        counts[deliberation_id][answer] = count
    return counts


def attendance_of(deliberation):
    """Every answer with its member, by answer then name (for the region's moderators)."""
    rows = (Attendance.select(Attendance, Member)
            .join(Member, on=(Attendance.member == Member.id))
            .where(Attendance.deliberation == deliberation.id)
            .order_by(Member.name))
    order = list(ANSWERS)
    return sorted(rows, key=lambda row: order.index(row.answer) if row.answer in order else 9)


def linked_threads(deliberation, viewer):
    """The linked threads `viewer` may read; the others are not mentioned at all."""
    return list(Thread.visible_to(viewer)
                .join(DeliberationThread, on=(DeliberationThread.thread == Thread.id))
                .where(DeliberationThread.deliberation == deliberation.id)
                .order_by(DeliberationThread.id))


def linked_lessons(deliberation, viewer):
    """The linked lessons `viewer` may read; the others are not mentioned at all."""
    return list(Lesson.visible_to(viewer)
                .join(DeliberationLesson, on=(DeliberationLesson.lesson == Lesson.id))
                .where(DeliberationLesson.deliberation == deliberation.id)
                .order_by(DeliberationLesson.id))


def actions_of(deliberation):
    """The follow-up actions with their owners, by due date."""
    return list(DeliberationAction.select(DeliberationAction, Member)
                .join(Member, JOIN.LEFT_OUTER, on=(DeliberationAction.owner == Member.id))
                .where(DeliberationAction.deliberation == deliberation.id)
                .order_by(DeliberationAction.due_on.is_null(), DeliberationAction.due_on,
                          DeliberationAction.id))


def region_members(region_id):
    """Active members of a region and its moderators, by name: who may own an action."""
    moderators = (ModeratorRegion.select(ModeratorRegion.member)
                  .where(ModeratorRegion.region == region_id))
    return list(Member.active()
                .where((Member.region == region_id) | Member.id.in_(moderators))
                .order_by(Member.name))


def schedulable_regions(member):
    """The regions `member` may schedule deliberations for, by name."""
    if permissions.is_administrator(member):
        return list(Region.ordered())
    ids = list(permissions.moderated_region_ids(member)) if member.is_active else []
    return list(Region.ordered().where(Region.id.in_(ids))) if ids else []


def form_values(deliberation):
    """A deliberation as the values of its edit form (local date and time in its own zone)."""
    local = in_zone(deliberation.starts_at, deliberation.timezone)
    threads = (DeliberationThread.select(DeliberationThread.thread)
               .where(DeliberationThread.deliberation == deliberation.id)
               .order_by(DeliberationThread.id).tuples())
    lessons = (DeliberationLesson.select(DeliberationLesson.lesson)
               .where(DeliberationLesson.deliberation == deliberation.id)
               .order_by(DeliberationLesson.id).tuples())
    return {"region_id": str(deliberation.region_id), "title": deliberation.title,
            "agenda_md": deliberation.agenda_md, "date": local.strftime("%Y-%m-%d"),
            "time": local.strftime("%H:%M"), "timezone": deliberation.timezone,
            "duration_minutes": str(deliberation.duration_minutes),
            "join_url": deliberation.join_url, "location": deliberation.location,
            "threads": ", ".join(str(t) for (t,) in threads),
            "lessons": ", ".join(str(lesson) for (lesson,) in lessons),
            "version": deliberation.version}


def outcome_values(deliberation):
    """The outcome form's values: the summary and one row per action."""
    values = {"summary_md": deliberation.outcome_md, "version": deliberation.version}
    for n, action in enumerate(actions_of(deliberation)):
        values.update({f"action-{n}-description": action.description,
                       f"action-{n}-owner": str(action.owner_id or ""),
                       f"action-{n}-owner_name": action.owner_name,
                       f"action-{n}-due_on": action.due_on.isoformat() if action.due_on else ""})
    return values
