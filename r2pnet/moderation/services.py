"""Moderation: flags with the auto-hide threshold, hide/unhide, lock, pin, move, dismiss,
the queue of flagged items and the moderation log.

Every action checks `permissions`, writes in one `db.atomic()` with its audit event, and
queues its mail in the same transaction. Content is never deleted: hiding is a flag on the row,
and every surface reads it through `Thread.visible_to` / `Post.visible_to`.
"""
import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from peewee import IntegrityError

from r2pnet import mail, permissions
from r2pnet.audit.models import MODERATION_ACTIONS, AuditEvent
from r2pnet.audit.services import record
from r2pnet.discussions import reading
from r2pnet.discussions.models import NETWORK, Post, Thread
from r2pnet.errors import DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.members.models import Member, Region, utcnow
from r2pnet.moderation.models import FLAG_REASONS, Flag

# The reason an item hidden by flags carries until a moderator reviews it.
PENDING_REVIEW = "Hidden pending review"
THREAD_ACTIONS = ("hide", "unhide", "lock", "unlock", "pin", "unpin", "move", "dismiss")
POST_ACTIONS = ("hide", "unhide", "dismiss")
QUEUE_LIMIT = 200
REASON_MAX = 500


def item_key(thread, post=None):
    """The `item` of flags and audit events: "thread:<id>" or "post:<id>"."""
    return f"post:{post.id}" if post is not None else f"thread:{thread.id}"


def is_pending_review(item):
    """Hidden by flags and not yet reviewed by a moderator."""
    return item.is_hidden and item.hidden_reason.startswith(PENDING_REVIEW)


def pending_reason(count):
    return f"{PENDING_REVIEW}: flagged by {count} member{'s' if count != 1 else ''}"


def space_name(region_id, regions=None):
    """A space's name for people: its region's name, or "Network"."""
    if region_id is None:
        return "Network"
    region = (regions or {}).get(region_id) or Region.get_or_none(Region.id == region_id)
    return region.name if region else f"region {region_id}"


def _describe(thread, post):
    if post is None:
        return f"thread {thread.id}: {thread.title}"
    return f"post #{post.number} of thread {thread.id}: {thread.title}"


def _require_moderator(moderator, thread):
    if not permissions.can_moderate_thread(moderator, thread):
        raise Forbidden("Only the moderators of this space can do that.")


def _check_post(thread, post):
    if post is not None and post.thread_id != thread.id:
        raise DomainError("This post is not in that thread.")


def _clean_reason(reason):
    return " ".join((reason or "").split())[:REASON_MAX]


# --- keeping counts and activity right -------------------------------------------------------

def _refresh_activity(thread):
    """Last activity and last author from the newest visible post (hidden ones do not count)."""
    latest = (Post.select(Post.created_at, Post.author)
              .where(Post.thread == thread.id, Post.is_hidden == False)  # noqa: E712
              .order_by(Post.number.desc())
              .first())
    when, who = ((latest.created_at, latest.author_id) if latest
                 else (thread.created_at, thread.author_id))
    Thread.update(last_activity_at=when, last_author=who).where(Thread.id == thread.id).execute()
    thread.last_activity_at, thread.last_author = when, who


def _set_hidden(thread, post, reason, now, replace_reason=True):
    """Hide the item; True when it was visible (counts and activity then move).

    An item already hidden keeps hidden_at, and keeps its reason unless `replace_reason`.
    """
    model, item = (Post, post) if post is not None else (Thread, thread)
    changed = (model.update(is_hidden=True, hidden_reason=reason, hidden_at=now)
               .where(model.id == item.id, model.is_hidden == False)  # noqa: E712
               .execute())
    if not changed:
        if not replace_reason:
            return False
        model.update(hidden_reason=reason).where(model.id == item.id).execute()
    elif post is not None:
        if post.number > 1:
            Thread.update(reply_count=Thread.reply_count - 1).where(
                Thread.id == thread.id).execute()
            thread.reply_count -= 1
        _refresh_activity(thread)
    item.is_hidden, item.hidden_reason = True, reason
    if changed:
        item.hidden_at = now
    return bool(changed)


def _set_visible(thread, post):
    """Unhide the item; True when it was hidden."""
    model, item = (Post, post) if post is not None else (Thread, thread)
    changed = (model.update(is_hidden=False, hidden_reason="", hidden_at=None)
               .where(model.id == item.id, model.is_hidden == True)  # noqa: E712
               .execute())
    if changed and post is not None:
        if post.number > 1:
            Thread.update(reply_count=Thread.reply_count + 1).where(
                Thread.id == thread.id).execute()
            thread.reply_count += 1
        _refresh_activity(thread)
    item.is_hidden, item.hidden_reason, item.hidden_at = False, "", None
    return bool(changed)


