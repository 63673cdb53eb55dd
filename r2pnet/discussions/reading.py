"""Reading discussions: spaces, thread lists with unread counts, thread pages, what's new.

Every query starts from Thread.visible_to / Post.visible_to, and each page costs the same
number of queries whatever the number of threads or posts.
"""
from typing import NamedTuple

from peewee import JOIN, fn

from r2pnet import permissions, statements
from r2pnet.discussions.models import (Mention, Post, SpaceFollow, Thread, ThreadFollow,
                                       ThreadLesson, ThreadRead, ThreadTerm)
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, Region

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 50
WHATS_NEW_LIMIT = 50


def readable_spaces(viewer):
    """[(region or None, thread count, last activity)] for every space `viewer` may read."""
    regions = [r for r in Region.ordered() if permissions.can_read_space(viewer, r.id)]
    stats = {region_id: (count, last) for region_id, count, last in (
        Thread.visible_to(viewer)
        .select(Thread.region, fn.COUNT(Thread.id), fn.MAX(Thread.last_activity_at))
        .group_by(Thread.region).tuples())}
    return [(region, *stats.get(region.id if region else None, (0, None)))
            for region in [None, *regions]]


def space_threads(viewer, region_id, sort="activity", page=1):
    """(threads of one page, total): pinned first, then by the chosen order."""
    query = Thread.visible_to(viewer).where(
        Thread.region.is_null() if region_id is None else Thread.region == region_id)
    if sort == "unanswered":
        query = query.where(Thread.reply_count == 0)
    total = query.count()
    order = {"activity": [Thread.last_activity_at.desc()],
             "newest": [Thread.created_at.desc()],
             "replies": [Thread.reply_count.desc(), Thread.last_activity_at.desc()],
             "unanswered": [Thread.created_at.asc()]}[sort]
    author, last = Member.alias("author"), Member.alias("last")
    threads = list(query
                   .select_extend(author.id, author.name, last.id, last.name)
                   .join_from(Thread, author, on=(Thread.author == author.id), attr="author")
                   .join_from(Thread, last, JOIN.LEFT_OUTER, on=(Thread.last_author == last.id),
                              attr="last_author")
                   .order_by(Thread.is_pinned.desc(), *order, Thread.id.desc())
                   .paginate(page, THREADS_PER_PAGE))
    attach_unread(viewer, threads)
    return threads, total


def attach_unread(viewer, threads):
    """Set `unread` on each thread: posts `viewer` may read that came after their last read."""
    if not threads:
        return threads
    ids = [t.id for t in threads]
    posts = Post.visible_to(viewer).select(Post.thread, fn.COUNT(Post.id))
    read = ThreadRead.alias()
    counts = dict(posts
                  .join_from(Post, read, JOIN.LEFT_OUTER,
                             on=((read.thread == Post.thread) & (read.member == viewer.id)))
                  .where(Post.thread.in_(ids),
                         Post.number > fn.COALESCE(read.last_read_number, 0))
                  .group_by(Post.thread).tuples())
    for thread in threads:
        thread.unread = counts.get(thread.id, 0)
    return threads


class Author(NamedTuple):
    """Who wrote a post, as a thread page names them."""

    id: int
    name: str


class ShownPost:
    """A post as a thread page shows it, read from plain rows (a page holds 50: peewee's
    model rows took a third of the page's time)."""

    __slots__ = ("id", "number", "author", "author_id", "body_html", "quoted_post_id",
                 "created_at", "edited_at", "is_hidden", "hidden_reason", "flag_count",
                 "quoted")
    COLUMNS = (Post.id, Post.number, Post.author, Member.name, Post.body_html,
               Post.quoted_post, Post.created_at, Post.edited_at, Post.is_hidden,
               Post.hidden_reason, Post.flag_count)

    def __init__(self, row):
        (self.id, self.number, self.author_id, name, self.body_html, self.quoted_post_id,
         created_at, edited_at, is_hidden, self.hidden_reason, self.flag_count) = row
        self.author = Author(self.author_id, name)
        self.created_at = Post.created_at.python_value(created_at)
        self.edited_at = Post.edited_at.python_value(edited_at)
        self.is_hidden = bool(is_hidden)
        self.quoted = None


