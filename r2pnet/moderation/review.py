"""The review queue: flagged items and items hidden pending review, per moderated space."""
from dataclasses import dataclass, field

from r2pnet import permissions
from r2pnet.discussions.models import Post, Thread
from r2pnet.errors import Forbidden
from r2pnet.members.models import Member, utcnow
from r2pnet.moderation.items import PENDING_REVIEW, is_pending_review, item_key
from r2pnet.moderation.models import FLAG_REASONS, Flag

QUEUE_LIMIT = 200


@dataclass
class QueueEntry:
    """One flagged or pending item: the thread, the post (None for the thread itself), flags."""

    thread: Thread
    post: Post | None
    flags: list = field(default_factory=list)

    @property
    def item(self):
        return self.post or self.thread

    @property
    def key(self):
        return item_key(self.thread, self.post)

    @property
    def pending(self):
        return is_pending_review(self.item)

    @property
    def reasons(self):
        """{reason label: count} of the open flags, most frequent first."""
        counts = {}
        for f in self.flags:
            label = FLAG_REASONS.get(f.reason, f.reason)
            counts[label] = counts.get(label, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    @property
    def first_flagged_at(self):
        return min((f.created_at for f in self.flags), default=self.item.hidden_at or utcnow())


def _in_moderated_spaces(query, viewer):
    """`query` (over Thread) limited to the spaces `viewer` moderates."""
    if permissions.is_administrator(viewer):
        return query
    return query.where(Thread.region << (list(permissions.moderated_region_ids(viewer)) or [0]))


def queue(viewer):
    """Items with open flags or hidden pending review, in the spaces `viewer` moderates
    (administrators: all, the network space included). Pending items first, then the most
    flagged, then the oldest."""
    # The candidates come from a subquery, so its OR can use both indexes (flag_count, and
    # is_hidden) instead of the ORDER BY ... LIMIT turning it into a scan of every row.
    if not permissions.can_read_moderation(viewer):
        raise Forbidden("The moderation queue is for moderators.")
    threads = list(_in_moderated_spaces(
        Thread.select(Thread, Member)
        .join(Member, on=(Thread.author == Member.id))
        .where(Thread.id.in_(Thread.select(Thread.id).where(
            (Thread.flag_count > 0)
            | ((Thread.is_hidden == True)  # noqa: E712
               & Thread.hidden_reason.startswith(PENDING_REVIEW)))))
        .order_by(Thread.id)
        .limit(QUEUE_LIMIT), viewer))
    posts = list(_in_moderated_spaces(
        Post.select(Post, Thread, Member)
        .join(Thread, on=(Post.thread == Thread.id))
        .switch(Post)
        .join(Member, on=(Post.author == Member.id))
        .where(Post.id.in_(Post.select(Post.id).where(
            (Post.flag_count > 0)
            | ((Post.is_hidden == True)  # noqa: E712
               & Post.hidden_reason.startswith(PENDING_REVIEW)))))
        .order_by(Post.id)
        .limit(QUEUE_LIMIT), viewer))
    entries = [QueueEntry(t, None) for t in threads] + [QueueEntry(p.thread, p) for p in posts]
    by_key = {entry.key: entry for entry in entries}
    if by_key:
        for flag_ in (Flag.select(Flag, Member)
                      .join(Member, on=(Flag.member == Member.id))
                      .where(Flag.item.in_(list(by_key)), Flag.resolved_at.is_null())
                      .order_by(Flag.created_at, Flag.id)):
            by_key[flag_.item].flags.append(flag_)
    entries.sort(key=lambda e: (not e.pending, -len(e.flags), e.first_flagged_at))
    return entries
