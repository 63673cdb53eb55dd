"""Flagging: a member flags a thread or post; enough open flags hide it pending review."""
from flask import current_app
from peewee import IntegrityError

from r2pnet import permissions
from r2pnet.discussions.models import Post, Thread
from r2pnet.errors import DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.members.models import Member, utcnow
from r2pnet.moderation.items import (REASON_MAX, audit, check_post, item_key, mail_author,
                                     pending_reason, set_hidden)
from r2pnet.moderation.models import FLAG_REASONS, Flag


def flag(member, thread, post=None, reason="", note="", ip=""):
    """`member` flags a thread (post None) or a post; enough open flags hide it pending review.

    Returns the Flag. One flag per member per item; a flag on an already hidden item is still
    recorded (and counted), but hides nothing more and mails nobody.
    """
    check_post(thread, post)
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
            if set_hidden(thread, post, hidden_reason, now, replace_reason=False):
                audit("post_auto_hidden" if post is not None else "thread_auto_hidden",
                      None, thread, post, reason=hidden_reason)
                mail_author(thread, post, hidden_reason, pending=True)
    return created


def open_flags(thread, post=None):
    """The item's open flags with their members, oldest first."""
    return list(Flag.select(Flag, Member)
                .join(Member, on=(Flag.member == Member.id))
                .where(Flag.item == item_key(thread, post), Flag.resolved_at.is_null())
                .order_by(Flag.created_at, Flag.id))
