"""API: threads per space and posts per thread, on the services and visibility of the pages."""
import re

from flask import url_for
from flask_login import current_user
from peewee import JOIN

from r2pnet import permissions
from r2pnet.api.core import etag_for, etag_of, operation, require_if_match, with_etag
from r2pnet.api.paging import Key, Page, keyset_page, paginate
from r2pnet.api.problems import Problem
from r2pnet.discussions import reading, services
from r2pnet.discussions.api_schemas import (PostListQuery, PostOut, PostPatch, ReplyIn,
                                            ThreadDetailOut, ThreadIn, ThreadListQuery,
                                            ThreadOut)
from r2pnet.discussions.models import Post, Thread, ThreadLesson, ThreadTerm
from r2pnet.errors import Conflict, DomainError, Forbidden, NotFound
from r2pnet.forms import shared_schema
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member
from r2pnet.web import client_ip

MAX_ID = 2**63 - 1
SPACE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
# API field name of a service's form field, where they differ.
FIELD_NAMES = {"lessons": "lesson_ids"}
TERM_KINDS = {"pillar": "pillars", "crime": "crimes", "priority": "priorities",
              "risk_factor": "risk_factors", "tag": "tags"}
CLASSIFICATION = (*TERM_KINDS.values(), "lesson_ids")


def viewer():
    return current_user._get_current_object()


# --- calling services ------------------------------------------------------------------------

def call(service, *args, **kwargs):
    """Run a service: a refusal on a field is a 422 naming it, a refused state change a 409."""
    try:
        return service(*args, **kwargs)
    except (Forbidden, NotFound, Conflict):
        raise
    except DomainError as exc:
        if exc.field is None:
            raise Problem(409, exc.message) from None
        name = FIELD_NAMES.get(exc.field, exc.field)
        raise Problem(422, exc.message, {name: [exc.message]}) from None


# --- finding what the caller may see ---------------------------------------------------------

def readable_space(key):
    """The region id (None: network) of a space the caller may read.

    :raise 404: when there is no such space or the caller may not read it
    """
    if not SPACE_KEY.fullmatch(key):
        raise Problem(404)
    try:
        region_id, _ = services.space_of(key)
    except DomainError:
        raise Problem(404) from None
    if not permissions.can_read_space(viewer(), region_id):
        raise Problem(404)
    return region_id


def readable_thread(thread_id):
    """The thread (region and author loaded) if the caller may read it.

    :raise 404: when it does not exist or may not be seen
    """
    thread = reading.get_thread(thread_id, viewer()) if thread_id <= MAX_ID else None
    if thread is None:
        raise Problem(404)
    return thread


def readable_post(post_id):
    """(post, thread) if the caller may read the post.

    :raise 404: when it does not exist or may not be seen (hidden posts: moderators only)
    """
    post, thread = reading.get_post(post_id, viewer()) if post_id <= MAX_ID else (None, None)
    if post is None:
        raise Problem(404)
    return post, thread


# --- what the caller reads -------------------------------------------------------------------

def _member(member):
    return {"id": member.id, "name": member.name}


def classification_of(member, thread_ids):
    """{thread id: {pillars, crimes, ..., lesson_ids}} in two queries, as `member` may see it."""
    found = {i: {name: [] for name in CLASSIFICATION} for i in thread_ids}
    if not thread_ids:
        return found
    for thread_id, kind, key in (ThreadTerm.select(ThreadTerm.thread, ThreadTerm.kind,
                                                   ThreadTerm.key)
                                 .where(ThreadTerm.thread.in_(thread_ids))
                                 .order_by(ThreadTerm.id).tuples()):
        if kind in TERM_KINDS:
            found[thread_id][TERM_KINDS[kind]].append(int(key) if kind == "risk_factor"
                                                       else key)
    lessons = Lesson.visible_to(member).select(Lesson.id)
    for thread_id, lesson_id in (ThreadLesson.select(ThreadLesson.thread, ThreadLesson.lesson)
                                 .where(ThreadLesson.thread.in_(thread_ids),
                                        ThreadLesson.lesson.in_(lessons))
                                 .order_by(ThreadLesson.id).tuples()):
        found[thread_id]["lesson_ids"].append(lesson_id)
    return found


def thread_payload(thread, space, classification):
    """A thread as ThreadOut dumps it (author and last author already loaded)."""
    return {
        "id": thread.id, "space": space, "region_id": thread.region_id, "title": thread.title,
        "author": _member(thread.author), "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "last_author": _member(thread.last_author) if thread.last_author_id else None,
        "reply_count": thread.reply_count, "unread": getattr(thread, "unread", 0),
        "is_pinned": thread.is_pinned, "is_locked": thread.is_locked,
        "is_closed": thread.closed_at is not None, "closed_at": thread.closed_at,
        "conclusion_md": thread.conclusion_md, "is_hidden": thread.is_hidden,
        "hidden_reason": thread.hidden_reason, "version": thread.version, **classification,
    }


