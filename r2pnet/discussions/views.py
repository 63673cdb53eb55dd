"""Discussion pages: spaces, thread lists, threads, replies, edits, closing, what's new."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from r2pnet import pages, permissions
from r2pnet.discussions import reading, services
from r2pnet.discussions.cards import post_cards
from r2pnet.discussions.models import NETWORK, PostRevision
from r2pnet.discussions.schemas import (CLASSIFICATION_LISTS, ConclusionSchema, EditPostSchema,
                                        ReplySchema, ThreadListSchema, ThreadSchema)
from r2pnet.errors import Conflict, DomainError
from r2pnet.forms import load_form
from r2pnet.members.models import Member
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS
from r2pnet.web import client_ip

bp = Blueprint("discussions", __name__)


def _viewer():
    return current_user._get_current_object()


def _space(key):
    """(region id or None, region) of a space the viewer may read; 404 otherwise."""
    try:
        region_id, region = services.space_of(key)
    except DomainError:
        abort(404)
    if not permissions.can_read_space(_viewer(), region_id):
        abort(404)
    return region_id, region


def readable_thread(thread_id):
    """The thread if the viewer may read it; 404 when it does not exist or may not be seen."""
    thread = reading.get_thread(thread_id, _viewer())
    if thread is None:
        abort(404)
    return thread


def space_url(region):
    """The URL of a space (region None: the network space)."""
    if region is None:
        return url_for("discussions.network_space")
    return url_for("discussions.region_space", key=region.key)


def _taxonomy():
    return {"pillars": PILLARS, "crimes": CRIMES, "priorities": PRIORITIES,
            "risk_factors": {n: f"{n}. {label}" for n, label in RISK_FACTORS.items()}}


@bp.app_template_global()
def space_link(region):
    """URL of a thread's space, for templates."""
    return space_url(region)


@bp.app_template_global()
def threads_about(lesson, limit=10):
    """Threads linking to a lesson that the signed-in member may read, latest activity first."""
    return reading.threads_about(_viewer(), lesson.id, limit)


@bp.route("/discussions")
@pages.kept
def spaces():
    """The spaces the member may read, with their thread counts and last activity."""
    return render_template("discussions/spaces.html", spaces=reading.readable_spaces(_viewer()))


