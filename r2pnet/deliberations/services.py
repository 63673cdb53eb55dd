"""Deliberations: schedule, edit (optimistic locking), cancel, attendance, outcomes, lessons,
cadence and the question of the week."""
import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from r2pnet import mail, markdown, permissions
from r2pnet.audit.services import record
from r2pnet.deliberations.models import (ANSWERS, DEFAULT_CADENCE_DAYS, Attendance, Cadence,
                                         Deliberation, DeliberationAction, DeliberationLesson,
                                         DeliberationThread, WeeklyQuestion)
from r2pnet.discussions.models import Thread
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, ModeratorRegion, Region, utcnow

CONFLICT_MESSAGE = ("Someone else saved this deliberation while you were editing. Your text is "
                    "kept below but not saved: compare with the current version, then save "
                    "again.")
OUTCOME_CONFLICT_MESSAGE = ("Someone else saved the outcome while you were editing. Your text "
                            "is kept below but not saved: compare, then save again.")
FORBIDDEN_MESSAGE = "Only the region's moderators and administrators may do this."
# The longest deliberation: what started earlier than this ago is over for sure.
LONGEST = dt.timedelta(minutes=600)
PAST_PAGE_SIZE = 20
UPCOMING_LIMIT = 100


# --- time --------------------------------------------------------------------------------------

def to_utc(day, time, zone):
    """Naive UTC for a local date and time in `zone`.

    :raise DomainError: when that local time does not exist (clocks jump forward) or happens
        twice (clocks go back): the moderator chooses, nothing is guessed
    """
    tz = ZoneInfo(zone)
    local = dt.datetime.combine(day, time).replace(second=0, microsecond=0)
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
        if back != local:
            raise DomainError(f"{local:%H:%M} does not exist on {local:%d %B %Y} in {zone}: "
                              "the clocks move forward then. Choose another time.", "time")
        raise DomainError(f"{local:%H:%M} happens twice on {local:%d %B %Y} in {zone}: the "
                          "clocks go back then. Choose a time outside that hour.", "time")
    return first.astimezone(dt.UTC).replace(tzinfo=None)


def zone_of(name):
    """A ZoneInfo for a stored zone name (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def in_zone(value, zone):
    """A naive UTC datetime as an aware datetime in `zone`."""
    return value.replace(tzinfo=dt.UTC).astimezone(zone_of(zone))


def ends_at(deliberation):
    """When the deliberation ends (naive UTC)."""
    return deliberation.starts_at + dt.timedelta(minutes=deliberation.duration_minutes)


def is_over(deliberation, now=None):
    return ends_at(deliberation) <= (now or utcnow())


def has_started(deliberation, now=None):
    return deliberation.starts_at <= (now or utcnow())


# --- reading -----------------------------------------------------------------------------------

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


# --- scheduling --------------------------------------------------------------------------------

def _check_links(member, data, allowed_threads=(), allowed_lessons=()):
    """Every linked thread and lesson exists and `member` may read it (or it was linked)."""
    for ids, model, field, allowed, label in (
            (data["thread_ids"], Thread, "threads", allowed_threads, "Thread"),
            (data["lesson_ids"], Lesson, "lessons", allowed_lessons, "Lesson")):
        wanted = [i for i in ids if i not in set(allowed)]
        if not wanted:
            continue
        found = {row.id for row in model.visible_to(member).select(model.id)
                 .where(model.id.in_(wanted))}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise DomainError(f"{label} {missing[0]} does not exist or you may not read it.",
                              field)


def _save_links(deliberation, data, replace=False):
    if replace:
        DeliberationThread.delete().where(
            DeliberationThread.deliberation == deliberation.id).execute()
        DeliberationLesson.delete().where(
            DeliberationLesson.deliberation == deliberation.id).execute()
    if data["thread_ids"]:
        DeliberationThread.insert_many([{"deliberation": deliberation.id, "thread": i}
                                        for i in data["thread_ids"]]).execute()
    if data["lesson_ids"]:
        DeliberationLesson.insert_many([{"deliberation": deliberation.id, "lesson": i}
                                        for i in data["lesson_ids"]]).execute()


def _apply_fields(deliberation, data, starts_at):
    deliberation.title = data["title"]
    deliberation.agenda_md = data["agenda_md"]
    deliberation.agenda_html = markdown.render(data["agenda_md"])
    deliberation.starts_at = starts_at
    deliberation.timezone = data["timezone"]
    deliberation.duration_minutes = data["duration_minutes"]
    deliberation.join_url = data["join_url"]
    deliberation.location = data["location"]


def _when_and_where(deliberation):
    return (deliberation.starts_at, deliberation.duration_minutes, deliberation.join_url,
            deliberation.location)


def _calendar_fields(deliberation):
    """What the .ics file shows: a change makes calendars update (SEQUENCE)."""
    return _when_and_where(deliberation) + (deliberation.title, deliberation.timezone,
                                            deliberation.agenda_md)


def _item(deliberation):
    return f"deliberation:{deliberation.id}"


def schedule_deliberation(scheduler, data, ip=""):
    """A new deliberation from DeliberationSchema data; the region's members are told."""
    region = (Region.get_or_none(Region.id == data["region_id"])
              if data.get("region_id") is not None else None)
    if region is None:
        raise DomainError("Choose a region from the list.", "region_id")
    if not permissions.can_schedule_deliberation(scheduler, region.id):
        raise Forbidden("You may schedule deliberations of your own regions only.", "region_id")
    starts_at = to_utc(data["date"], data["time"], data["timezone"])
    if starts_at <= utcnow():
        raise DomainError("Choose a start time in the future.", "date")
    _check_links(scheduler, data)
    deliberation = Deliberation(region=region, created_by=scheduler,
                                uid=f"deliberation-{uuid.uuid4()}@r2pnet")
    _apply_fields(deliberation, data, starts_at)
    with db.atomic():
        deliberation.save()
        _save_links(deliberation, data)
        record("deliberation_scheduled", actor=scheduler, ip=ip, region=region.id,
               item=_item(deliberation),
               detail=f"{deliberation.title} on {starts_at:%Y-%m-%d %H:%M} UTC")
        _notify(deliberation, region, "scheduled")
    return deliberation


