"""Moderator actions: hide, unhide, dismiss flags, lock, unlock, pin, unpin, move a thread."""
# Every action checks `permissions`, writes in one `db.atomic()` with its audit event, and
# queues its mail in the same transaction. Content is never deleted: hiding is a flag on the
# row, and every surface reads it through `Thread.visible_to` / `Post.visible_to`.
from r2pnet import permissions
from r2pnet.discussions.models import Post, Thread
from r2pnet.errors import DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.members.models import Region, utcnow
from r2pnet.moderation.items import (audit, check_post, clean_reason, describe, is_pending_review,
                                     item_key, mail_author, set_hidden, set_visible, space_name)
from r2pnet.moderation.models import Flag

THREAD_ACTIONS = ("hide", "unhide", "lock", "unlock", "pin", "unpin", "move", "dismiss")
POST_ACTIONS = ("hide", "unhide", "dismiss")


def _require_moderator(moderator, thread):
    if not permissions.can_moderate_thread(moderator, thread):
        raise Forbidden("Only the moderators of this space can do that.")


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


# --- hiding ----------------------------------------------------------------------------------

def hide(moderator, thread, post=None, reason="", ip=""):
    """Hide a thread or post (soft, reversible); resolves its open flags; mails the author."""
    check_post(thread, post)
    _require_moderator(moderator, thread)
    reason = clean_reason(reason)
    if not reason:
        raise DomainError("Say why you hide it: the author is told.", "reason")
    item = post if post is not None else thread
    if item.is_hidden and not is_pending_review(item):
        raise DomainError("This is already hidden.")
    now = utcnow()
    with db.atomic():
        set_hidden(thread, post, reason, now)
        _resolve_flags(moderator, thread, post, "hidden", now)
        audit("post_hidden" if post is not None else "thread_hidden", moderator, thread, post,
              reason=reason, ip=ip)
        mail_author(thread, post, reason, pending=False)
    return item


def unhide(moderator, thread, post=None, reason="", ip=""):
    """Show a hidden thread or post again; its open flags are resolved as "unhidden"."""
    check_post(thread, post)
    _require_moderator(moderator, thread)
    reason = clean_reason(reason)
    item = post if post is not None else thread
    now = utcnow()
    with db.atomic():
        if not set_visible(thread, post):
            raise DomainError("This is not hidden.")
        _resolve_flags(moderator, thread, post, "unhidden", now)
        audit("post_unhidden" if post is not None else "thread_unhidden", moderator, thread,
              post, reason=reason, ip=ip)
    return item


def dismiss_flags(moderator, thread, post=None, reason="", ip=""):
    """Resolve the item's open flags without hiding it; an item the flags hid is shown again."""
    check_post(thread, post)
    _require_moderator(moderator, thread)
    reason = clean_reason(reason)
    item = post if post is not None else thread
    pending = is_pending_review(item)
    now = utcnow()
    with db.atomic():
        dismissed = _resolve_flags(moderator, thread, post, "dismissed", now)
        if not dismissed and not pending:
            raise DomainError("There are no open flags on this.")
        audit("flags_dismissed", moderator, thread, post, reason=reason,
              detail=f"{dismissed} flag{'s' if dismissed != 1 else ''} on "
                     f"{describe(thread, post)}", ip=ip)
        if pending and set_visible(thread, post):
            audit("post_unhidden" if post is not None else "thread_unhidden", moderator,
                  thread, post, reason=reason or "Flags dismissed", ip=ip)
    return item


# --- locking, pinning, moving ----------------------------------------------------------------

def _toggle(moderator, thread, column, value, action, already, reason, ip=""):
    _require_moderator(moderator, thread)
    reason = clean_reason(reason)
    field_ = getattr(Thread, column)
    with db.atomic():
        changed = (Thread.update({field_: value})
                   .where(Thread.id == thread.id, field_ == (not value))
                   .execute())
        if not changed:
            raise DomainError(already)
        audit(action, moderator, thread, None, reason=reason, ip=ip)
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
    reason = clean_reason(reason)
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
              f"{describe(thread, None)}")
    with db.atomic():
        moved = (Thread.update(region=to_region_id, version=Thread.version + 1)
                 .where(Thread.id == thread.id, same_place)
                 .execute())
        if not moved:
            raise DomainError("Someone moved this thread meanwhile; look at it again.")
        for region_id in (from_region_id, to_region_id):
            audit("thread_moved", moderator, thread, None, reason=reason, detail=detail,
                  region=region_id, ip=ip)
    thread.region = to_region_id
    return thread


# --- the views' entry points -----------------------------------------------------------------

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
