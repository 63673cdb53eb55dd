"""Composing one member's digest from what they may read at the moment it is sent.

Every list starts from the models' `visible_to(member)`, evaluated now: a member who lost
access between planning and sending does not get the item. A digest costs the same number of
queries whatever the amount of data (each list is one query with a LIMIT).

A send run shares lists between members through `Shared`: members who see the same (same
role, region and moderated regions: a `Viewer`) get the same region, deliberation and lesson
lists, read once per run. Whatever a digest took from lists read for an earlier member is
checked again against that member's `visible_to` right before it is sent (one query); if
anything is no longer visible, the lists are read afresh.
"""
import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from flask import current_app
from peewee import JOIN, SQL, Case, fn

from r2pnet import permissions
from r2pnet.deliberations import dashboard
from r2pnet.deliberations.models import Deliberation
from r2pnet.deliberations.regional import current_question
from r2pnet.deliberations.timing import in_zone
from r2pnet.discussions.models import Mention, Post, Thread
from r2pnet.digests.shared import Shared, viewer_of
from r2pnet.discussions.reading import page_of
from r2pnet.knowledge.models import Lesson, LessonApplication, LessonTerm
from r2pnet.members.models import Member, MemberExpertise, Region
from r2pnet.moderation.review import queue
from r2pnet.taxonomy import PILLARS, PRIORITIES

LIST_LIMIT = 5
MENTION_LIMIT = 10
UPCOMING_DAYS = 14
QUIET_WEEKS = 4
NOTHING_NEW = "nothing new since the last digest"


def _line(text):
    """User text on one line (a title written before titles were checked may hold breaks)."""
    return " ".join(str(text).split())


@dataclass
class ThreadItem:
    """A thread in the digest; `number` is the post to open (the first new one)."""

    id: int
    title: str
    count: int = 0  # new visible replies
    number: int = 1

    @property
    def page(self):
        return page_of(self.number)


@dataclass
class DeliberationItem:
    id: int
    title: str
    starts_local: dt.datetime  # aware, in the member's zone
    cancelled: bool = False


@dataclass
class LessonItem:
    id: int
    title: str
    summary: str
    region_name: str
    applications: int = 0


@dataclass
class MentionItem:
    thread_id: int
    thread_title: str
    number: int
    author_name: str

    @property
    def page(self):
        return page_of(self.number)


@dataclass
class Question:
    text: str
    thread_id: int | None  # only when the member may read the thread
    is_new: bool


@dataclass
class QuietNudge:
    weeks: int
    thread: ThreadItem


@dataclass
class OverdueNudge:
    region_name: str
    days_since: int | None  # None: never deliberated
    cadence_days: int


@dataclass
class WaitingNudge:
    flagged: int
    unanswered: int


@dataclass
class Digest:
    """What one member is told for one period; `is_empty` means no digest is sent."""

    member_id: int
    region_name: str
    since: dt.datetime
    now: dt.datetime
    zone: str
    new_threads: list = field(default_factory=list)
    replied_threads: list = field(default_factory=list)
    waiting_threads: list = field(default_factory=list)
    question: Question | None = None
    upcoming: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    new_lessons: list = field(default_factory=list)
    applied_lessons: list = field(default_factory=list)
    mentions: list = field(default_factory=list)
    quiet: QuietNudge | None = None
    overdue: list = field(default_factory=list)
    waiting_for_moderator: WaitingNudge | None = None
    lessons_read_apart: bool = False  # read as their author, not shared with their viewer

    @property
    def has_region(self):
        return bool(self.new_threads or self.replied_threads or self.waiting_threads
                    or (self.question and self.question.is_new))

    @property
    def has_deliberations(self):
        return bool(self.upcoming or self.outcomes)

    @property
    def has_lessons(self):
        return bool(self.new_lessons or self.applied_lessons)

    @property
    def has_nudges(self):
        return bool(self.mentions or self.quiet or self.overdue or self.waiting_for_moderator)

    @property
    def is_empty(self):
        return not (self.has_region or self.has_deliberations or self.has_lessons
                    or self.has_nudges)

    @property
    def skip_reason(self):
        return NOTHING_NEW if self.is_empty else ""


