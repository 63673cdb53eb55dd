"""Composing one member's digest from what they may read at the moment it is sent.

Every list starts from the models' `visible_to(member)`, evaluated now: a member who lost
access between planning and sending does not get the item. A digest costs the same number of
queries whatever the amount of data (each list is one query with a LIMIT).
"""
import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from peewee import JOIN, Case, fn

from r2pnet import permissions
from r2pnet.deliberations import dashboard
from r2pnet.deliberations.models import Deliberation
from r2pnet.deliberations.regional import current_question
from r2pnet.deliberations.timing import in_zone
from r2pnet.discussions.models import Mention, Post, Thread
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


def compose(member, since, now):
    """The digest of `member` for what happened from `since` to `now` (naive UTC)."""
    region = Region.get_or_none(Region.id == member.region_id) if member.region_id else None
    digest = Digest(member_id=member.id, region_name=region.name if region else "the network",
                    since=since, now=now, zone=member.timezone or "UTC")
    if not member.is_active:
        return digest  # a disabled member may read nothing (nor the public lessons, by mail)
    if region is not None:
        _region_section(digest, member, region.id)
        _deliberations(digest, member, region.id)
    _lessons(digest, member)
    _mentions(digest, member)
    _quiet(digest, member)
    _moderation(digest, member)
    return digest


# --- 1. their region -------------------------------------------------------------------------

def _region_threads(member, region_id, now):
    return Thread.visible_to(member).where(Thread.region == region_id,
                                           Thread.created_at <= now)


def _region_section(digest, member, region_id):
    since, now = digest.since, digest.now
    new = list(_region_threads(member, region_id, now)
               .select(Thread.id, Thread.title)
               .where(Thread.created_at >= since)
               .order_by(Thread.created_at.desc(), Thread.id.desc())
               .limit(LIST_LIMIT))
    digest.new_threads = [ThreadItem(t.id, _line(t.title)) for t in new]
    replies = (Post.visible_to(member)
               .select(Thread.id, Thread.title, fn.COUNT(Post.id), fn.MIN(Post.number))
               .where(Thread.region == region_id, Post.number > 1,
                      Post.created_at >= since, Post.created_at <= now,
                      Thread.created_at < since)
               .group_by(Thread.id, Thread.title)
               .order_by(fn.COUNT(Post.id).desc(), Thread.id.desc())
               .limit(LIST_LIMIT)
               .tuples())
    digest.replied_threads = [ThreadItem(i, _line(title), count, first)
                              for i, title, count, first in replies]
    waiting = (_region_threads(member, region_id, now)
               .select(Thread.id, Thread.title)
               .where(Thread.reply_count == 0, Thread.closed_at.is_null(),
                      Thread.is_locked == False, Thread.author != member.id)  # noqa: E712
               .order_by(Thread.created_at.desc(), Thread.id.desc())
               .limit(LIST_LIMIT))
    digest.waiting_threads = [ThreadItem(t.id, _line(t.title)) for t in waiting]
    question = current_question(region_id)
    if question is not None and question.created_at <= now:
        thread_id = None
        if question.thread_id is not None and Thread.visible_to(member).where(
                Thread.id == question.thread_id).exists():
            thread_id = question.thread_id
        digest.question = Question(_line(question.text), thread_id, question.created_at >= since)


# --- 2. deliberations ------------------------------------------------------------------------

def _deliberations(digest, member, region_id):
    since, now = digest.since, digest.now
    upcoming = (Deliberation.visible_to(member)
                .where(Deliberation.region == region_id, Deliberation.cancelled_at.is_null(),
                       Deliberation.starts_at >= now,
                       Deliberation.starts_at <= now + dt.timedelta(days=UPCOMING_DAYS))
                .order_by(Deliberation.starts_at, Deliberation.id)
                .limit(LIST_LIMIT))
    digest.upcoming = [DeliberationItem(d.id, _line(d.title), in_zone(d.starts_at, digest.zone))
                       for d in upcoming]
    outcomes = (Deliberation.visible_to(member)
                .where(Deliberation.region == region_id,
                       Deliberation.outcome_recorded_at >= since,
                       Deliberation.outcome_recorded_at <= now)
                .order_by(Deliberation.outcome_recorded_at.desc(), Deliberation.id.desc())
                .limit(LIST_LIMIT))
    digest.outcomes = [DeliberationItem(d.id, _line(d.title), in_zone(d.starts_at, digest.zone))
                       for d in outcomes]


