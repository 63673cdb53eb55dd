"""API: flags, the moderation queue and moderator actions, audited as from the pages."""
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from r2pnet import permissions
from r2pnet.api.core import operation
from r2pnet.api.schemas import ApiSchema, UtcDateTime
from r2pnet.api.problems import Problem
from r2pnet.discussions.api import (call, post_response, readable_post, readable_thread,
                                    thread_response)
from r2pnet.discussions.api_schemas import PostAuthorOut, PostOut, ThreadDetailOut
from r2pnet.discussions.models import NETWORK
from r2pnet.members.models import Region
from r2pnet.moderation import actions, flagging, review
from r2pnet.moderation.items import REASON_MAX, clean_reason
from r2pnet.moderation.models import FLAG_REASONS
from r2pnet.web import client_ip


def _viewer():
    return current_user._get_current_object()


def _one_line(value):
    if clean_reason(value) != value:
        raise ValidationError("Write it on one line, without extra spaces.")


# --- schemas ---------------------------------------------------------------------------------

class FlagIn(ApiSchema):
    """A flag: a reason from the list, and a note (required when the reason is "other")."""

    reason = fields.String(required=True, validate=validate.OneOf(list(FLAG_REASONS)))
    note = fields.String(load_default="", validate=[validate.Length(max=REASON_MAX), _one_line])

    @validates_schema
    def _note_for_other(self, data, **kwargs):
        if data.get("reason") == "other" and not data.get("note"):
            raise ValidationError("Say why you flag it.", "note")


class FlagOut(Schema):
    """A flag you raised."""

    id = fields.Integer(dump_only=True)
    thread_id = fields.Integer(dump_only=True)
    post_id = fields.Integer(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True)
    note = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class ReasonIn(ApiSchema):
    """Why a moderator acts (required to hide: the author is told)."""

    reason = fields.String(load_default="", validate=[validate.Length(max=REASON_MAX),
                                                      _one_line])


class QueueFlagOut(Schema):
    member = fields.Nested(PostAuthorOut, dump_only=True)
    reason = fields.String(dump_only=True)
    note = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class QueueEntryOut(Schema):
    """A flagged item, or one hidden by flags and waiting for review."""

    item = fields.String(dump_only=True, metadata={"description": "thread:<id> or post:<id>"})
    kind = fields.String(dump_only=True, validate=validate.OneOf(["thread", "post"]))
    thread_id = fields.Integer(dump_only=True)
    post_id = fields.Integer(dump_only=True, allow_none=True)
    post_number = fields.Integer(dump_only=True, allow_none=True)
    title = fields.String(dump_only=True)
    space = fields.String(dump_only=True)
    author = fields.Nested(PostAuthorOut, dump_only=True)
    is_hidden = fields.Boolean(dump_only=True)
    pending_review = fields.Boolean(dump_only=True)
    hidden_reason = fields.String(dump_only=True)
    reasons = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True,
                          metadata={"description": "Open flags per reason."})
    flags = fields.List(fields.Nested(QueueFlagOut), dump_only=True)
    first_flagged_at = UtcDateTime(dump_only=True)


class QueueOut(Schema):
    """The whole queue, as its page shows it: pending items first, then the most flagged."""

    items = fields.List(fields.Nested(QueueEntryOut), dump_only=True)
    limit = fields.Integer(dump_only=True, metadata={
        "description": "At most this many threads and this many posts are listed."})


# --- flags -----------------------------------------------------------------------------------

def _flag(thread, post, body):
    if not permissions.can_flag(_viewer(), thread, post):
        raise Problem(403, "You cannot flag what you wrote.")
    created = call(flagging.flag, _viewer(), thread, post, body["reason"], body["note"],
                   client_ip())
    return {"id": created.id, "thread_id": thread.id, "post_id": post.id if post else None,
            "reason": created.reason, "note": created.note, "created_at": created.created_at}


@operation("/threads/<int:thread_id>/flags", "POST", summary="Flag a thread", tag="flags",
           body=FlagIn, response=FlagOut, status=201,
           example={"reason": "confidentiality", "note": ""})
def flag_thread(thread_id, body):
    """Flag a thread someone else started, for the moderators. One flag per member per item
    (409 on a second); enough open flags hide it until a moderator reviews it."""
    return _flag(readable_thread(thread_id), None, body)


@operation("/posts/<int:post_id>/flags", "POST", summary="Flag a post", tag="flags",
           body=FlagIn, response=FlagOut, status=201,
           example={"reason": "other", "note": "Names a witness."})
