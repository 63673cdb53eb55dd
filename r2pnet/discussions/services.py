"""Writing discussions: threads, replies, edits with history, closing, follows, read state."""
from dataclasses import dataclass, field

from peewee import Case, IntegrityError

from r2pnet import markdown, permissions, search
from r2pnet.audit.services import record
from r2pnet.discussions import mentions
from r2pnet.discussions.models import (NETWORK, Mention, Post, PostRevision, SpaceFollow,
                                       Thread, ThreadFollow, ThreadLesson, ThreadRead,
                                       ThreadTerm)
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Region, utcnow

CONFLICT_MESSAGE = ("Someone else saved this post while you were editing. Your text is kept "
                    "below but not saved: compare with the current version, then save again.")
# Form field -> ThreadTerm.kind
TERM_FIELDS = {"pillars": "pillar", "crimes": "crime", "priorities": "priority",
               "risk_factors": "risk_factor", "tags": "tag"}


@dataclass
class Written:
    """What a write produced, and what the writer should be told (mentions that did nothing)."""

    thread: Thread
    post: Post
    notes: list = field(default_factory=list)


def space_of(key):
    """(region id or None, region or None) of a space key ("network" or a region key).

    :raise DomainError: for an unknown key
    """
    if key == NETWORK:
        return None, None
    region = Region.get_or_none(Region.key == key)
    if region is None:
        raise DomainError("There is no such space.")
    return region.id, region


def _render(text, thread, writer):
    resolved, notes = mentions.resolve(text, thread, writer)
    return markdown.render(mentions.link(text, resolved)), resolved, notes


def _record_mentions(post, thread, resolved):
    for member in resolved.values():
        try:
            with db.atomic():
                Mention.create(post=post, thread=thread, member=member)
        except IntegrityError:
            pass  # already mentioned in an earlier version of this post


