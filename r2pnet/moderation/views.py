"""Moderation pages: flagging, the queue, moderator actions, the moderation log and its CSV."""
import csv
import datetime as dt
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from r2pnet import permissions
from r2pnet.audit.models import ACTIONS, MODERATION_ACTIONS
from r2pnet.discussions import reading
from r2pnet.discussions.models import NETWORK, Post
from r2pnet.discussions.services import space_of
from r2pnet.errors import DomainError, Forbidden
from r2pnet.forms import load_form
from r2pnet.members.models import Region
from r2pnet.moderation import actions, flagging, review
from r2pnet.moderation.log import iso_utc, log_spaces, moderation_log, with_details
from r2pnet.moderation.models import FLAG_REASONS
from r2pnet.moderation.schemas import ActionSchema, FlagSchema, LogFilterSchema
from r2pnet.web import client_ip, safe_next

bp = Blueprint("moderation", __name__)
PAGE_SIZE = 50
CSV_LIMIT = 20000
CSV_COLUMNS = ("time_utc", "actor", "action", "region", "item", "reason", "detail")
# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACTION_LABELS = {
    "hide": "Hide", "unhide": "Unhide", "lock": "Lock", "unlock": "Unlock", "pin": "Pin",
    "unpin": "Unpin", "move": "Move", "dismiss": "Dismiss the flags",
}
DONE = {
    "hide": "Hidden: the author is told why.", "unhide": "Shown again.",
    "lock": "Thread locked.", "unlock": "Thread unlocked.", "pin": "Thread pinned.",
    "unpin": "Thread unpinned.", "move": "Thread moved.", "dismiss": "Flags dismissed.",
}


def _viewer():
    return current_user._get_current_object()


def _thread(thread_id):
    """The thread with its region and author, if the viewer may read it.

    :raise 404: when it does not exist or may not be seen (the two look the same)
    """
    thread = reading.get_thread(thread_id, _viewer())
    if thread is None:
        abort(404)
    return thread


def _post(post_id):
    """(post, thread): a post in a thread the viewer may read (hidden posts included: the
    permission checks that follow decide what may be done with them).

    :raise 404: when it does not exist or its thread may not be seen
    """
    post = Post.get_or_none(Post.id == post_id)
    if post is None:
        abort(404)
    thread = _thread(post.thread_id)
    post.thread = thread
    return post, thread


def _thread_url(thread, post=None):
    if post is None:
        return url_for("discussions.thread_page", thread_id=thread.id)
    return (url_for("discussions.thread_page", thread_id=thread.id,
                    page=reading.page_of(post.number)) + f"#post-{post.number}")


def _back(fallback_url):
    target = request.form.get("next") or request.args.get("next")
    if target:
        return redirect(safe_next(target, "moderation.queue"))
    return redirect(fallback_url)


# --- flags -----------------------------------------------------------------------------------

@bp.route("/threads/<int:thread_id>/flag", methods=["GET", "POST"])
def flag_thread(thread_id):
    """Flag a thread for the moderators, with a reason."""
    thread = _thread(thread_id)
    return _flag_page(thread, None)


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
def flag_post(post_id):
    """Flag a post for the moderators, with a reason."""
    post, thread = _post(post_id)
    if post.is_hidden and not permissions.can_moderate_thread(_viewer(), thread):
        abort(404)
    return _flag_page(thread, post)


def _flag_page(thread, post):
    viewer = _viewer()
    if not permissions.can_flag(viewer, thread, post):
        abort(403)
    values, errors = {"next": request.args.get("next", "")}, {}
    if request.method == "POST":
        data, errors, values = load_form(FlagSchema(), request.form)
        if not errors:
            try:
                flagging.flag(viewer, thread, post, data["reason"], data["note"], client_ip())
            except Forbidden:
                abort(403)
            except DomainError as exc:
                if exc.field:
                    errors = exc.errors
                else:
                    flash(exc.message, "info")
                    return _back(_thread_url(thread, post))
            else:
                flash("Thank you: the moderators will review it.", "success")
                if not permissions.can_read_thread(viewer, thread):
                    return redirect(url_for("discussions.spaces"))  # the flag hid the thread
                return _back(_thread_url(thread, post))
    return render_template("moderation/flag.html", thread=thread, post=post, values=values,
                           errors=errors, reasons=FLAG_REASONS), 400 if errors else 200


# --- the queue -------------------------------------------------------------------------------

@bp.route("/moderation")
def queue():
    """The flagged and pending items of the spaces the member moderates."""
    viewer = _viewer()
    if not permissions.can_read_moderation(viewer):
        abort(403)
    entries = review.queue(viewer)
    regions = {r.id: r for r in Region.select(Region.id, Region.key, Region.name)}
    return render_template("moderation/queue.html", entries=entries, regions=regions,
                           reasons=FLAG_REASONS, limit=review.QUEUE_LIMIT)


# --- actions ---------------------------------------------------------------------------------