def flag_post(post_id, body):
    """Flag a post someone else wrote, for the moderators. One flag per member per item
    (409 on a second); enough open flags hide it until a moderator reviews it."""
    post, thread = readable_post(post_id)
    return _flag(thread, post, body)


# --- the queue -------------------------------------------------------------------------------

def _entry(entry, spaces):
    item = entry.item
    return {
        "item": entry.key, "kind": "post" if entry.post else "thread",
        "thread_id": entry.thread.id, "post_id": entry.post.id if entry.post else None,
        "post_number": entry.post.number if entry.post else None,
        "title": entry.thread.title,
        "space": spaces.get(entry.thread.region_id, NETWORK),
        "author": {"id": item.author.id, "name": item.author.name},
        "is_hidden": item.is_hidden, "pending_review": entry.pending,
        "hidden_reason": item.hidden_reason,
        "reasons": {reason: sum(1 for f in entry.flags if f.reason == reason)
                    for reason in dict.fromkeys(f.reason for f in entry.flags)},
        "flags": [{"member": {"id": f.member.id, "name": f.member.name}, "reason": f.reason,
                   "note": f.note, "created_at": f.created_at} for f in entry.flags],
        "first_flagged_at": entry.first_flagged_at,
    }


@operation("/moderation/queue", summary="The moderation queue", tag="moderation",
           response=QueueOut)
def moderation_queue():
    """Flagged items and items hidden by flags, in the spaces you moderate (administrators:
    all). For moderators and administrators only."""
    entries = review.queue(_viewer())
    spaces = {r.id: r.key for r in Region.select(Region.id, Region.key)}
    return {"items": [_entry(e, spaces) for e in entries], "limit": review.QUEUE_LIMIT}


# --- actions ---------------------------------------------------------------------------------

def _moderated_thread(thread_id):
    thread = readable_thread(thread_id)
    if not permissions.can_moderate_thread(_viewer(), thread):
        raise Problem(403, "Only the moderators of this space can do that.")
    return thread


THREAD_ACTIONS = {
    "hide": ("Hide a thread", "Hide a thread from members (a reason is required: the author "
                              "is told why). Its open flags are resolved."),
    "unhide": ("Unhide a thread", "Show a hidden thread again."),
    "lock": ("Lock a thread", "Nobody replies any more."),
    "unlock": ("Unlock a thread", "Replies are open again."),
    "pin": ("Pin a thread", "Pin the thread at the top of its space."),
    "unpin": ("Unpin a thread", "Unpin the thread."),
}
POST_ACTIONS = {
    "hide": ("Hide a post", "Hide a post from members (a reason is required: the author is "
                            "told why). Its open flags are resolved."),
    "unhide": ("Unhide a post", "Show a hidden post again."),
}
AUDIT_NOTE = (" For the space's moderators and administrators; audited as from the pages. "
              "409 when it is already done.")


def _register_thread_action(action, summary, description):
    def view(thread_id, body):
        thread = _moderated_thread(thread_id)
        call(actions.act_on_thread, _viewer(), thread, action, body["reason"], None,
             client_ip())
        return thread_response(readable_thread(thread.id))

    view.__name__ = f"{action}_thread"
    operation(f"/threads/<int:thread_id>/{action}", "POST", summary=summary, tag="moderation",
              description=description + AUDIT_NOTE, body=ReasonIn, response=ThreadDetailOut,
              example={"reason": "Names a witness."} if action == "hide" else {})(view)


def _register_post_action(action, summary, description):
    def view(post_id, body):
        post, thread = readable_post(post_id)
        if not permissions.can_moderate_thread(_viewer(), thread):
            raise Problem(403, "Only the moderators of this space can do that.")
        post.thread = thread
        call(actions.act_on_post, _viewer(), post, action, body["reason"], client_ip())
        return post_response(post)

    view.__name__ = f"{action}_post"
    operation(f"/posts/<int:post_id>/{action}", "POST", summary=summary, tag="moderation",
              description=description + AUDIT_NOTE, body=ReasonIn, response=PostOut,
              example={"reason": "Names a witness."} if action == "hide" else {})(view)


for _action, (_summary, _description) in THREAD_ACTIONS.items():
    _register_thread_action(_action, _summary, _description)
for _action, (_summary, _description) in POST_ACTIONS.items():
    _register_post_action(_action, _summary, _description)
