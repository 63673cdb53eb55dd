"""API: deliberations the caller may see, with times in UTC and the organiser's zone; RSVP."""
from flask_login import current_user
from marshmallow import Schema, fields, validate

from r2pnet import permissions
from r2pnet.api.schemas import RegionRef
from r2pnet.api.core import operation
from r2pnet.api.paging import CursorSchema, Page
from r2pnet.api.schemas import ApiSchema, UtcDateTime
from r2pnet.api.problems import Problem
from r2pnet.deliberations import reading, services, timing
from r2pnet.deliberations.models import ANSWERS, Deliberation
from r2pnet.discussions.api import call
from r2pnet.api.paging import Key, after_cursor, cursor_of, keyset_page
from r2pnet.members.models import Region, utcnow

MAX_ID = 2**63 - 1
WHEN = ("upcoming", "past", "all")
SOONEST = [Key(Deliberation.starts_at, False, "time"), Key(Deliberation.id, False)]
LATEST = [Key(Deliberation.starts_at, True, "time"), Key(Deliberation.id, True)]


def _viewer():
    return current_user._get_current_object()


# --- schemas ---------------------------------------------------------------------------------

class DeliberationListQuery(CursorSchema):
    """Which deliberations: upcoming (not over, soonest first), past (latest first) or all."""

    when = fields.String(load_default="upcoming", validate=validate.OneOf(WHEN), metadata={
        "description": "upcoming: not yet over, soonest first; past: over, latest first; "
                       "all: latest first. Cancelled ones are listed, marked."})
    region = fields.String(load_default=None, validate=validate.Length(1, 40), metadata={
        "description": "A region key: only that region's deliberations."})


class RsvpIn(ApiSchema):
    """Will you attend?"""

    answer = fields.String(required=True, validate=validate.OneOf(list(ANSWERS)))


class AttendanceCountsOut(Schema):
    yes = fields.Integer(dump_only=True)
    maybe = fields.Integer(dump_only=True)
    no = fields.Integer(dump_only=True)


class DeliberationOut(Schema):
    """A deliberation: UTC times, the same times in the organiser's zone, your answer."""

    id = fields.Integer(dump_only=True)
    region = fields.Nested(RegionRef, dump_only=True)
    title = fields.String(dump_only=True)
    agenda_md = fields.String(dump_only=True)
    agenda_html = fields.String(dump_only=True)
    starts_at = UtcDateTime(dump_only=True)
    ends_at = UtcDateTime(dump_only=True)
    timezone = fields.String(dump_only=True, metadata={
        "description": "The zone the organiser scheduled it in."})
    starts_at_local = fields.DateTime(dump_only=True, format="iso", metadata={
        "description": "The start in the organiser's zone, with its offset."})
    ends_at_local = fields.DateTime(dump_only=True, format="iso")
    duration_minutes = fields.Integer(dump_only=True)
    join_url = fields.String(dump_only=True)
    location = fields.String(dump_only=True)
    is_cancelled = fields.Boolean(dump_only=True)
    cancelled_at = UtcDateTime(dump_only=True, allow_none=True)
    has_started = fields.Boolean(dump_only=True)
    is_over = fields.Boolean(dump_only=True)
    outcome_md = fields.String(dump_only=True)
    my_answer = fields.String(dump_only=True, allow_none=True,
                              validate=validate.OneOf(list(ANSWERS)))
    counts = fields.Nested(AttendanceCountsOut, dump_only=True)
    version = fields.Integer(dump_only=True)


class DeliberationDetailOut(DeliberationOut):
    """One deliberation, with the threads and lessons on its agenda that you may read."""

    thread_ids = fields.List(fields.Integer(), dump_only=True)
    lesson_ids = fields.List(fields.Integer(), dump_only=True)


# --- reading ---------------------------------------------------------------------------------

def _payload(deliberation, counts, answer, now):
    local = timing.in_zone(deliberation.starts_at, deliberation.timezone)
    region = deliberation.region
    return {
        "id": deliberation.id,
        "region": {"id": region.id, "key": region.key, "name": region.name},
        "title": deliberation.title, "agenda_md": deliberation.agenda_md,
        "agenda_html": deliberation.agenda_html, "starts_at": deliberation.starts_at,
        "ends_at": timing.ends_at(deliberation), "timezone": deliberation.timezone,
        "starts_at_local": local,
        "ends_at_local": timing.in_zone(timing.ends_at(deliberation), deliberation.timezone),
        "duration_minutes": deliberation.duration_minutes, "join_url": deliberation.join_url,
        "location": deliberation.location,
        "is_cancelled": deliberation.cancelled_at is not None,
        "cancelled_at": deliberation.cancelled_at,
        "has_started": timing.has_started(deliberation, now),
        "is_over": timing.is_over(deliberation, now), "outcome_md": deliberation.outcome_md,
        "my_answer": answer, "counts": counts, "version": deliberation.version,
    }


