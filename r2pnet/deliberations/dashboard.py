"""The region dashboard: per region, deliberation rhythm and discussion activity.

Every figure comes from one GROUP BY query over all the shown regions, so the page costs the
same queries for one region or fifty, ten threads or ten thousand.
"""
import datetime as dt
from dataclasses import dataclass

from peewee import fn

from r2pnet import permissions
from r2pnet.deliberations.models import (DEFAULT_CADENCE_DAYS, Cadence, Deliberation,
                                         WeeklyQuestion)
from r2pnet.discussions.models import Post, Thread
from r2pnet.members.models import Region, utcnow

ACTIVITY_DAYS = 30


@dataclass
class RegionRow:
    """One region's line on the dashboard."""

    region: Region
    cadence_days: int
    last_held_at: dt.datetime | None
    days_since: int | None
    next: Deliberation | None
    threads: int
    replies: int
    unanswered: int
    question: WeeklyQuestion | None

    @property
    def overdue(self):
        """No deliberation held within the cadence (never held: nothing scheduled either)."""
        if self.days_since is None:
            return self.next is None
        return self.days_since > self.cadence_days


def dashboard_regions(viewer):
    """The regions on `viewer`'s dashboard: those they moderate; administrators: all."""
    if permissions.is_administrator(viewer):
        return list(Region.ordered())
    ids = list(permissions.moderated_region_ids(viewer))
    return list(Region.ordered().where(Region.id.in_(ids))) if ids else []


def _counts(query):
    return dict(query.tuples())


def region_rows(viewer, unanswered_after_days, now=None):
    """A RegionRow per region on `viewer`'s dashboard, by region name."""
    now = now or utcnow()
    regions = dashboard_regions(viewer)
    ids = [region.id for region in regions]
    if not ids:
        return []
    held = Deliberation.cancelled_at.is_null()
    last = _counts(Deliberation.select(Deliberation.region, fn.MAX(Deliberation.starts_at))
                   .where(Deliberation.region.in_(ids), held, Deliberation.starts_at <= now)
                   .group_by(Deliberation.region))
    first_next = (Deliberation.select(Deliberation.region.alias("region_id"),
                                      fn.MIN(Deliberation.starts_at).alias("first"))
                  .where(Deliberation.region.in_(ids), held, Deliberation.starts_at > now)
                  .group_by(Deliberation.region)
                  .alias("first_next"))
    upcoming = {}
    for deliberation in (Deliberation.select()
                         .join(first_next, on=(
                             (Deliberation.region == first_next.c.region_id)
                             & (Deliberation.starts_at == first_next.c.first)))
                         .where(held)
                         .order_by(Deliberation.id)):
        upcoming.setdefault(deliberation.region_id, deliberation)
    cadences = _counts(Cadence.select(Cadence.region, Cadence.every_days)
                       .where(Cadence.region.in_(ids)))
    since = now - dt.timedelta(days=ACTIVITY_DAYS)
    visible = Thread.is_hidden == False  # noqa: E712
    threads = _counts(Thread.select(Thread.region, fn.COUNT(Thread.id))
                      .where(Thread.region.in_(ids), visible, Thread.created_at >= since)
                      .group_by(Thread.region))
    replies = _counts(Post.select(Thread.region, fn.COUNT(Post.id))
                      .join(Thread, on=(Post.thread == Thread.id))
                      .where(Thread.region.in_(ids), visible, Post.number > 1,
                             Post.is_hidden == False, Post.created_at >= since)  # noqa: E712
                      .group_by(Thread.region))
    quiet_since = now - dt.timedelta(days=unanswered_after_days)
    unanswered = _counts(Thread.select(Thread.region, fn.COUNT(Thread.id))
                         .where(Thread.region.in_(ids), visible, Thread.reply_count == 0,
                                Thread.closed_at.is_null(), Thread.created_at < quiet_since)
                         .group_by(Thread.region))
    latest = (WeeklyQuestion.select(WeeklyQuestion.region.alias("region_id"),
                                    fn.MAX(WeeklyQuestion.created_at).alias("latest"))
              .where(WeeklyQuestion.region.in_(ids))
              .group_by(WeeklyQuestion.region)
              .alias("latest"))
    questions = {}
    for question in (WeeklyQuestion.select()
                     .join(latest, on=((WeeklyQuestion.region == latest.c.region_id)
                                       & (WeeklyQuestion.created_at == latest.c.latest)))
                     .order_by(WeeklyQuestion.id.desc())):
        questions.setdefault(question.region_id, question)
    rows = []
    for region in regions:
        last_at = last.get(region.id)
        rows.append(RegionRow(
            region=region, cadence_days=cadences.get(region.id, DEFAULT_CADENCE_DAYS),
            last_held_at=last_at, days_since=(now - last_at).days if last_at else None,
            next=upcoming.get(region.id), threads=threads.get(region.id, 0),
            replies=replies.get(region.id, 0), unanswered=unanswered.get(region.id, 0),
            question=questions.get(region.id)))
    return rows
