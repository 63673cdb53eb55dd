"""One search box for the whole site: lessons, threads and replies, each within its visibility."""
from flask import render_template, request
from flask_login import current_user
from peewee import JOIN

from r2pnet import search
from r2pnet.discussions.models import Post, Thread
from r2pnet.discussions.views import bp
from r2pnet.knowledge import browse
from r2pnet.knowledge.schemas import BrowseSchema
from r2pnet.members.models import Member, Region

PER_SECTION = 20


def find_threads(viewer, text, limit=PER_SECTION):
    """(threads matching the text that `viewer` may read, best first; total, a MatchCount)."""
    found = search.candidates("thread", text, Thread.visible_to(viewer))
    if found is None:
        return [], search.MatchCount(0)
    hits = found.ranked()
    threads = list(Thread.select(Thread, Region.id, Region.name, Region.key,
                                 hits.c.found.alias("found").bind_to(Thread))
                   .join(hits, on=(hits.c.object_id == Thread.id))
                   .join_from(Thread, Region, JOIN.LEFT_OUTER, on=(Thread.region == Region.id),
                              attr="region")
                   .order_by(hits.c.rank, Thread.id.desc()).limit(limit))
    snippets = search.snippets("thread", [t.id for t in threads], text)
    titles = search.highlight_title("thread", {t.id: t.title for t in threads}, text)
    for thread in threads:
        thread.snippet, thread.marked_title = snippets.get(thread.id, ""), titles[thread.id]
    return threads, _total(found, threads)


def find_posts(viewer, text, limit=PER_SECTION):
    """(replies matching the text that `viewer` may read, best first, with their thread; total,
    a MatchCount)."""
    found = search.candidates("post", text, Post.visible_to(viewer))
    if found is None:
        return [], search.MatchCount(0)
    hits = found.ranked()
    posts = list(Post.select(Post, Thread.id, Thread.title, Member.id, Member.name,
                             hits.c.found.alias("found").bind_to(Post))
                 .join(hits, on=(hits.c.object_id == Post.id))
                 .join_from(Post, Thread, on=(Post.thread == Thread.id))
                 .join_from(Post, Member, on=(Post.author == Member.id), attr="author")
                 .order_by(hits.c.rank, Post.id.desc()).limit(limit))
    snippets = search.snippets("post", [p.id for p in posts], text)
    for post in posts:
        post.snippet = snippets.get(post.id, "")
    return posts, _total(found, posts)


def _total(found, rows):
    """The search's MatchCount, which every row carries (no row: nothing matched)."""
    return found.total(rows[0].found) if rows else search.MatchCount(0)


@bp.route("/search")
def search_page():
    """Search lessons, threads and replies at once."""
    viewer = current_user._get_current_object()
    text = (request.args.get("q") or "").strip()[:search.MAX_QUERY_CHARS]
    nothing = search.MatchCount(0)
    lessons, lesson_total, threads, thread_total, posts, post_total = ([], nothing, [], nothing,
                                                                        [], nothing)
    if text:
        filters = BrowseSchema().load({"q": text})
        lessons, lesson_total = browse.results(viewer, filters, 1, per_page=5)
        threads, thread_total = find_threads(viewer, text)
        posts, post_total = find_posts(viewer, text)
    return render_template("discussions/search.html", q=text, lessons=lessons,
                           lesson_total=lesson_total, threads=threads, thread_total=thread_total,
                           posts=posts, post_total=post_total)
