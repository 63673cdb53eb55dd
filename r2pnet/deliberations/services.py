"""Deliberation writes: schedule, edit (optimistic locking), cancel, attendance, the mail."""
import datetime as dt
import uuid

from r2pnet import mail, markdown, permissions
from r2pnet.audit.services import record
from r2pnet.deliberations.models import (ANSWERS, Attendance, Deliberation, DeliberationLesson,
                                         DeliberationThread)
from r2pnet.deliberations.reading import region_members
from r2pnet.deliberations.timing import has_started, in_zone, is_over, to_utc
from r2pnet.discussions.models import Thread
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Region, utcnow

CONFLICT_MESSAGE = ("Someone else saved this deliberation while you were editing. Your text is "
                    "kept below but not saved: compare with the current version, then save "
                    "again.")
FORBIDDEN_MESSAGE = "Only the region's moderators and administrators may do this."


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


def item_key(deliberation):
    """The `item` of a deliberation's audit events."""
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
               item=item_key(deliberation),
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
               item=item_key(deliberation),
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
               item=item_key(deliberation), reason=reason, detail=deliberation.title)
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