# --- 3. lessons ------------------------------------------------------------------------------

def _expertise_terms(member):
    """The member's expertise as lesson classification (kind, key) pairs."""
    terms = []
    for (key,) in MemberExpertise.select(MemberExpertise.key).where(
            MemberExpertise.member == member.id).tuples():
        if key in PILLARS:
            terms.append(("pillar", key))
        elif key in PRIORITIES:
            terms.append(("priority", key))
        elif key.startswith("risk_factor_"):
            terms.append(("risk_factor", key.removeprefix("risk_factor_")))
    return terms


def _favoured(query, member, terms):
    """Order lessons: the member's region first, then those matching their expertise."""
    own_region = Case(None, [(Lesson.region == (member.region_id or 0), 0)], 1)
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


def _lessons(digest, member):
    since, now = digest.since, digest.now
    terms = _expertise_terms(member)
    published = Lesson.is_published == True  # noqa: E712
    new = _favoured(Lesson.visible_to(member)
                    .select(Lesson.id, Lesson.title, Lesson.summary, Region.name)
                    .join(Region, on=(Lesson.region == Region.id), join_type=JOIN.LEFT_OUTER)
                    .where(published, Lesson.published_at >= since,
                           Lesson.published_at <= now), member, terms)
    rows = new.order_by_extend(Lesson.published_at.desc(), Lesson.id.desc()).limit(LIST_LIMIT)
    digest.new_lessons = [LessonItem(i, _line(title), _line(summary), region or "the network")
                          for i, title, summary, region in rows.tuples()]
    applied = _favoured(Lesson.visible_to(member)
                        .select(Lesson.id, Lesson.title, Lesson.summary, Region.name,
                                fn.COUNT(LessonApplication.id))
                        .join(LessonApplication, on=(LessonApplication.lesson == Lesson.id))
                        .join_from(Lesson, Region, on=(Lesson.region == Region.id),
                                   join_type=JOIN.LEFT_OUTER)
                        .where(published, LessonApplication.created_at >= since,
                               LessonApplication.created_at <= now)
                        .group_by(Lesson.id, Lesson.title, Lesson.summary, Region.name),
                        member, terms)
    rows = applied.order_by_extend(fn.COUNT(LessonApplication.id).desc(),
                                   Lesson.id.desc()).limit(LIST_LIMIT)
    digest.applied_lessons = [
        LessonItem(i, _line(title), _line(summary), region or "the network", count)
        for i, title, summary, region, count in rows.tuples()]


# --- 4. nudges -------------------------------------------------------------------------------

def _mentions(digest, member):
    author = Member.alias("author")
    rows = (Post.visible_to(member)
            .select(Thread.id, Thread.title, Post.number, author.name)
            .join_from(Post, Mention, on=(Mention.post == Post.id))
            .join_from(Post, author, on=(Post.author == author.id))
            .where(Mention.member == member.id, Mention.created_at >= digest.since,
                   Mention.created_at <= digest.now)
            .order_by(Mention.created_at.desc(), Mention.id.desc())
            .limit(MENTION_LIMIT)
            .tuples())
    digest.mentions = [MentionItem(i, _line(title), number, _line(name))
                       for i, title, number, name in rows]


def _quiet(digest, member):
    """Not posted for QUIET_WEEKS (and a member that long): a thread their experience fits."""
    if member.region_id is None:
        return
    quiet_since = digest.now - dt.timedelta(weeks=QUIET_WEEKS)
    if member.created_at > quiet_since or Post.select().where(
            Post.author == member.id, Post.created_at >= quiet_since).exists():
        return
    thread = digest.waiting_threads[0] if digest.waiting_threads else None
    if thread is None:
        recent = (_region_threads(member, member.region_id, digest.now)
                  .select(Thread.id, Thread.title)
                  .where(Thread.closed_at.is_null(), Thread.is_locked == False)  # noqa: E712
                  .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
                  .first())
        thread = ThreadItem(recent.id, _line(recent.title)) if recent else None
    if thread is not None:
        digest.quiet = QuietNudge(QUIET_WEEKS, thread)


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