def compose(member, since, now, shared=None):
    """The digest of `member` for what happened from `since` to `now` (naive UTC)."""
    shared = shared or Shared(many=False)
    # The versions the sender's claim read (PostgreSQL), before any list of this digest.
    shared.start(getattr(member, "catalogues", None))
    region = shared.get(("region", member.region_id), lambda: Region.get_or_none(
        Region.id == member.region_id)) if member.region_id else None
    digest = Digest(member_id=member.id, region_name=region.name if region else "the network",
                    since=since, now=now, zone=member.timezone or "UTC")
    if not member.is_active:
        return digest  # a disabled member may read nothing (nor the public lessons, by mail)
    viewer = viewer_of(member)
    if region is not None:
        _region_section(digest, member, viewer, region.id, shared)
        _deliberations(digest, viewer, region.id, shared)
    _lessons(digest, member, viewer, shared)
    _mentions(digest, member, shared)
    _quiet(digest, member, viewer, shared)
    _moderation(digest, member)
    if shared.reused and not _still_visible(digest, member, shared):
        shared.clear()  # something changed since the lists were read: read them again
        return compose(member, since, now, shared)
    return digest


def _still_visible(digest, member, shared):
    """Whether `member` may still see every thread, deliberation and lesson of `digest`."""
    threads = {t.id for t in digest.new_threads + digest.replied_threads
               + digest.waiting_threads}
    if digest.question and digest.question.thread_id:
        threads.add(digest.question.thread_id)
    if digest.quiet:
        threads.add(digest.quiet.thread.id)
    items = (tuple(sorted(threads)), tuple(d.id for d in digest.upcoming),
             tuple(d.id for d in digest.outcomes),
             tuple(sorted({item.id for item in digest.new_lessons + digest.applied_lessons})))
    if not any(items):
        return True
    # Threads and deliberations are visible by the viewer alone; lessons by the viewer, or
    # also by authorship for the members whose lessons were read apart (see `_lessons`).
    viewer = viewer_of(member)
    scope, *reader = Lesson.reader_scope(member if digest.lessons_read_apart else viewer)
    # One SQL text per viewer and number of items of each kind, the ids (and the lesson
    # reader's id) its parameters: built once, and the same text each time, so PostgreSQL
    # keeps it prepared.
    region_ids = reader[1] if reader else ()
    key = ("visible", viewer, scope, region_ids, tuple(len(ids) for ids in items))
    kinds = ("thread", "upcoming", "outcome", "lesson")
    expected = {(kind, i) for kind, ids in zip(kinds, items, strict=True) for i in ids}
    reader_id = (reader[0],) if reader and items[3] else ()
    rows = shared.rows(key, functools.partial(_visible_items, viewer, scope, region_ids),
                       *items, *reader_id)
    return set(rows) == expected


def _visible_items(viewer, scope, region_ids, threads, upcoming, outcomes, lessons,
                   reader_id=None):
    """One query: which of these items may be seen, as (kind, id); threads and deliberations
    by `viewer`, lessons by the reader scope (`scope`, `reader_id`, `region_ids`)."""
    checks = []
    if threads:
        checks.append(Thread.visible_to(viewer).select(SQL("'thread'"), Thread.id)
                      .where(Thread.id << list(threads)))
    if upcoming:
        checks.append(Deliberation.visible_to(viewer)
                      .select(SQL("'upcoming'"), Deliberation.id)
                      .where(Deliberation.id << list(upcoming),
                             Deliberation.cancelled_at.is_null()))
    if outcomes:
        checks.append(Deliberation.visible_to(viewer)
                      .select(SQL("'outcome'"), Deliberation.id)
                      .where(Deliberation.id << list(outcomes)))
    if lessons:
        checks.append(Lesson.where_readable(Lesson.select(SQL("'lesson'"), Lesson.id),
                                            scope, reader_id, region_ids)
                      .where(Lesson.is_published == True,  # noqa: E712
                             Lesson.id << list(lessons)))
    return functools.reduce(operator.add, checks).tuples()