def _resolve_flags(moderator, thread, post, resolution, now):
    """Close the item's open flags; returns how many were open."""
    key = item_key(thread, post)
    resolved = (Flag.update(resolved_at=now, resolved_by=moderator.id, resolution=resolution)
                .where(Flag.item == key, Flag.resolved_at.is_null())
                .execute())
    model, item = (Post, post) if post is not None else (Thread, thread)
    model.update(flag_count=0).where(model.id == item.id).execute()
    item.flag_count = 0
    return resolved


def _audit(action, actor, thread, post, reason="", detail=None, region=..., ip=""):
    record(action, actor=actor, target=(post if post is not None else thread).author_id, ip=ip,
           region=thread.region_id if region is ... else region, item=item_key(thread, post),
           reason=reason, detail=detail if detail is not None else _describe(thread, post))


def _mail_author(thread, post, reason, pending):
    """Tell the author their item is hidden and why (the thread title, never the text)."""
    author = Member.get_or_none(Member.id == (post if post is not None else thread).author_id)
    if author is None or not author.is_active:
        return
    what = "thread" if post is None else ("opening post" if post.number == 1 else "reply")
    link = f"/threads/{thread.id}"
    if post is not None:
        link += f"?page={reading.page_of(post.number)}#post-{post.number}"
    msg = mail.build_message(
        "item_hidden", (author.name, author.email),
        f"Your {what} is hidden pending review" if pending else f"Your {what} is hidden",
        member=author, thread=thread, post=post, what=what, reason=reason, pending=pending,
        link=link)
    mail.send_after_commit(msg)


# --- flags -----------------------------------------------------------------------------------

def flag(member, thread, post=None, reason="", note="", ip=""):
    """`member` flags a thread (post None) or a post; enough open flags hide it pending review.

    Returns the Flag. One flag per member per item; a flag on an already hidden item is still
    recorded (and counted), but hides nothing more and mails nobody.
    """
    _check_post(thread, post)
    if not permissions.can_flag(member, thread, post):
        raise Forbidden("You cannot flag this.")
    if reason not in FLAG_REASONS:
        raise DomainError("Choose a reason.", "reason")
    note = " ".join((note or "").split())[:REASON_MAX]
    if reason == "other" and not note:
        raise DomainError("Say why you flag it.", "note")
    model, item = (Post, post) if post is not None else (Thread, thread)
    threshold = current_app.config["FLAG_THRESHOLD"]
    now = utcnow()
    with db.atomic():
        try:
            with db.atomic():
                created = Flag.create(member=member, thread=thread, post=post,
                                      item=item_key(thread, post), reason=reason, note=note,
                                      created_at=now)
        except IntegrityError:
            raise DomainError("You have already flagged this; the moderators will review it.") \
                from None
        # The increment locks the row: flaggers are counted one at a time.
        model.update(flag_count=model.flag_count + 1).where(model.id == item.id).execute()
        count = model.select(model.flag_count).where(model.id == item.id).scalar()
        item.flag_count = count
        if count >= threshold:
            hidden_reason = pending_reason(count)
            # Only the flag that finds the item visible hides it: the author is mailed once.
            if _set_hidden(thread, post, hidden_reason, now, replace_reason=False):
                _audit("post_auto_hidden" if post is not None else "thread_auto_hidden",
                       None, thread, post, reason=hidden_reason)
                _mail_author(thread, post, hidden_reason, pending=True)
    return created


def open_flags(thread, post=None):
    """The item's open flags with their members, oldest first."""
    return list(Flag.select(Flag, Member)
                .join(Member, on=(Flag.member == Member.id))
                .where(Flag.item == item_key(thread, post), Flag.resolved_at.is_null())
                .order_by(Flag.created_at, Flag.id))


# --- moderator actions -----------------------------------------------------------------------

def hide(moderator, thread, post=None, reason="", ip=""):
    """Hide a thread or post (soft, reversible); resolves its open flags; mails the author."""
    _check_post(thread, post)
    _require_moderator(moderator, thread)
    reason = _clean_reason(reason)
    if not reason:
        raise DomainError("Say why you hide it: the author is told.", "reason")
    item = post if post is not None else thread
    if item.is_hidden and not is_pending_review(item):
        raise DomainError("This is already hidden.")
    now = utcnow()
    with db.atomic():
        _set_hidden(thread, post, reason, now)
        _resolve_flags(moderator, thread, post, "hidden", now)
        _audit("post_hidden" if post is not None else "thread_hidden", moderator, thread, post,
               reason=reason, ip=ip)
        _mail_author(thread, post, reason, pending=False)
    return item


