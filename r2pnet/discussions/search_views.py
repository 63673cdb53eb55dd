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
    """(threads matching the text that `viewer` may read, best first; total)."""
    hits = search.matching("thread", text)
    if hits is None:
        return [], 0
    query = Thread.visible_to(viewer).join(hits, on=(hits.c.object_id == Thread.id))
    total = query.count()
    threads = list(query.select_extend(Region.id, Region.name, Region.key)
                   .join_from(Thread, Region, JOIN.LEFT_OUTER, on=(Thread.region == Region.id),
                              attr="region")
                   .order_by(hits.c.rank, Thread.id.desc()).limit(limit))
    snippets = search.snippets("thread", [t.id for t in threads], text)
    titles = search.highlight_title("thread", {t.id: t.title for t in threads}, text)
    for thread in threads:
        thread.snippet, thread.marked_title = snippets.get(thread.id, ""), titles[thread.id]
    return threads, total


def find_posts(viewer, text, limit=PER_SECTION):
    """(replies matching the text that `viewer` may read, best first, with their thread; total)."""
    hits = search.matching("post", text)
    if hits is None:
        return [], 0
    query = Post.visible_to(viewer).join_from(Post, hits, on=(hits.c.object_id == Post.id))
    total = query.count()
    posts = list(query.select_extend(Thread.id, Thread.title, Member.id, Member.name)
                 .join_from(Post, Member, on=(Post.author == Member.id), attr="author")
                 .order_by(hits.c.rank, Post.id.desc()).limit(limit))
    snippets = search.snippets("post", [p.id for p in posts], text)
    for post in posts:
        post.snippet = snippets.get(post.id, "")
    return posts, total


@bp.route("/search")
def search_page():
    """Search lessons, threads and replies at once."""
    viewer = current_user._get_current_object()
    text = (request.args.get("q") or "").strip()[:search.MAX_QUERY_CHARS]
    lessons, lesson_total, threads, thread_total, posts, post_total = [], 0, [], 0, [], 0
    if text:
        filters = BrowseSchema().load({"q": text})
        lessons, lesson_total = browse.results(viewer, filters, 1, per_page=5)
        threads, thread_total = find_threads(viewer, text)
        posts, post_total = find_posts(viewer, text)
    return render_template("discussions/search.html", q=text, lessons=lessons,
                           lesson_total=lesson_total, threads=threads, thread_total=thread_total,
                           posts=posts, post_total=post_total)