@bp.route("/network", defaults={"key": NETWORK}, endpoint="network_space")
@bp.route("/regions/<key>")
@pages.kept
def region_space(key):
    """A space's threads: pinned first, then by latest activity (or another order)."""
    region_id, region = _space(key)
    viewer = _viewer()
    try:
        args = ThreadListSchema().load(request.args.to_dict())
    except ValidationError:  # a bad sort or page falls back to the first page by activity
        args = {"sort": "activity", "page": 1}
    threads, total = reading.space_threads(viewer, region_id, args["sort"], args["page"])
    pages = max(1, -(-total // reading.THREADS_PER_PAGE))
    extras = _region_extras(viewer, region) if region else {}
    return render_template("discussions/space.html", region=region, space_key=key,
                           threads=threads, total=total, page=args["page"], pages=pages,
                           sort=args["sort"],
                           following=reading.follows_space(viewer, region_id),
                           can_moderate=permissions.can_moderate_space(viewer, region_id),
                           **extras)


def _region_extras(viewer, region):
    """The region's question of the week and its next deliberations."""
    from r2pnet.deliberations.reading import upcoming_for_region
    from r2pnet.deliberations.regional import current_question

    return {"question": current_question(region.id),
            "upcoming": upcoming_for_region(viewer, region.id)}


@bp.route("/network/follow", methods=["POST"], defaults={"key": NETWORK},
          endpoint="follow_network")
@bp.route("/regions/<key>/follow", methods=["POST"])
def follow_space(key):
    """Follow or stop following a whole space."""
    region_id, region = _space(key)
    follow = request.form.get("follow") == "1"
    services.follow_space(_viewer(), region_id, follow)
    flash("You follow this space: its new threads and replies appear on What's new."
          if follow else "You no longer follow this space.", "success")
    return redirect(space_url(region))


@bp.route("/network/new", methods=["GET", "POST"], defaults={"key": NETWORK},
          endpoint="new_network_thread")
@bp.route("/regions/<key>/new", methods=["GET", "POST"])
def new_thread(key):
    """Start a thread in a space."""
    region_id, region = _space(key)
    viewer = _viewer()
    if not permissions.can_post_in_space(viewer, region_id):
        abort(403)
    values, errors = {}, {}
    if request.method == "POST":
        data, errors, values = load_form(ThreadSchema(), request.form, CLASSIFICATION_LISTS)
        if not errors:
            try:
                written = services.create_thread(viewer, region_id, data, client_ip())
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Thread started.", "success")
                for note in written.notes:
                    flash(note, "warning")
                return redirect(url_for("discussions.thread_page", thread_id=written.thread.id))
    return render_template("discussions/new_thread.html", region=region, space_key=key,
                           values=values, errors=errors, taxonomy=_taxonomy()), \
        400 if errors else 200


@bp.route("/threads/<int:thread_id>")
@pages.kept
def thread_page(thread_id):
    """A thread's posts, one page at a time; reading a page marks it read."""
    viewer = _viewer()
    thread = readable_thread(thread_id)
    terms, lessons, followed, last_read = reading.thread_details(viewer, thread)
    pages = reading.page_count(thread)
    page = request.args.get("page", type=int)
    if page is None:
        # Open on the first unread post's page.
        page = reading.page_of(last_read + 1) if last_read < thread.last_number else pages
    if not 1 <= page <= pages:
        abort(404)
    posts = reading.thread_posts(viewer, thread, page)
    last_on_page = min(page * reading.POSTS_PER_PAGE, thread.last_number)
    if last_on_page > last_read:
        services.mark_read(viewer, thread, last_on_page)
    can_reply = permissions.can_reply(viewer, thread)
    rights = permissions.ThreadRights(viewer, thread)
    cards = post_cards(posts, thread, last_read, can_reply, rights, reading.page_of)
    return render_template("discussions/thread.html", thread=thread, cards=cards, terms=terms,
                           lessons=lessons, followed=followed, last_read=last_read,
                           page=page, pages=pages, taxonomy=_taxonomy(),
                           can_reply=can_reply, rights=rights,
                           can_moderate=permissions.can_moderate_thread(viewer, thread),
                           can_close=permissions.can_close_thread(viewer, thread))


@bp.route("/threads/<int:thread_id>/reply", methods=["GET", "POST"])
def reply(thread_id):
    """Write a reply (GET ?quote=<post id> starts it with that post quoted)."""
    viewer = _viewer()
    thread = readable_thread(thread_id)
    if not permissions.can_reply(viewer, thread):
        flash("This thread takes no more replies." if thread.is_locked or thread.is_closed
              else "You cannot reply in this thread.", "warning")
        return redirect(url_for("discussions.thread_page", thread_id=thread.id))
    values, errors, quoted = {}, {}, None
    if request.method == "GET" and request.args.get("quote", type=int):
        quoted, _ = reading.get_post(request.args.get("quote", type=int), viewer)
        if quoted is None or quoted.thread_id != thread.id:
            abort(404)
        values = {"quoted_post_id": quoted.id, "body_md": _quoted_text(quoted)}
    if request.method == "POST":
        data, errors, values = load_form(ReplySchema(), request.form)
        if not errors:
            try:
                written = services.reply(viewer, thread, data["body_md"],
                                         data["quoted_post_id"])
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Reply posted.", "success")
                for note in written.notes:
                    flash(note, "warning")
                number = written.post.number
                return redirect(url_for("discussions.thread_page", thread_id=thread.id,
                                        page=reading.page_of(number)) + f"#post-{number}")
    if values.get("quoted_post_id") and quoted is None:
        quoted, _ = reading.get_post(_int(values.get("quoted_post_id")), viewer)
    return render_template("discussions/reply.html", thread=thread, values=values,
                           errors=errors, quoted=quoted), 400 if errors else 200


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _quoted_text(post):
    author = post.author.name
    lines = post.body_md.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{author}** wrote (#{post.number}):\n>\n{quoted}\n\n"


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id):
    """Edit a post (the author while the thread is open; the space's moderators with a reason)."""
    viewer = _viewer()
    post, thread = reading.get_post(post_id, viewer)
    if post is None:
        abort(404)
    if not permissions.can_edit_post(viewer, post, thread):
        abort(403)
    terms, lessons, _, _ = reading.thread_details(viewer, thread)
    values = {"body_md": post.body_md, "version": post.version, "title": thread.title,
              "pillars": terms.get("pillar", []), "crimes": terms.get("crime", []),
              "priorities": terms.get("priority", []),
              "risk_factors": [int(n) for n in terms.get("risk_factor", [])],
              "tags": ", ".join(terms.get("tag", [])),
              "lessons": " ".join(str(lesson.id) for lesson in lessons)}
    errors, conflict = {}, False
    if request.method == "POST":
        data, errors, values = load_form(EditPostSchema(), request.form, CLASSIFICATION_LISTS)
        if not errors:
            try:
                written = services.edit_post(viewer, post, thread, data, client_ip())
            except Conflict as exc:
                errors, conflict = exc.errors, True
                values["version"] = type(post).get_by_id(post.id).version
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Post saved.", "success")
                for note in written.notes:
                    flash(note, "warning")
                return redirect(url_for("discussions.thread_page", thread_id=thread.id,
                                        page=reading.page_of(post.number))
                                + f"#post-{post.number}")
    status = 409 if conflict else 400 if errors else 200
    return render_template("discussions/edit_post.html", post=post, thread=thread,
                           values=values, errors=errors, conflict=conflict,
                           taxonomy=_taxonomy(),
                           by_moderator=post.author_id != viewer.id), status


@bp.route("/posts/<int:post_id>/history")
def post_history(post_id):
    """A post's earlier versions, newest first."""
    viewer = _viewer()
    post, thread = reading.get_post(post_id, viewer)
    if post is None:
        abort(404)
    revisions = list(PostRevision.select(PostRevision, Member)
                     .join(Member, on=(PostRevision.editor == Member.id), attr="editor_member")
                     .where(PostRevision.post == post.id)
                     .order_by(PostRevision.number.desc()))
    return render_template("discussions/history.html", post=post, thread=thread,
                           revisions=revisions)


@bp.route("/threads/<int:thread_id>/follow", methods=["POST"])
def follow_thread(thread_id):
    """Follow or stop following a thread."""
    thread = readable_thread(thread_id)
    follow = request.form.get("follow") == "1"
    services.follow_thread(_viewer(), thread, follow)
    flash("You follow this thread." if follow else "You no longer follow this thread.",
          "success")
    return redirect(url_for("discussions.thread_page", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/close", methods=["GET", "POST"])
def close_thread(thread_id):
    """Close a thread with its conclusion."""
    viewer = _viewer()
    thread = readable_thread(thread_id)
    if not permissions.can_close_thread(viewer, thread):
        abort(403)
    values, errors = {"conclusion_md": thread.conclusion_md}, {}
    if request.method == "POST":
        data, errors, values = load_form(ConclusionSchema(), request.form)
        if not errors:
            try:
                services.close_thread(viewer, thread, data["conclusion_md"], client_ip())
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Thread closed with its conclusion.", "success")
                return redirect(url_for("discussions.thread_page", thread_id=thread.id))
    return render_template("discussions/close.html", thread=thread, values=values,
                           errors=errors), 400 if errors else 200


@bp.route("/threads/<int:thread_id>/reopen", methods=["POST"])
def reopen_thread(thread_id):
    """Reopen a closed thread."""
    viewer = _viewer()
    thread = readable_thread(thread_id)
    if not permissions.can_close_thread(viewer, thread):
        abort(403)
    services.reopen_thread(viewer, thread, client_ip())
    flash("Thread reopened.", "success")
    return redirect(url_for("discussions.thread_page", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/lesson", methods=["POST"])
def lesson_from_thread(thread_id):
    """Start a draft lesson from a closed thread's conclusion."""
    viewer = _viewer()
    thread = readable_thread(thread_id)
    if not permissions.can_write_lessons(viewer):
        abort(403)
    try:
        lesson = services.draft_lesson_from_thread(viewer, thread)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("discussions.thread_page", thread_id=thread.id))
    flash("Draft lesson started from the conclusion: complete it, then publish.", "success")
    return redirect(url_for("knowledge.edit_lesson", lesson_id=lesson.id))


@bp.route("/new")
@pages.kept
def whats_new():
    """Unread activity in followed threads and spaces, and mentions."""
    threads, mentioned = reading.whats_new(_viewer())
    return render_template("discussions/whats_new.html", threads=threads, mentioned=mentioned)


@bp.route("/new/read", methods=["POST"])
def mark_all_read():
    """Mark everything on What's new as read."""
    viewer = _viewer()
    threads, _ = reading.whats_new(viewer)
    services.mark_all_read(viewer, [t.id for t in threads])
    flash("Everything is marked as read.", "success")
    return redirect(url_for("discussions.whats_new"))


from r2pnet.discussions import search_views  # noqa: E402, F401