def unhide(moderator, thread, post=None, reason="", ip=""):
    """Show a hidden thread or post again; its open flags are resolved as "unhidden"."""
    _check_post(thread, post)
    _require_moderator(moderator, thread)
    reason = _clean_reason(reason)
    item = post if post is not None else thread
    now = utcnow()
    with db.atomic():
        if not _set_visible(thread, post):
            raise DomainError("This is not hidden.")
        _resolve_flags(moderator, thread, post, "unhidden", now)
        _audit("post_unhidden" if post is not None else "thread_unhidden", moderator, thread,
               post, reason=reason, ip=ip)
    return item


def dismiss_flags(moderator, thread, post=None, reason="", ip=""):
    """Resolve the item's open flags without hiding it; an item the flags hid is shown again."""
    _check_post(thread, post)
    _require_moderator(moderator, thread)
    reason = _clean_reason(reason)
    item = post if post is not None else thread
    pending = is_pending_review(item)
    now = utcnow()
    with db.atomic():
        dismissed = _resolve_flags(moderator, thread, post, "dismissed", now)
        if not dismissed and not pending:
            raise DomainError("There are no open flags on this.")
        _audit("flags_dismissed", moderator, thread, post, reason=reason,
               detail=f"{dismissed} flag{'s' if dismissed != 1 else ''} on "
                      f"{_describe(thread, post)}", ip=ip)
        if pending and _set_visible(thread, post):
            _audit("post_unhidden" if post is not None else "thread_unhidden", moderator,
                   thread, post, reason=reason or "Flags dismissed", ip=ip)
    return item


def _toggle(moderator, thread, column, value, action, already, reason, ip=""):
    _require_moderator(moderator, thread)
    reason = _clean_reason(reason)
    field_ = getattr(Thread, column)
    with db.atomic():
        changed = (Thread.update({field_: value})
                   .where(Thread.id == thread.id, field_ == (not value))
                   .execute())
        if not changed:
            raise DomainError(already)
        _audit(action, moderator, thread, None, reason=reason, ip=ip)
    setattr(thread, column, value)
    return thread


def lock(moderator, thread, reason="", ip=""):
    """Lock a thread: nobody replies any more (moderators still edit and hide)."""
    return _toggle(moderator, thread, "is_locked", True, "thread_locked",
                   "This thread is already locked.", reason, ip)


def unlock(moderator, thread, reason="", ip=""):
    """Unlock a thread: replies are open again."""
    return _toggle(moderator, thread, "is_locked", False, "thread_unlocked",
                   "This thread is not locked.", reason, ip)


def pin(moderator, thread, reason="", ip=""):
    """Pin a thread at the top of its space."""
    return _toggle(moderator, thread, "is_pinned", True, "thread_pinned",
                   "This thread is already pinned.", reason, ip)


def unpin(moderator, thread, reason="", ip=""):
    """Unpin a thread."""
    return _toggle(moderator, thread, "is_pinned", False, "thread_unpinned",
                   "This thread is not pinned.", reason, ip)


def move_thread(moderator, thread, to_region_id, reason="", ip=""):
    """Move a thread to another space (a region id, or None for the network space).

    The moderator must moderate both spaces. The move is logged in each, so the moderators of
    the space it left and of the space it joined both find it in their log.
    """
    _require_moderator(moderator, thread)
    if not permissions.can_moderate_space(moderator, to_region_id):
        raise Forbidden("You can only move threads to spaces you moderate.")
    reason = _clean_reason(reason)
    if not reason:
        raise DomainError("Say why you move it.", "reason")
    if to_region_id is not None and not Region.select().where(Region.id == to_region_id).exists():
        raise DomainError("There is no such space.", "space")
    from_region_id = thread.region_id
    if to_region_id == from_region_id:
        raise DomainError("The thread is already in that space.", "space")
    same_place = (Thread.region.is_null() if from_region_id is None
                  else Thread.region == from_region_id)
    regions = {r.id: r for r in Region.select().where(
        Region.id.in_([i for i in (from_region_id, to_region_id) if i is not None] or [0]))}
    detail = (f"{space_name(from_region_id, regions)} → {space_name(to_region_id, regions)}: "
              f"{_describe(thread, None)}")
    with db.atomic():
        moved = (Thread.update(region=to_region_id, version=Thread.version + 1)
                 .where(Thread.id == thread.id, same_place)
                 .execute())
        if not moved:
            raise DomainError("Someone moved this thread meanwhile; look at it again.")
        for region_id in (from_region_id, to_region_id):
            _audit("thread_moved", moderator, thread, None, reason=reason, detail=detail,
                   region=region_id, ip=ip)
    thread.region = to_region_id
    return thread