class QuotedPost(NamedTuple):
    """The post a reply quotes, as its reply names it."""

    id: int
    number: int
    author_name: str


def thread_posts(viewer, thread, page=1):
    """The posts of one page of a thread (50 numbers per page), with authors and quoted posts
    (`ShownPost`, `.quoted` a `QuotedPost` or None)."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    kind, *scope = Thread.reader_scope(viewer)

    def page_of_posts(thread_id, first, last, *scope):
        return (Post.select(*ShownPost.COLUMNS)
                .join(Thread, on=(Post.thread == Thread.id))
                .join_from(Post, Member, on=(Post.author == Member.id))
                .where(Post.readable(kind, *scope), Post.thread == thread_id,
                       Post.number.between(first, last))
                .order_by(Post.number))

    def quoted_posts(ids, *scope):
        return (Post.select(Post.id, Post.number, Member.name)
                .join(Thread, on=(Post.thread == Thread.id))
                .join_from(Post, Member, on=(Post.author == Member.id))
                .where(Post.readable(kind, *scope), Post.id.in_(ids)))

    posts = [ShownPost(row) for row in statements.run(
        ("thread posts", kind), page_of_posts, thread.id, first, first + POSTS_PER_PAGE - 1,
        *scope, raw=True)]
    quoted_ids = tuple(sorted({p.quoted_post_id for p in posts if p.quoted_post_id}))
    quoted = {}
    if quoted_ids:
        quoted = {row[0]: QuotedPost(*row) for row in statements.run(
            ("quoted posts", kind), quoted_posts, quoted_ids, *scope, raw=True)}
    for post in posts:
        post.quoted = quoted.get(post.quoted_post_id)
    return posts


def page_count(thread):
    """How many pages the thread's posts take."""
    return max(1, -(-thread.last_number // POSTS_PER_PAGE))


def page_of(number):
    """The page showing post `number`."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


def get_thread(thread_id, viewer):
    """The thread with its region and author if `viewer` may read it, else None."""
    kind, *scope = Thread.reader_scope(viewer)

    def build(thread_id, *scope):
        query = (Thread.select(Thread, Region, Member)
                 .join_from(Thread, Region, JOIN.LEFT_OUTER, on=(Thread.region == Region.id))
                 .join_from(Thread, Member, on=(Thread.author == Member.id))
                 .where(Thread.id == thread_id))
        return Thread.where_readable(query, kind, *scope)

    # Read on every visit, converted once while the row (its counts, its region, its author)
    # stays the same.
    found = statements.run_kept(("readable thread", kind), build, thread_id, *scope)
    return found[0] if found else None


def get_post(post_id, viewer):
    """(post, thread) if `viewer` may read the post, else (None, None)."""
    post = Post.visible_to(viewer).where(Post.id == post_id).first()
    if post is None:
        return None, None
    thread = get_thread(post.thread_id, viewer)
    return (post, thread) if thread else (None, None)


def thread_details(viewer, thread):
    """(terms {kind: [keys]}, linked lessons the viewer may read, followed, last read number)."""
    terms = {}
    for term_kind, key in statements.run("thread terms", _thread_terms, thread.id, raw=True):
        terms.setdefault(term_kind, []).append(key)
    kind, *scope = Lesson.reader_scope(viewer)

    def linked_lessons(thread_id, *scope):
        query = (Lesson.select(Lesson.id, Lesson.title)
                 .join(ThreadLesson, on=(ThreadLesson.lesson == Lesson.id))
                 .where(ThreadLesson.thread == thread_id).order_by(Lesson.title))
        return Lesson.where_readable(query, kind, *scope)

    lessons = statements.run(("lessons of a thread", kind), linked_lessons, thread.id, *scope)
    state = statements.run("thread state", _thread_state, viewer.id, thread.id)
    followed, last_read = ((state[0]["followed"], state[0]["last_read_number"]) if state
                           else (False, None))
    return terms, lessons, bool(followed), last_read or 0


def _thread_terms(thread_id):
    return (ThreadTerm.select(ThreadTerm.kind, ThreadTerm.key)
            .where(ThreadTerm.thread == thread_id).order_by(ThreadTerm.id))


def _thread_state(member_id, thread_id):
    return (Thread.select(ThreadFollow.id.is_null(False).alias("followed"),
                          ThreadRead.last_read_number)
            .join(ThreadFollow, JOIN.LEFT_OUTER, on=((ThreadFollow.thread == Thread.id)
                                                     & (ThreadFollow.member == member_id)))
            .join_from(Thread, ThreadRead, JOIN.LEFT_OUTER,
                       on=((ThreadRead.thread == Thread.id) & (ThreadRead.member == member_id)))
            .where(Thread.id == thread_id).dicts())


def threads_about(viewer, lesson_id, limit=10):
    """Threads that link to a lesson, as far as `viewer` may read them."""
    kind, *scope = Thread.reader_scope(viewer)

    def build(lesson_id, *scope):
        query = (Thread.select(Thread.id, Thread.title)
                 .join(ThreadLesson, on=(ThreadLesson.thread == Thread.id))
                 .where(ThreadLesson.lesson == lesson_id)
                 .order_by(Thread.last_activity_at.desc()).limit(limit))
        return Thread.where_readable(query, kind, *scope)

    return statements.run_kept(("threads about a lesson", kind, limit), build, lesson_id, *scope)


def follows_space(viewer, region_id):
    """Whether `viewer` follows the space."""
    space = "network" if region_id is None else str(region_id)
    return SpaceFollow.select().where(SpaceFollow.member == viewer.id,
                                      SpaceFollow.space == space).exists()


def whats_new(viewer):
    """(threads with unread posts among those followed or in followed spaces, recent mentions)."""
    followed_threads = ThreadFollow.select(ThreadFollow.thread).where(
        ThreadFollow.member == viewer.id)
    spaces = SpaceFollow.select(SpaceFollow.region).where(SpaceFollow.member == viewer.id,
                                                          SpaceFollow.region.is_null(False))
    network = SpaceFollow.select().where(SpaceFollow.member == viewer.id,
                                         SpaceFollow.space == "network")
    read = ThreadRead.alias()
    region = Region.alias()
    threads = list(Thread.visible_to(viewer)
                   .select_extend(region.id, region.name, region.key)
                   .join_from(Thread, region, JOIN.LEFT_OUTER, on=(Thread.region == region.id),
                              attr="region")
                   .join_from(Thread, read, JOIN.LEFT_OUTER,
                              on=((read.thread == Thread.id) & (read.member == viewer.id)))
                   .where(Thread.id.in_(followed_threads) | Thread.region.in_(spaces)
                          | (Thread.region.is_null() & fn.EXISTS(network)),
                          Thread.last_number > fn.COALESCE(read.last_read_number, 0))
                   .order_by(Thread.last_activity_at.desc())
                   .limit(WHATS_NEW_LIMIT))
    attach_unread(viewer, threads)
    threads = [t for t in threads if t.unread]
    author = Member.alias("author")
    mentioned = list(Post.visible_to(viewer)
                     .select_extend(Thread.id, Thread.title, Thread.region, author.id,
                                    author.name, ThreadRead.last_read_number)
                     .join_from(Post, Mention, on=(Mention.post == Post.id))
                     .join_from(Post, author, on=(Post.author == author.id), attr="author")
                     .join_from(Post, ThreadRead, JOIN.LEFT_OUTER,
                                on=((ThreadRead.thread == Post.thread)
                                    & (ThreadRead.member == viewer.id)), attr="read")
                     .where(Mention.member == viewer.id)
                     .order_by(Post.created_at.desc())
                     .limit(20))
    for post in mentioned:
        last = post.read.last_read_number if getattr(post, "read", None) else 0
        post.unread = post.number > (last or 0)
    return threads, mentioned