# --- 1. their region -------------------------------------------------------------------------

def _region_threads(viewer, region_id, now):
    return Thread.visible_to(viewer).where(Thread.region == region_id,
                                           Thread.created_at <= now)


@dataclass(frozen=True)
class _RegionLists:
    new: list
    replied: list
    waiting: list  # (ThreadItem, author id), up to 2 * LIST_LIMIT, the member's own included
    all_waiting: bool  # `waiting` holds every waiting thread
    question: Question | None


def _region_lists(viewer, region_id, since, now):
    """What every member with this viewer is told about their region."""
    new = (_region_threads(viewer, region_id, now)
           .select(Thread.id, Thread.title)
           .where(Thread.created_at >= since)
           .order_by(Thread.created_at.desc(), Thread.id.desc())
           .limit(LIST_LIMIT)
           .tuples())
    replies = (Post.visible_to(viewer)
               .select(Thread.id, Thread.title, fn.COUNT(Post.id), fn.MIN(Post.number))
               .where(Thread.region == region_id, Post.number > 1,
                      Post.created_at >= since, Post.created_at <= now,
                      Thread.created_at < since)
               .group_by(Thread.id, Thread.title)
               .order_by(fn.COUNT(Post.id).desc(), Thread.id.desc())
               .limit(LIST_LIMIT)
               .tuples())
    waiting = list(_region_threads(viewer, region_id, now)
                   .select(Thread.id, Thread.title, Thread.author)
                   .where(Thread.reply_count == 0, Thread.closed_at.is_null(),
                          Thread.is_locked == False)  # noqa: E712
                   .order_by(Thread.created_at.desc(), Thread.id.desc())
                   .limit(2 * LIST_LIMIT)
                   .tuples())
    question = current_question(region_id)
    if question is not None and question.created_at <= now:
        thread_id = None
        if question.thread_id is not None and Thread.visible_to(viewer).where(
                Thread.id == question.thread_id).exists():
            thread_id = question.thread_id
        question = Question(_line(question.text), thread_id, question.created_at >= since)
    else:
        question = None
    return _RegionLists(
        new=[ThreadItem(i, _line(title)) for i, title in new],
        replied=[ThreadItem(i, _line(title), count, first)
                 for i, title, count, first in replies],
        waiting=[(ThreadItem(i, _line(title)), author) for i, title, author in waiting],
        all_waiting=len(waiting) < 2 * LIST_LIMIT, question=question)


def _region_section(digest, member, viewer, region_id, shared):
    since, now = digest.since, digest.now
    lists = shared.get(("region", viewer, region_id, since, now),
                       lambda: _region_lists(viewer, region_id, since, now))
    digest.new_threads = list(lists.new)
    digest.replied_threads = list(lists.replied)
    # Threads waiting for a first reply, the member's own left out.
    waiting = [item for item, author in lists.waiting if author != member.id][:LIST_LIMIT]
    if len(waiting) < LIST_LIMIT and not lists.all_waiting:
        waiting = [ThreadItem(t.id, _line(t.title)) for t in (
            _region_threads(viewer, region_id, now)
            .select(Thread.id, Thread.title)
            .where(Thread.reply_count == 0, Thread.closed_at.is_null(),
                   Thread.is_locked == False, Thread.author != member.id)  # noqa: E712
            .order_by(Thread.created_at.desc(), Thread.id.desc())
            .limit(LIST_LIMIT))]
    digest.waiting_threads = waiting
    digest.question = lists.question


# --- 2. deliberations ------------------------------------------------------------------------