def _linked_lessons(writer, ids):
    if not ids:
        return []
    found = {lesson.id for lesson in Lesson.visible_to(writer).select(Lesson.id)
             .where(Lesson.id.in_(ids))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise DomainError(f"No lesson you can read has the number {', '.join(missing)}.",
                          "lessons")
    return ids


def _save_classification(thread, data):
    ThreadTerm.delete().where(ThreadTerm.thread == thread.id).execute()
    rows = [{"thread": thread.id, "kind": kind, "key": str(value)}
            for name, kind in TERM_FIELDS.items() for value in dict.fromkeys(data[name])]
    if rows:
        ThreadTerm.insert_many(rows).execute()
    ThreadLesson.delete().where(ThreadLesson.thread == thread.id).execute()
    if data["lessons"]:
        ThreadLesson.insert_many([{"thread": thread.id, "lesson": lesson_id}
                                  for lesson_id in data["lessons"]]).execute()


def index_thread(thread, opening=None):
    """(Re)index a thread: title, opening post, conclusion and tags."""
    opening = opening or Post.get((Post.thread == thread.id) & (Post.number == 1))
    tags = [t.key for t in ThreadTerm.select(ThreadTerm.key).where(
        ThreadTerm.thread == thread.id, ThreadTerm.kind == "tag")]
    body = "\n\n".join(part for part in (markdown.plain_text(opening.body_html),
                                          markdown.plain_text(thread.conclusion_html)) if part)
    search.index("thread", thread.id, thread.title, body, tags=" ".join(tags))


def index_post(post):
    """(Re)index a reply (the opening post is part of its thread's document)."""
    if post.number > 1:
        search.index("post", post.id, "", markdown.plain_text(post.body_html))


def create_thread(author, region_id, data, ip=""):
    """Start a thread in a space (region id, or None for the network) from ThreadSchema data."""
    if not permissions.can_post_in_space(author, region_id):
        raise Forbidden("You cannot start a thread in this space.")
    lessons = _linked_lessons(author, data["lessons"])
    now = utcnow()
    thread = Thread(region=region_id, author=author, title=data["title"], created_at=now,
                    last_activity_at=now, last_author=author)
    body_html, resolved, notes = _render(data["body_md"], thread, author)
    with db.atomic():
        thread.save()
        post = Post.create(thread=thread, author=author, number=1, body_md=data["body_md"],
                           body_html=body_html, created_at=now)
        _save_classification(thread, {**data, "lessons": lessons})
        _record_mentions(post, thread, resolved)
        _follow(author, thread)
        _mark_read(author, thread.id, 1)
        index_thread(thread, post)
    return Written(thread, post, notes)


def reply(author, thread, body_md, quoted_post_id=None):
    """Add a reply to a thread, perhaps quoting one of its posts the author can read."""
    if not permissions.can_reply(author, thread):
        if thread.is_locked or thread.closed_at is not None:
            raise Forbidden("This thread takes no more replies.")
        raise Forbidden("You cannot reply in this thread.")
    if quoted_post_id is not None:
        quoted = Post.visible_to(author).where(Post.id == quoted_post_id,
                                               Post.thread == thread.id).first()
        if quoted is None:
            raise DomainError("The quoted post is not in this thread.", "quoted_post_id")
    body_html, resolved, notes = _render(body_md, thread, author)
    now = utcnow()
    with db.atomic():
        # Taking the next number locks the thread row: replies are numbered one at a time.
        Thread.update(last_number=Thread.last_number + 1, reply_count=Thread.reply_count + 1,
                      last_activity_at=now, last_author=author.id).where(
            Thread.id == thread.id).execute()
        number = Thread.select(Thread.last_number).where(Thread.id == thread.id).scalar()
        post = Post.create(thread=thread, author=author, number=number, body_md=body_md,
                           body_html=body_html, quoted_post=quoted_post_id, created_at=now)
        _record_mentions(post, thread, resolved)
        _follow(author, thread)
        _mark_read(author, thread.id, number)
        index_post(post)
    thread.last_number, thread.last_activity_at = number, now
    thread.reply_count += 1
    return Written(thread, post, notes)


def edit_post(editor, post, thread, data, ip=""):
    """Save an edit of a post (and, for an opening post, the thread's title and classification).

    The earlier text is kept as a revision. Someone editing another member's post (a
    moderator) must give a reason, which is audited.
    """
    if not permissions.can_edit_post(editor, post, thread):
        raise Forbidden("You cannot edit this post.")
    by_moderator = post.author_id != editor.id
    reason = (data.get("reason") or "").strip()
    if by_moderator and not reason:
        raise DomainError("Say why you are editing another member's post.", "reason")
    expected = data.get("version") or post.version
    lessons = None
    if post.number == 1:
        lessons = _linked_lessons(editor, [i for i in data["lessons"]])
        if not data.get("title"):
            raise DomainError("Give a title of 1 to 200 characters.", "title")
    body_html, resolved, notes = _render(data["body_md"], thread, editor)
    now = utcnow()
    with db.atomic():
        saved = (Post.update(body_md=data["body_md"], body_html=body_html, edited_at=now,
                             edit_count=Post.edit_count + 1, version=Post.version + 1)
                 .where(Post.id == post.id, Post.version == expected).execute())
        if saved != 1:
            raise Conflict(CONFLICT_MESSAGE)
        number = PostRevision.select().where(PostRevision.post == post.id).count() + 1
        PostRevision.create(post=post, number=number, editor=editor, body_md=post.body_md,
                            title=thread.title if post.number == 1 else "", reason=reason,
                            created_at=now)
        post.body_md, post.body_html, post.edited_at = data["body_md"], body_html, now
        post.version, post.edit_count = expected + 1, post.edit_count + 1
        if post.number == 1:
            thread.title = data["title"]
            Thread.update(title=thread.title, version=Thread.version + 1).where(
                Thread.id == thread.id).execute()
            _save_classification(thread, {**data, "lessons": lessons})
            index_thread(thread, post)
        else:
            index_post(post)
        _record_mentions(post, thread, resolved)
        if by_moderator:
            record("post_edited_by_moderator", actor=editor, target=post.author_id, ip=ip,
                   region=thread.region_id, item=f"post:{post.id}", reason=reason,
                   detail=f"thread {thread.id}, post #{post.number}")
    return Written(thread, post, notes)


def close_thread(member, thread, conclusion_md, ip=""):
    """Close a thread with a recorded conclusion: it takes no more replies."""
    if not permissions.can_close_thread(member, thread):
        raise Forbidden("Only the thread's author and the space's moderators close it.")
    if thread.closed_at is not None:
        raise DomainError("This thread is already closed.")
    thread.closed_at, thread.closed_by = utcnow(), member
    thread.conclusion_md, thread.conclusion_html = conclusion_md, markdown.render(conclusion_md)
    with db.atomic():
        Thread.update(closed_at=thread.closed_at, closed_by=member.id,
                      conclusion_md=thread.conclusion_md,
                      conclusion_html=thread.conclusion_html).where(
            Thread.id == thread.id).execute()
        index_thread(thread)
        record("thread_closed", actor=member, ip=ip, region=thread.region_id,
               item=f"thread:{thread.id}", detail=thread.title)
    return thread


def reopen_thread(member, thread, ip=""):
    """Reopen a closed thread (its conclusion is kept until it is closed again)."""
    if not permissions.can_close_thread(member, thread):
        raise Forbidden("Only the thread's author and the space's moderators reopen it.")
    with db.atomic():
        Thread.update(closed_at=None, closed_by=None).where(Thread.id == thread.id).execute()
        record("thread_reopened", actor=member, ip=ip, region=thread.region_id,
               item=f"thread:{thread.id}", detail=thread.title)
    thread.closed_at = None
    return thread


def draft_lesson_from_thread(member, thread):
    """A draft lesson pre-filled from a closed thread's conclusion, written by `member`."""
    from r2pnet.knowledge import services as lessons
    from r2pnet.knowledge.schemas import LessonSchema

    if thread.closed_at is None or not thread.conclusion_md:
        raise DomainError("Close the thread with a conclusion first.")
    opening = Post.get((Post.thread == thread.id) & (Post.number == 1))
    terms = {name: [] for name in TERM_FIELDS}
    kinds = {kind: name for name, kind in TERM_FIELDS.items()}
    for term in ThreadTerm.select().where(ThreadTerm.thread == thread.id):
        terms[kinds[term.kind]].append(term.key)
    summary = markdown.plain_text(thread.conclusion_html)
    data = LessonSchema().load({
        "title": thread.title[:200],
        "summary": " ".join(summary.split())[:500] or thread.title[:200],
        "context_md": f"From the discussion [{_escape_title(thread.title)}](/threads/{thread.id})"
                      f":\n\n{opening.body_md}"[:20000],
        "lesson_md": thread.conclusion_md[:20000],
        "region_id": str(thread.region_id or ""),
        "visibility": "region" if thread.region_id else "network",
        "pillars": terms["pillars"], "crimes": terms["crimes"],
        "priorities": terms["priorities"], "risk_factors": terms["risk_factors"],
        "tags": ", ".join(terms["tags"]),
    })
    return lessons.create_lesson(member, data)


def _escape_title(title):
    return mentions.MARKDOWN_SPECIAL.sub(r"\\\1", title)


# --- follows and read state ------------------------------------------------------------------

def _follow(member, thread):
    try:
        with db.atomic():
            ThreadFollow.create(member=member, thread=thread)
    except IntegrityError:
        pass


def follow_thread(member, thread, follow=True):
    """Follow or stop following a thread the member can read."""
    if not permissions.can_read_thread(member, thread):
        raise Forbidden("You cannot see this thread.")
    with db.atomic():
        if follow:
            _follow(member, thread)
        else:
            ThreadFollow.delete().where(ThreadFollow.member == member.id,
                                        ThreadFollow.thread == thread.id).execute()


def space_label(region_id):
    """The SpaceFollow.space value of a space."""
    return NETWORK if region_id is None else str(region_id)


def follow_space(member, region_id, follow=True):
    """Follow or stop following a whole space the member can read."""
    if not permissions.can_read_space(member, region_id):
        raise Forbidden("You cannot see this space.")
    with db.atomic():
        if follow:
            try:
                with db.atomic():
                    SpaceFollow.create(member=member, region=region_id,
                                       space=space_label(region_id))
            except IntegrityError:
                pass
        else:
            SpaceFollow.delete().where(SpaceFollow.member == member.id,
                                       SpaceFollow.space == space_label(region_id)).execute()


def _mark_read(member, thread_id, number):
    now = utcnow()
    (ThreadRead.insert(member=member.id, thread=thread_id, last_read_number=number, read_at=now)
     .on_conflict(conflict_target=(ThreadRead.member, ThreadRead.thread),
                  update={ThreadRead.last_read_number: _greatest(number), ThreadRead.read_at: now})
     .execute())


def _greatest(number):
    return Case(None, [(ThreadRead.last_read_number < number, number)],
                ThreadRead.last_read_number)


def mark_read(member, thread, number):
    """Remember that `member` has read `thread` up to post `number` (never moves back)."""
    with db.atomic():
        _mark_read(member, thread.id, min(number, thread.last_number))


def mark_all_read(member, thread_ids):
    """Mark the given threads read to their last post."""
    with db.atomic():
        for thread_id, last in Thread.select(Thread.id, Thread.last_number).where(
                Thread.id.in_(list(thread_ids))).tuples():
            _mark_read(member, thread_id, last)