def act_on_thread(moderator, thread, action, reason="", to_region_id=None, ip=""):
    """Dispatch one of THREAD_ACTIONS (the views' single entry point)."""
    if action == "move":
        return move_thread(moderator, thread, to_region_id, reason, ip)
    actions = {"hide": hide, "unhide": unhide, "dismiss": dismiss_flags}
    if action in actions:
        return actions[action](moderator, thread, None, reason, ip)
    toggles = {"lock": lock, "unlock": unlock, "pin": pin, "unpin": unpin}
    if action not in toggles:
        raise DomainError("Unknown action.")
    return toggles[action](moderator, thread, reason, ip)


def act_on_post(moderator, post, action, reason="", ip=""):
    """Dispatch one of POST_ACTIONS."""
    actions = {"hide": hide, "unhide": unhide, "dismiss": dismiss_flags}
    if action not in actions:
        raise DomainError("Unknown action.")
    return actions[action](moderator, post.thread, post, reason, ip)


# --- the queue -------------------------------------------------------------------------------

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
    if not permissions.can_read_moderation(viewer):
        raise Forbidden("The moderation queue is for moderators.")
    threads = list(_in_moderated_spaces(
        Thread.select(Thread, Member)
        .join(Member, on=(Thread.author == Member.id))
        .where((Thread.flag_count > 0)
               | ((Thread.is_hidden == True)  # noqa: E712
                  & Thread.hidden_reason.startswith(PENDING_REVIEW)))
        .order_by(Thread.id)
        .limit(QUEUE_LIMIT), viewer))
    posts = list(_in_moderated_spaces(
        Post.select(Post, Thread, Member)
        .join(Thread, on=(Post.thread == Thread.id))
        .switch(Post)
        .join(Member, on=(Post.author == Member.id))
        .where((Post.flag_count > 0)
               | ((Post.is_hidden == True)  # noqa: E712
                  & Post.hidden_reason.startswith(PENDING_REVIEW)))
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


# --- the moderation log ----------------------------------------------------------------------

def moderation_log(viewer, filters=None):
    """Moderation events of the spaces `viewer` moderates, newest first (network-space events:
    administrators only). Filters: action, space ("network" or a region key), since, until
    (datetimes, until exclusive), item ("thread:12")."""
    if not permissions.can_read_moderation(viewer):
        raise Forbidden("The moderation log is for moderators.")
    filters = filters or {}
    query = (AuditEvent.select()
             .where(AuditEvent.action.in_(MODERATION_ACTIONS))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if not permissions.is_administrator(viewer):
        query = query.where(AuditEvent.region << (
            list(permissions.moderated_region_ids(viewer)) or [0]))
    if filters.get("action"):
        query = query.where(AuditEvent.action == filters["action"])
    space = filters.get("space")
    if space == NETWORK:
        query = query.where(AuditEvent.region.is_null())
    elif space:
        query = query.where(AuditEvent.region == Region.select(Region.id).where(
            Region.key == space))
    if filters.get("item"):
        query = query.where(AuditEvent.item == filters["item"])
    if filters.get("since"):
        query = query.where(AuditEvent.created_at >= filters["since"])
    if filters.get("until"):
        query = query.where(AuditEvent.created_at < filters["until"])
    return query


def log_spaces(viewer):
    """The spaces whose log `viewer` reads, as {key: name}, for the filter."""
    if permissions.is_administrator(viewer):
        regions = Region.ordered()
        return {NETWORK: "Network", **{r.key: r.name for r in regions}}
    ids = list(permissions.moderated_region_ids(viewer)) or [0]
    return {r.key: r.name for r in Region.ordered().where(Region.id.in_(ids))}


def with_details(events):
    """Attach actor, region and the thread of the item to a page of events (3 queries)."""
    member_ids = {e.actor_id for e in events if e.actor_id}
    members = ({m.id: m for m in Member.select(Member.id, Member.name, Member.email)
                .where(Member.id.in_(list(member_ids)))} if member_ids else {})
    regions = {r.id: r for r in Region.select(Region.id, Region.key, Region.name)}
    post_ids = {int(e.item.split(":", 1)[1]) for e in events
                if e.item.startswith("post:") and e.item[5:].isdigit()}
    posts = ({p.id: p for p in Post.select(Post.id, Post.thread, Post.number)
              .where(Post.id.in_(list(post_ids)))} if post_ids else {})
    for event in events:
        event.actor_member = members.get(event.actor_id)
        event.space_name = space_name(event.region_id, regions)
        event.thread_id, event.post_number = None, None
        kind, _, ident = event.item.partition(":")
        if kind == "thread" and ident.isdigit():
            event.thread_id = int(ident)
        elif kind == "post" and ident.isdigit() and int(ident) in posts:
            event.thread_id = posts[int(ident)].thread_id
            event.post_number = posts[int(ident)].number
    return events


def iso_utc(value):
    """A naive UTC datetime as ISO 8601 with its zone."""
    return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds") if value else ""