def _deliberation_lists(viewer, region_id, since, now):
    """(upcoming, outcomes) as (id, title, starts_at) for every member with this viewer."""
    upcoming = (Deliberation.visible_to(viewer)
                .select(Deliberation.id, Deliberation.title, Deliberation.starts_at)
                .where(Deliberation.region == region_id, Deliberation.cancelled_at.is_null(),
                       Deliberation.starts_at >= now,
                       Deliberation.starts_at <= now + dt.timedelta(days=UPCOMING_DAYS))
                .order_by(Deliberation.starts_at, Deliberation.id)
                .limit(LIST_LIMIT)
                .tuples())
    outcomes = (Deliberation.visible_to(viewer)
                .select(Deliberation.id, Deliberation.title, Deliberation.starts_at)
                .where(Deliberation.region == region_id,
                       Deliberation.outcome_recorded_at >= since,
                       Deliberation.outcome_recorded_at <= now)
                .order_by(Deliberation.outcome_recorded_at.desc(), Deliberation.id.desc())
                .limit(LIST_LIMIT)
                .tuples())
    return ([(i, _line(title), starts) for i, title, starts in upcoming],
            [(i, _line(title), starts) for i, title, starts in outcomes])


def _deliberations(digest, viewer, region_id, shared):
    since, now = digest.since, digest.now
    upcoming, outcomes = shared.get(("deliberations", viewer, region_id, since, now),
                                    lambda: _deliberation_lists(viewer, region_id, since, now))
    digest.upcoming = [DeliberationItem(i, title, in_zone(starts, digest.zone))
                       for i, title, starts in upcoming]
    digest.outcomes = [DeliberationItem(i, title, in_zone(starts, digest.zone))
                       for i, title, starts in outcomes]


# --- 3. lessons ------------------------------------------------------------------------------

def _expertise_terms(member, shared):
    """The member's expertise as lesson classification (kind, key) pairs."""
    keys = getattr(member, "expertise_keys", None)  # read with the member by the sender
    if keys is None:
        keys = [key for (key,) in shared.run("expertise", lambda member_id: (
            MemberExpertise.select(MemberExpertise.key)
            .where(MemberExpertise.member == member_id)
            .order_by(MemberExpertise.key)
            .tuples()), member.id)]
    terms = []
    for key in keys:
        if key in PILLARS:
            terms.append(("pillar", key))
        elif key in PRIORITIES:
            terms.append(("priority", key))
        elif key.startswith("risk_factor_"):
            terms.append(("risk_factor", key.removeprefix("risk_factor_")))
    return tuple(terms)


def _favoured(query, reader, terms):
    """Order lessons: the reader's region first, then those matching their expertise."""
    own_region = Case(None, [(Lesson.region == (reader.region_id or 0), 0)], 1)
    order = [own_region]
    if terms:
        match = None
        for kind, key in terms:
            clause = (LessonTerm.kind == kind) & (LessonTerm.key == key)
            match = clause if match is None else match | clause
        matches = (LessonTerm.select(fn.COUNT(LessonTerm.id))
                   .where(LessonTerm.lesson == Lesson.id, match))
        order.append(fn.COALESCE(matches, 0).desc())
    return query.order_by(*order)


def _lesson_lists(reader, terms, since, now):
    """(new, applied) lessons for `reader`: a member, or a viewer shared by members."""
    published = Lesson.is_published == True  # noqa: E712
    new = _favoured(Lesson.visible_to(reader)
                    .select(Lesson.id, Lesson.title, Lesson.summary, Region.name)
                    .join(Region, on=(Lesson.region == Region.id), join_type=JOIN.LEFT_OUTER)
                    .where(published, Lesson.published_at >= since,
                           Lesson.published_at <= now), reader, terms)
    rows = new.order_by_extend(Lesson.published_at.desc(), Lesson.id.desc()).limit(LIST_LIMIT)
    new = [LessonItem(i, _line(title), _line(summary), region or "the network")
           for i, title, summary, region in rows.tuples()]
    applied = _favoured(Lesson.visible_to(reader)
                        .select(Lesson.id, Lesson.title, Lesson.summary, Region.name,
                                fn.COUNT(LessonApplication.id))
                        .join(LessonApplication, on=(LessonApplication.lesson == Lesson.id))
                        .join_from(Lesson, Region, on=(Lesson.region == Region.id),
                                   join_type=JOIN.LEFT_OUTER)
                        .where(published, LessonApplication.created_at >= since,
                               LessonApplication.created_at <= now)
                        .group_by(Lesson.id, Lesson.title, Lesson.summary, Region.name),
                        reader, terms)
    rows = applied.order_by_extend(fn.COUNT(LessonApplication.id).desc(),
                                   Lesson.id.desc()).limit(LIST_LIMIT)
    applied = [LessonItem(i, _line(title), _line(summary), region or "the network", count)
               for i, title, summary, region, count in rows.tuples()]
    return new, applied