@bp.route("/moderation/threads/<int:thread_id>/<action>", methods=["GET", "POST"])
def thread_action(thread_id, action):
    """Hide, unhide, lock, unlock, pin, unpin, move a thread or dismiss its flags.

    GET shows the form (a reason; a destination for a move); POST acts.
    """
    if action not in actions.THREAD_ACTIONS:
        abort(404)
    thread = _thread(thread_id)
    return _action(thread, None, action)


@bp.route("/moderation/posts/<int:post_id>/<action>", methods=["GET", "POST"])
def post_action(post_id, action):
    """Hide or unhide a post, or dismiss its flags."""
    if action not in actions.POST_ACTIONS:
        abort(404)
    post, thread = _post(post_id)
    return _action(thread, post, action)


def _action(thread, post, action):
    viewer = _viewer()
    if not permissions.can_moderate_thread(viewer, thread):
        abort(403)
    values, errors = {"next": request.args.get("next", "")}, {}
    if request.method == "POST":
        data, errors, values = load_form(ActionSchema(), request.form)
        if not errors:
            try:
                if post is not None:
                    actions.act_on_post(viewer, post, action, data["reason"], client_ip())
                else:
                    to_region_id = _destination(data["space"]) if action == "move" else None
                    actions.act_on_thread(viewer, thread, action, data["reason"],
                                          to_region_id, client_ip())
            except Forbidden:
                abort(403)
            except DomainError as exc:
                if exc.field:
                    errors = exc.errors
                else:
                    flash(exc.message, "warning")
                    return _back(url_for("moderation.queue"))
            else:
                flash(DONE[action], "success")
                return _back(url_for("moderation.queue"))
    spaces = _move_destinations(viewer, thread) if action == "move" else {}
    flags = flagging.open_flags(thread, post)
    return render_template("moderation/action.html", thread=thread, post=post, action=action,
                           item=post if post is not None else thread,
                           label=ACTION_LABELS[action], values=values, errors=errors,
                           spaces=spaces, flags=flags, reasons=FLAG_REASONS,
                           reason_required=action in ("hide", "move")), 400 if errors else 200


def _destination(key):
    """The region id (None: network) of a space key from the move form."""
    if not key:
        raise DomainError("Choose where to move the thread.", "space")
    try:
        return space_of(key)[0]
    except DomainError:
        raise DomainError("Choose a space from the list.", "space") from None


def _move_destinations(viewer, thread):
    """{space key: name} of the spaces `viewer` may move the thread to."""
    spaces = {}
    if permissions.can_moderate_space(viewer, None) and thread.region_id is not None:
        spaces[NETWORK] = "Network-wide"
    for region in Region.ordered():
        if region.id != thread.region_id and permissions.can_moderate_space(viewer, region.id):
            spaces[region.key] = region.name
    return spaces


# --- the log ---------------------------------------------------------------------------------

def _log_filters():
    """(service filters, page, values for links, errors) from the query string."""
    schema = LogFilterSchema()
    data, errors, values = load_form(schema, request.args)
    values = {k: v for k, v in values.items() if k in schema.fields and k not in errors
              and v not in ("", None)}
    if errors:
        data = schema.load(values)
    filters = {"action": data["action"], "space": data["space"], "item": data["item"],
               "since": dt.datetime.combine(data["since"], dt.time()) if data["since"] else None,
               # "Until" is inclusive: up to the start of the next day.
               "until": (dt.datetime.combine(data["until"], dt.time()) + dt.timedelta(days=1)
                         if data["until"] and data["until"] < dt.date.max else None)}
    return filters, data["page"], values, errors


@bp.route("/moderation/log")
def log():
    """Moderation events of the viewer's spaces (administrators: all), newest first."""
    viewer = _viewer()
    if not permissions.can_read_moderation(viewer):
        abort(403)
    filters, page, values, errors = _log_filters()
    query = moderation_log(viewer, filters)
    rows = list(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    events = with_details(rows[:PAGE_SIZE])
    return render_template("moderation/log.html", events=events, has_next=len(rows) > PAGE_SIZE,
                           page=page, values=values, errors=errors, actions={
                               a: ACTIONS[a] for a in MODERATION_ACTIONS},
                           spaces=log_spaces(viewer)), 400 if errors else 200


def _cell(value):
    """Text for a CSV cell, with anything a spreadsheet would run as a formula defused."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@bp.route("/moderation/log.csv")
def log_csv():
    """The filtered moderation log as CSV (UTF-8 with a byte-order mark, for Excel)."""
    viewer = _viewer()
    if not permissions.can_read_moderation(viewer):
        abort(403)
    filters, _, _, _ = _log_filters()
    events = with_details(list(moderation_log(viewer, filters).limit(CSV_LIMIT)))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        actor = event.actor_member.name if event.actor_member else ""
        writer.writerow([_cell(value) for value in (
            iso_utc(event.created_at), actor, event.action, event.space_name,
            event.item, event.reason, event.detail)])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    return Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="moderation-log-{stamp}.csv"'})
