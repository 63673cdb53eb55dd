"""One search box for the whole site: lessons, threads and replies, each within its visibility."""
from flask import render_template, request
from flask_login import current_user
from peewee import JOIN

from r2pnet import catalogue, pages, search, statements
from r2pnet.discussions.found import FoundReply, FoundThread
from r2pnet.discussions.search_cards import result_cards
from r2pnet.discussions.models import Post, Thread
from r2pnet.discussions.views import bp
from r2pnet.forms import shared_schema
from r2pnet.knowledge import browse
from r2pnet.knowledge.models import Lesson
from r2pnet.knowledge.schemas import BrowseSchema
from r2pnet.members.models import Member, Region

PER_SECTION = 20


def find_threads(viewer, text, limit=PER_SECTION, keep=None):
    """(threads matching the text that `viewer` may read, best first; total, a MatchCount).

    `keep(key, compute)`, when given, may keep the choice (see r2pnet/catalogue.py); the
    threads are then read again by id, through the visibility rule.
    """
    return catalogue.kept_items(keep, ("threads", limit),
                                lambda: _find_threads(viewer, text, limit),
                                lambda ids: _threads_by_id(viewer, ids),
                                ("snippet", "marked_title"))


def _find_threads(viewer, text, limit):
    found = search.candidates("thread", text, Thread.visible_to(viewer))
    if found is None:
        return [], search.MatchCount(0)
    best = found.best(limit)
    threads = [FoundThread(row) for row in _threads_shown(
        Thread.select().join(best, on=(best.c.object_id == Thread.id)), best.c.found)
        .order_by(best.c.rank, Thread.id.desc()).tuples()]
    snippets = search.snippets("thread", [t.id for t in threads], text)
    titles = search.highlight_title("thread", {t.id: t.title for t in threads}, text)
    for thread in threads:
        thread.snippet, thread.marked_title = snippets.get(thread.id, ""), titles[thread.id]
    return threads, _total(found, threads)


def _threads_shown(query, *extra):
    """Threads with the region a result shows, as the columns of a FoundThread, then `extra`."""
    return (query.select(Thread.id, Thread.title, Thread.region, Region.id, Region.name,
                         Region.key, *extra)
            .join_from(Thread, Region, JOIN.LEFT_OUTER, on=(Thread.region == Region.id)))


def _threads_by_id(viewer, ids):
    kind, *scope = Thread.reader_scope(viewer)

    def build(ids, *scope):
        return Thread.where_readable(_threads_shown(Thread.select()).where(Thread.id.in_(ids)),
                                     kind, *scope)

    return [FoundThread(row) for row in statements.run(("threads by id", kind), build,
                                                       tuple(ids), *scope, raw=True)]


def find_posts(viewer, text, limit=PER_SECTION, keep=None):
    """(replies matching the text that `viewer` may read, best first, with their thread; total,
    a MatchCount). `keep`: as for find_threads."""
    return catalogue.kept_items(keep, ("posts", limit), lambda: _find_posts(viewer, text, limit),
                                lambda ids: _posts_by_id(viewer, ids), ("snippet",))


def _find_posts(viewer, text, limit):
    found = search.candidates("post", text, Post.visible_to(viewer))
    if found is None:
        return [], search.MatchCount(0)
    best = found.best(limit)
    posts = [FoundReply(row) for row in _posts_shown(
        Post.select().join(best, on=(best.c.object_id == Post.id)), best.c.found)
        .order_by(best.c.rank, Post.id.desc()).tuples()]
    snippets = search.snippets("post", [p.id for p in posts], text)
    for post in posts:
        post.snippet = snippets.get(post.id, "")
    return posts, _total(found, posts)


def _posts_shown(query, *extra):
    """Replies with the thread and author a result shows (not their text: the snippet is), as
    the columns of a FoundReply, then `extra`."""
    return (query.select(Post.id, Post.number, Thread.id, Thread.title, Member.id, Member.name,
                         *extra)
            .join_from(Post, Thread, on=(Post.thread == Thread.id))
            .join_from(Post, Member, on=(Post.author == Member.id)))


def _posts_by_id(viewer, ids):
    kind, *scope = Thread.reader_scope(viewer)

    def build(ids, *scope):
        return (_posts_shown(Post.select()).where(Post.id.in_(ids))
                .where(Post.readable(kind, *scope)))

    return [FoundReply(row) for row in statements.run(("posts by id", kind), build, tuple(ids),
                                                      *scope, raw=True)]


def _total(found, rows):
    """The search's MatchCount, which every row carries (no row: nothing matched)."""
    return found.total(rows[0].found) if rows else search.MatchCount(0)


@bp.route("/search")
@pages.kept
def search_page():
    """Search lessons, threads and replies at once."""
    viewer = current_user._get_current_object()
    text = (request.args.get("q") or "").strip()[:search.MAX_QUERY_CHARS]
    nothing = search.MatchCount(0)
    lessons, lesson_total, threads, thread_total, posts, post_total = ([], nothing, [], nothing,
                                                                        [], nothing)
    if text:
        filters = shared_schema(BrowseSchema).load({"q": text})
        key = ("search", text, search.candidate_cap())

        def keep(catalogue_name, scope):
            return lambda part, compute: catalogue.kept((catalogue_name,),
                                                        (*key, scope, *part), compute)

        discussions = keep("discussions", Thread.reader_scope(viewer))
        lessons, lesson_total = browse.results(
            viewer, filters, 1, per_page=5, keep=keep("lessons", Lesson.reader_scope(viewer)))
        threads, thread_total = find_threads(viewer, text, keep=discussions)
        posts, post_total = find_posts(viewer, text, keep=discussions)
    lesson_cards, thread_cards, reply_cards = result_cards(lessons, threads, posts)
    return render_template("discussions/search.html", q=text, lessons=lessons,
                           lesson_total=lesson_total, lesson_cards=lesson_cards,
                           thread_cards=thread_cards, thread_total=thread_total,
                           reply_cards=reply_cards, post_total=post_total)
