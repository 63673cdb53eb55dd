"""The moderated item (a thread or a post): its key, hidden state, counts, audit row and mail."""
from r2pnet import mail
from r2pnet.audit.services import record
from r2pnet.discussions import reading
from r2pnet.discussions.models import Post, Thread
from r2pnet.errors import DomainError
from r2pnet.members.models import Member, Region

# The reason an item hidden by flags carries until a moderator reviews it.
PENDING_REVIEW = "Hidden pending review"
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


def describe(thread, post):
    """The item for the log: "thread 3: <title>" or "post #2 of thread 3: <title>"."""
    if post is None:
        return f"thread {thread.id}: {thread.title}"
    return f"post #{post.number} of thread {thread.id}: {thread.title}"


def check_post(thread, post):
    """:raise DomainError: when `post` is not in `thread`."""
    if post is not None and post.thread_id != thread.id:
        raise DomainError("This post is not in that thread.")


def clean_reason(reason):
    """A reason on one line, at most REASON_MAX characters."""
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


def set_hidden(thread, post, reason, now, replace_reason=True):
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


def set_visible(thread, post):
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


# --- telling the log and the author ----------------------------------------------------------

def audit(action, actor, thread, post, reason="", detail=None, region=..., ip=""):
    """Record a moderation event on the item, in its thread's space unless `region` says."""
    record(action, actor=actor, target=(post if post is not None else thread).author_id, ip=ip,
           region=thread.region_id if region is ... else region, item=item_key(thread, post),
           reason=reason, detail=detail if detail is not None else describe(thread, post))


def mail_author(thread, post, reason, pending):
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