def visible_quotes(member, posts):
    """Ids of the posts quoted by `posts` that `member` may read (one query)."""
    quoted = {p.quoted_post_id for p in posts if p.quoted_post_id}
    if not quoted:
        return set()
    return {i for (i,) in Post.visible_to(member).select(Post.id)
            .where(Post.id.in_(list(quoted))).tuples()}


def post_payload(post, quotes):
    """A post as PostOut dumps it (author loaded); a quote only when the reader may see it."""
    return {
        "id": post.id, "thread_id": post.thread_id, "number": post.number,
        "author": _member(post.author), "body_md": post.body_md, "body_html": post.body_html,
        "quoted_post_id": post.quoted_post_id if post.quoted_post_id in quotes else None,
        "created_at": post.created_at, "edited_at": post.edited_at,
        "edit_count": post.edit_count, "is_hidden": post.is_hidden,
        "hidden_reason": post.hidden_reason, "version": post.version,
    }


def post_etag(post):
    return etag_for("post", post.id, post.version)


def post_response(post, status=200, notes=None):
    """One post with its ETag (the If-Match an edit needs)."""
    payload = post_payload(post, visible_quotes(viewer(), [post]))
    if notes is not None:
        payload["notes"] = notes
    response = with_etag(shared_schema(PostOut).dump(payload), post_etag(post), status)
    if status == 201:
        response.headers["Location"] = url_for("api.get_post", post_id=post.id)
    return response


def thread_detail(thread):
    """One thread as ThreadDetailOut dumps it, for the caller."""
    member = viewer()
    reading.attach_unread(member, [thread])
    payload = thread_payload(thread, thread.space_key,
                             classification_of(member, [thread.id])[thread.id])
    opening = (Post.visible_to(member)
               .select_extend(Member.id, Member.name)
               .join_from(Post, Member, on=(Post.author == Member.id), attr="author")
               .where(Post.thread == thread.id, Post.number == 1)
               .first())
    payload["opening_post"] = (post_payload(opening, visible_quotes(member, [opening]))
                               if opening else None)
    payload["can_reply"] = permissions.can_reply(member, thread)
    payload["can_moderate"] = permissions.can_moderate_thread(member, thread)
    return payload


def thread_response(thread, status=200, notes=None):
    """One thread with an ETag of what the caller reads (it changes with any reply)."""
    payload = thread_detail(thread)
    if notes is not None:
        payload["notes"] = notes
    body = shared_schema(ThreadDetailOut).dump(payload)
    response = with_etag(body, etag_of("thread", thread.id, body), status)
    if status == 201:
        response.headers["Location"] = url_for("api.get_thread", thread_id=thread.id)
    return response


# --- threads ---------------------------------------------------------------------------------

THREAD_ORDERS = {
    "activity": [Key(Thread.is_pinned, True, "bool"), Key(Thread.last_activity_at, True, "time"),
                 Key(Thread.id, True)],
    "newest": [Key(Thread.is_pinned, True, "bool"), Key(Thread.created_at, True, "time"),
               Key(Thread.id, True)],
    "replies": [Key(Thread.is_pinned, True, "bool"), Key(Thread.reply_count, True),
                Key(Thread.last_activity_at, True, "time"), Key(Thread.id, True)],
    "unanswered": [Key(Thread.is_pinned, True, "bool"), Key(Thread.created_at, False, "time"),
                   Key(Thread.id, True)],
}


@operation("/spaces/<space>/threads", summary="List a space's threads", tag="threads",
           query=ThreadListQuery, response=ThreadOut, paginated=True, kept=True)
def list_threads(space, query):
    """The threads of a space ("network" or a region key) that you may read: pinned first, then
    in the chosen order, as on the space's page. Hidden threads are listed only for the space's
    moderators and administrators."""
    region_id = readable_space(space)
    member = viewer()
    author, last = Member.alias("author"), Member.alias("last")
    threads = (Thread.visible_to(member)
               .select_extend(author.id, author.name, last.id, last.name)
               .join_from(Thread, author, on=(Thread.author == author.id), attr="author")
               .join_from(Thread, last, JOIN.LEFT_OUTER, on=(Thread.last_author == last.id),
                          attr="last_author")
               .where(Thread.region.is_null() if region_id is None
                      else Thread.region == region_id))
    if query["sort"] == "unanswered":
        threads = threads.where(Thread.reply_count == 0)
    rows, next_cursor = keyset_page(threads, THREAD_ORDERS[query["sort"]], query["sort"],
                                    query["limit"], query["cursor"])
    reading.attach_unread(member, rows)
    terms = classification_of(member, [t.id for t in rows])
    return Page([thread_payload(t, space, terms[t.id]) for t in rows], next_cursor)