def _lessons(digest, member, viewer, shared):
    since, now = digest.since, digest.now
    terms = _expertise_terms(member, shared)
    # An author may read their own lessons beyond what their viewer shows: read apart.
    authors = shared.get(("lesson authors",), lambda: frozenset(
        author for (author,) in Lesson.select(Lesson.author).distinct().tuples())) \
        if shared.many else {member.id}
    reader = member if member.id in authors else viewer
    own = member.id if reader is member else None
    digest.lessons_read_apart = reader is member
    new, applied = shared.get(("lessons", viewer, own, terms, since, now),
                              lambda: _lesson_lists(reader, terms, since, now))
    digest.new_lessons = list(new)
    digest.applied_lessons = list(applied)


# --- 4. nudges -------------------------------------------------------------------------------

def _mentions(digest, member, shared):
    since, now = digest.since, digest.now
    mentioned = shared.get(("mentioned", since, now), lambda: frozenset(
        i for (i,) in Mention.select(Mention.member).distinct().where(
            Mention.created_at >= since, Mention.created_at <= now).tuples())) \
        if shared.many else {member.id}
    if member.id not in mentioned:
        return  # no mention of them at all: no need to ask which they may read
    author = Member.alias("author")
    rows = (Post.visible_to(member)
            .select(Thread.id, Thread.title, Post.number, author.name)
            .join_from(Post, Mention, on=(Mention.post == Post.id))
            .join_from(Post, author, on=(Post.author == author.id))
            .where(Mention.member == member.id, Mention.created_at >= since,
                   Mention.created_at <= now)
            .order_by(Mention.created_at.desc(), Mention.id.desc())
            .limit(MENTION_LIMIT)
            .tuples())
    digest.mentions = [MentionItem(i, _line(title), number, _line(name))
                       for i, title, number, name in rows]


def _quiet(digest, member, viewer, shared):
    """Not posted for QUIET_WEEKS (and a member that long): a thread their experience fits."""
    if member.region_id is None:
        return
    quiet_since = digest.now - dt.timedelta(weeks=QUIET_WEEKS)
    if member.created_at > quiet_since or _posted_since(member, quiet_since, shared):
        return
    thread = digest.waiting_threads[0] if digest.waiting_threads else None
    if thread is None:
        thread = shared.get(("recent", viewer, digest.now), lambda: _recent_thread(
            viewer, member.region_id, digest.now))
    if thread is not None:
        digest.quiet = QuietNudge(QUIET_WEEKS, thread)


def _posted_since(member, quiet_since, shared):
    posted = getattr(member, "posted_recently", None)  # read with the member by the sender
    if posted is not None:
        return bool(posted)
    return bool(shared.run("posted", lambda member_id, after: (
        Post.select(Post.id)
        .where(Post.author == member_id, Post.created_at >= after)
        .limit(1)
        .tuples()), member.id, quiet_since))


def _recent_thread(viewer, region_id, now):
    recent = (_region_threads(viewer, region_id, now)
              .select(Thread.id, Thread.title)
              .where(Thread.closed_at.is_null(), Thread.is_locked == False)  # noqa: E712
              .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
              .first())
    return ThreadItem(recent.id, _line(recent.title)) if recent else None


def _moderation(digest, member):
    """For moderators: regions overdue for a deliberation, and what waits in their queue."""
    if member.role != "moderator" or not permissions.moderated_region_ids(member):
        return
    rows = dashboard.region_rows(member, current_app.config["UNANSWERED_AFTER_DAYS"],
                                 now=digest.now)
    digest.overdue = [OverdueNudge(row.region.name, row.days_since, row.cadence_days)
                      for row in rows if row.overdue]
    flagged = len(queue(member))
    unanswered = sum(row.unanswered for row in rows)
    if flagged or unanswered:
        digest.waiting_for_moderator = WaitingNudge(flagged, unanswered)