def _payloads(viewer, deliberations, now):
    ids = [d.id for d in deliberations]
    counts = reading.attendance_counts(ids)
    answers = reading.answers_of(viewer, ids)
    return [_payload(d, counts[d.id], answers.get(d.id), now) for d in deliberations]


def _region_filter(viewer, key):
    """The id of a region whose deliberations the caller may read; 422 otherwise."""
    if key is None:
        return None
    region = Region.get_or_none(Region.key == key)
    if region is None or not permissions.can_read_space(viewer, region.id):
        raise Problem(422, "Choose a region from the list.",
                      {"region": ["Choose one of your regions."]})
    return region.id


def _in_window(base, keys, tag, cursor, now, over):
    """Deliberations that started less than the longest duration ago, over or not, in order.

    Whether they are over depends on each one's duration: decided here as on the page.
    """
    window = base.where(Deliberation.starts_at >= now - reading.LONGEST,
                        Deliberation.starts_at <= now)
    condition = after_cursor(keys, tag, cursor)
    if condition is not None:
        window = window.where(condition)
    order = [k.field.desc() if k.descending else k.field.asc() for k in keys]
    return [d for d in window.order_by(*order) if timing.is_over(d, now) == over]


def _listing(base, when, limit, cursor, now):
    """(rows, next cursor) of one page: upcoming and past split at each one's end."""
    if when == "all":
        return keyset_page(base, LATEST, when, limit, cursor)
    keys = SOONEST if when == "upcoming" else LATEST
    recent = _in_window(base, keys, when, cursor, now, over=when == "past")
    if when == "upcoming":
        rest = base.where(Deliberation.starts_at > now)
    else:
        rest = base.where(Deliberation.starts_at < now - reading.LONGEST)
    further, _ = keyset_page(rest, keys, when, limit + 1, cursor)
    rows = recent + further  # the window comes first in both orders
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, cursor_of(keys, when, rows[-1]) if more else None


@operation("/deliberations", summary="List deliberations", tag="deliberations",
           query=DeliberationListQuery, response=DeliberationOut, paginated=True, kept=True)
def list_deliberations(query):
    """The deliberations of your regions (administrators: all), cancelled ones included, with
    your answer and the attendance counts."""
    viewer = _viewer()
    base = (Deliberation.visible_to(viewer)
            .select_extend(Region)
            .join(Region, on=(Deliberation.region == Region.id)))
    region_id = _region_filter(viewer, query["region"])
    if region_id is not None:
        base = base.where(Deliberation.region == region_id)
    now = utcnow()
    rows, next_cursor = _listing(base, query["when"], query["limit"], query["cursor"], now)
    return Page(_payloads(viewer, rows, now), next_cursor)


def _readable(deliberation_id):
    deliberation = (reading.get_visible(deliberation_id, _viewer())
                    if deliberation_id <= MAX_ID else None)
    if deliberation is None:
        raise Problem(404)
    return deliberation


def _detail(deliberation):
    viewer = _viewer()
    now = utcnow()
    payload = _payloads(viewer, [deliberation], now)[0]
    payload["thread_ids"] = [t.id for t in reading.linked_threads(deliberation, viewer)]
    payload["lesson_ids"] = [lesson.id for lesson in reading.linked_lessons(deliberation, viewer)]
    return payload


@operation("/deliberations/<int:deliberation_id>", summary="Read a deliberation",
           tag="deliberations", response=DeliberationDetailOut)
def get_deliberation(deliberation_id):
    """A deliberation of your regions: times in UTC and in the organiser's zone, your answer,
    the attendance counts, the threads and lessons on its agenda that you may read."""
    return _detail(_readable(deliberation_id))


@operation("/deliberations/<int:deliberation_id>/rsvp", "PUT", summary="Answer whether you "
           "will attend", tag="deliberations", body=RsvpIn, response=DeliberationDetailOut,
           example={"answer": "yes"})
def rsvp(deliberation_id, body):
    """Record or change your answer (yes, maybe or no), as the attendance form does. 409 when
    the deliberation is cancelled or over."""
    deliberation = _readable(deliberation_id)
    call(services.set_attendance, _viewer(), deliberation, body["answer"])
    return _detail(deliberation)