@operation("/threads/<int:thread_id>", summary="Read a thread", tag="threads",
           response=ThreadDetailOut, etag=True)
def get_thread(thread_id):
    """A thread you may read, with its opening post (if you may read it) and what you may do."""
    return thread_response(readable_thread(thread_id))


@operation("/spaces/<space>/threads", "POST", summary="Start a thread", tag="threads",
           body=ThreadIn, response=ThreadDetailOut, status=201, etag=True, example={
               "title": "Early warning across borders",
               "body_md": "How do you *share* alerts with your neighbours?",
               "pillars": ["pillar_2"], "tags": ["early warning"], "lesson_ids": []})
def create_thread(space, body):
    """Start a thread in a space you may read, with its opening post and classification.
    `@[Full Name]` mentions notify members who can read the thread."""
    region_id = readable_space(space)
    member = viewer()
    if not permissions.can_post_in_space(member, region_id):
        raise Problem(403, "You cannot start a thread in this space.")
    data = {name: body.get(name, []) for name in CLASSIFICATION}
    data.update(title=body["title"], body_md=body["body_md"], lessons=data.pop("lesson_ids"))
    written = call(services.create_thread, member, region_id, data, client_ip())
    return thread_response(readable_thread(written.thread.id), 201, written.notes)


# --- posts -----------------------------------------------------------------------------------

@operation("/threads/<int:thread_id>/posts", summary="List a thread's posts", tag="posts",
           query=PostListQuery, response=PostOut, paginated=True, kept=True)
def list_posts(thread_id, query):
    """The posts of a thread you may read, oldest first (hidden posts: moderators only)."""
    thread = readable_thread(thread_id)
    member = viewer()
    posts = (Post.visible_to(member)
             .select_extend(Member.id, Member.name)
             .join_from(Post, Member, on=(Post.author == Member.id), attr="author")
             .where(Post.thread == thread.id))
    page = paginate(posts, Post.number, query["limit"], query["cursor"], descending=False)
    quotes = visible_quotes(member, page.items)
    return Page([post_payload(p, quotes) for p in page.items], page.next_cursor)


@operation("/posts/<int:post_id>", summary="Read a post", tag="posts", response=PostOut,
           etag=True)
def get_post(post_id):
    """A post you may read; its ETag is the If-Match an edit needs."""
    post, _ = readable_post(post_id)
    return post_response(post)


@operation("/threads/<int:thread_id>/posts", "POST", summary="Reply", tag="posts", body=ReplyIn,
           response=PostOut, status=201, etag=True,
           example={"body_md": "We use a shared hotline.", "quoted_post_id": None})
def create_post(thread_id, body):
    """Reply in a thread you may read, perhaps quoting one of its posts. 403 when the thread
    is locked or closed."""
    thread = readable_thread(thread_id)
    written = call(services.reply, viewer(), thread, body["body_md"], body["quoted_post_id"])
    return post_response(written.post, 201, written.notes)


def _edit_data(member, post, thread, body):
    """The service's edit data: what was sent, the rest as it stands."""
    data = {"body_md": body.get("body_md", post.body_md), "reason": body.get("reason", ""),
            "version": post.version}
    if post.number == 1:
        current = classification_of(member, [thread.id])[thread.id]
        data.update({name: body.get(name, current[name]) for name in CLASSIFICATION})
        data.update(title=body.get("title", thread.title), lessons=data.pop("lesson_ids"))
    return data


@operation("/posts/<int:post_id>", "PATCH", summary="Edit a post", tag="posts", body=PostPatch,
           response=PostOut, if_match=True, etag=True,
           example={"body_md": "How do you *share* alerts, and with whom?"})
def edit_post(post_id, body):
    """Edit a post: only the fields sent change (title and classification: opening posts only).
    Authors edit their posts while the thread is open; the space's moderators edit any post,
    with a `reason`. Send the ETag you read as If-Match; the earlier text is kept."""
    member = viewer()
    post, thread = readable_post(post_id)
    if not permissions.can_edit_post(member, post, thread):
        raise Problem(403, "You cannot edit this post.")
    require_if_match(post_etag(post))
    if not set(body) - {"reason"}:
        raise Problem(422, "Send at least one field to change.",
                      {"_schema": ["Send body_md, or for an opening post its title or "
                                   "classification."]})
    misplaced = sorted(set(body) & {"title", *CLASSIFICATION}) if post.number > 1 else []
    if misplaced:
        raise Problem(422, "Only the opening post has a title and classification.",
                      {name: ["Only the opening post has this."] for name in misplaced})
    written = call(services.edit_post, member, post, thread,
                   _edit_data(member, post, thread, body), client_ip())
    return post_response(written.post, 200, written.notes)