def update_deliberation(editor, deliberation, data, ip=""):
    """Save an edit unless someone saved since; time or place changes are mailed."""
    if not permissions.can_schedule_deliberation(editor, deliberation.region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if deliberation.cancelled_at is not None:
        raise DomainError("This deliberation is cancelled: it can no longer change.")
    expected = data.get("version") or deliberation.version
    starts_at = to_utc(data["date"], data["time"], data["timezone"])
    if starts_at != deliberation.starts_at and starts_at <= utcnow():
        raise DomainError("Choose a start time in the future.", "date")
    linked = (set(DeliberationThread.select(DeliberationThread.thread)
                  .where(DeliberationThread.deliberation == deliberation.id).tuples()),
              set(DeliberationLesson.select(DeliberationLesson.lesson)
                  .where(DeliberationLesson.deliberation == deliberation.id).tuples()))
    _check_links(editor, data, {t for (t,) in linked[0]}, {lesson for (lesson,) in linked[1]})
    before, moved_from = _calendar_fields(deliberation), _when_and_where(deliberation)
    _apply_fields(deliberation, data, starts_at)
    calendar_changed = _calendar_fields(deliberation) != before
    moved = _when_and_where(deliberation) != moved_from
    now = utcnow()
    columns = {"title": deliberation.title, "agenda_md": deliberation.agenda_md,
               "agenda_html": deliberation.agenda_html, "starts_at": starts_at,
               "timezone": deliberation.timezone,
               "duration_minutes": deliberation.duration_minutes,
               "join_url": deliberation.join_url, "location": deliberation.location,
               "updated_at": now, "version": Deliberation.version + 1}
    if calendar_changed:
        columns["sequence"] = Deliberation.sequence + 1
    with db.atomic():
        saved = (Deliberation.update(**columns)
                 .where(Deliberation.id == deliberation.id, Deliberation.version == expected,
                        Deliberation.cancelled_at.is_null())
                 .execute())
        if saved != 1:
            raise Conflict(CONFLICT_MESSAGE)
        deliberation.version = expected + 1
        deliberation.updated_at = now
        if calendar_changed:
            deliberation.sequence += 1
        _save_links(deliberation, data, replace=True)
        record("deliberation_changed", actor=editor, ip=ip, region=deliberation.region_id,
               item=_item(deliberation),
               detail=("time or place changed" if moved else "details changed")
               + f": {deliberation.title} on {starts_at:%Y-%m-%d %H:%M} UTC")
        if moved:
            _notify(deliberation, deliberation.region, "changed")
    return deliberation


def cancel_deliberation(actor, deliberation, reason="", ip=""):
    """Cancel a deliberation that has not started; it stays listed, and calendars follow."""
    if not permissions.can_schedule_deliberation(actor, deliberation.region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if deliberation.cancelled_at is not None:
        raise DomainError("This deliberation is already cancelled.")
    if has_started(deliberation):
        raise DomainError("This deliberation has already started: record its outcome instead.")
    reason = " ".join((reason or "").split())[:500]
    now = utcnow()
    with db.atomic():
        saved = (Deliberation.update(cancelled_at=now, updated_at=now,
                                     sequence=Deliberation.sequence + 1,
                                     version=Deliberation.version + 1)
                 .where(Deliberation.id == deliberation.id, Deliberation.cancelled_at.is_null())
                 .execute())
        if saved != 1:
            raise DomainError("This deliberation is already cancelled.")
        deliberation.cancelled_at, deliberation.updated_at = now, now
        deliberation.sequence += 1
        deliberation.version += 1
        record("deliberation_cancelled", actor=actor, ip=ip, region=deliberation.region_id,
               item=_item(deliberation), reason=reason, detail=deliberation.title)
        _notify(deliberation, deliberation.region, "cancelled", reason=reason)
    return deliberation


SUBJECTS = {"scheduled": "Deliberation scheduled", "changed": "Deliberation moved",
            "cancelled": "Deliberation cancelled"}


def _notify(deliberation, region, kind, reason=""):
    """Mail the region's active members and moderators, each with the time in their zone."""
    organiser = in_zone(deliberation.starts_at, deliberation.timezone)
    for member in region_members(region.id):
        local = in_zone(deliberation.starts_at, member.timezone)
        mail.send_after_commit(mail.build_message(
            "deliberation", (member.name, member.email),
            f"{SUBJECTS[kind]}: {deliberation.title}", kind=kind, member=member,
            deliberation=deliberation, region=region, local=local, organiser=organiser,
            local_end=local + dt.timedelta(minutes=deliberation.duration_minutes),
            reason=reason))


# --- attendance --------------------------------------------------------------------------------

def set_attendance(member, deliberation, answer):
    """Record or change `member`'s answer (one row per member)."""
    if not permissions.can_read_deliberation(member, deliberation):
        raise Forbidden("Only the region's members answer.")
    if answer not in ANSWERS:
        raise DomainError("Answer yes, maybe or no.", "answer")
    if deliberation.cancelled_at is not None:
        raise DomainError("This deliberation is cancelled.")
    if is_over(deliberation):
        raise DomainError("This deliberation is over.")
    now = utcnow()
    with db.atomic():
        (Attendance.insert(deliberation=deliberation.id, member=member.id, answer=answer,
                           updated_at=now)
         .on_conflict(conflict_target=[Attendance.deliberation, Attendance.member],
                      update={Attendance.answer: answer, Attendance.updated_at: now})
         .execute())


# --- outcome -----------------------------------------------------------------------------------

def record_outcome(actor, deliberation, data, ip=""):
    """Save the outcome (summary and follow-up actions) unless someone saved since."""
    if not permissions.can_schedule_deliberation(actor, deliberation.region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if deliberation.cancelled_at is not None:
        raise DomainError("A cancelled deliberation has no outcome.")
    if not has_started(deliberation):
        raise DomainError("Record the outcome once the deliberation has started.")
    owners = {a["owner"] for _, a in data["actions"] if a["owner"] is not None}
    allowed = {m.id for m in region_members(deliberation.region_id)} if owners else set()
    for n, action in data["actions"]:
        if action["owner"] is not None and action["owner"] not in allowed:
            raise DomainError("Choose the owner among the region's members, or type a name.",
                              f"action-{n}-owner")
    expected = data.get("version") or deliberation.version
    now = utcnow()
    html = markdown.render(data["summary_md"])
    with db.atomic():
        saved = (Deliberation.update(outcome_md=data["summary_md"], outcome_html=html,
                                     outcome_recorded_at=now, outcome_by=actor.id,
                                     version=Deliberation.version + 1)
                 .where(Deliberation.id == deliberation.id, Deliberation.version == expected)
                 .execute())
        if saved != 1:
            raise Conflict(OUTCOME_CONFLICT_MESSAGE)
        deliberation.outcome_md, deliberation.outcome_html = data["summary_md"], html
        deliberation.outcome_recorded_at, deliberation.outcome_by = now, actor
        deliberation.version = expected + 1
        DeliberationAction.delete().where(
            DeliberationAction.deliberation == deliberation.id).execute()
        rows = [{"deliberation": deliberation.id, "description": a["description"],
                 "owner": a["owner"], "owner_name": "" if a["owner"] else a["owner_name"],
                 "due_on": a["due_on"]} for _, a in data["actions"]]
        if rows:
            DeliberationAction.insert_many(rows).execute()
        record("deliberation_outcome", actor=actor, ip=ip, region=deliberation.region_id,
               item=_item(deliberation),
               detail=f"{deliberation.title}: {len(rows)} follow-up action(s)")
    return deliberation


def lesson_from_outcome(actor, deliberation, ip=""):
    """A draft lesson (region only) from the agenda, outcome and actions; its author edits it."""
    from r2pnet.knowledge.schemas import LessonSchema
    from r2pnet.knowledge.services import create_lesson

    if not permissions.can_schedule_deliberation(actor, deliberation.region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if not deliberation.outcome_md.strip():
        raise DomainError("Record the outcome first.")
    actions = actions_of(deliberation)
    outcome = deliberation.outcome_md.strip()
    if actions:
        lines = [f"- {action.description} ({_owner_label(action)}"
                 + (f", due {action.due_on:%d %B %Y}" if action.due_on else "") + ")"
                 for action in actions]
        outcome += "\n\n**Follow-up actions**\n\n" + "\n".join(lines)
    summary = " ".join(markdown.plain_text(deliberation.outcome_html).split())
    if len(summary) > 500:
        summary = summary[:499].rstrip() + "…"
    day = in_zone(deliberation.starts_at, deliberation.timezone)
    data = LessonSchema().load({
        "title": deliberation.title,
        "summary": summary or f"Outcome of the deliberation of {day:%d %B %Y}.",
        "region_id": deliberation.region_id, "visibility": "region", "publish": False,
        "context_md": deliberation.agenda_md, "outcome_md": outcome})
    return create_lesson(actor, data, ip)


def _owner_label(action):
    return action.owner.name if action.owner_id else action.owner_name


# --- cadence and the question of the week ------------------------------------------------------

def cadence_days(region_id):
    """How often (in days) a region aims to deliberate."""
    row = Cadence.get_or_none(Cadence.region == region_id)
    return row.every_days if row else DEFAULT_CADENCE_DAYS


def set_cadence(actor, region_id, every_days, ip=""):
    """Set a region's target cadence (7 to 365 days)."""
    if not permissions.can_schedule_deliberation(actor, region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    if not 7 <= every_days <= 365:
        raise DomainError("Choose 7 to 365 days.", "every_days")
    now = utcnow()
    with db.atomic():
        (Cadence.insert(region=region_id, every_days=every_days, updated_by=actor.id,
                        updated_at=now)
         .on_conflict(conflict_target=[Cadence.region],
                      update={Cadence.every_days: every_days, Cadence.updated_by: actor.id,
                              Cadence.updated_at: now})
         .execute())
        record("cadence_changed", actor=actor, ip=ip, region=region_id,
               detail=f"every {every_days} days")


def set_weekly_question(actor, region_id, text, thread_id=None, ip=""):
    """Ask a region's question of the week (the latest one is current)."""
    if not permissions.can_schedule_deliberation(actor, region_id):
        raise Forbidden(FORBIDDEN_MESSAGE)
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text or "").strip()
    if not 1 <= len(text) <= 500:
        raise DomainError("Ask in 1 to 500 characters.", "text")
    if thread_id is not None:
        thread = Thread.visible_to(actor).where(Thread.id == thread_id).first()
        if thread is None or thread.region_id not in (region_id, None):
            raise DomainError(f"Thread {thread_id} is not in this region's space (or you may "
                              "not read it).", "thread")
    with db.atomic():
        question = WeeklyQuestion.create(region=region_id, text=text, thread=thread_id,
                                         asked_by=actor)
        record("question_set", actor=actor, ip=ip, region=region_id,
               item=f"question:{question.id}", detail=text[:200])
    return question


def current_question(region_id):
    """A region's current question of the week, or None."""
    return (WeeklyQuestion.select()
            .where(WeeklyQuestion.region == region_id)
            .order_by(WeeklyQuestion.created_at.desc(), WeeklyQuestion.id.desc())
            .first())
