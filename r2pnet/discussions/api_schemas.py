"""The API's schemas for threads and posts: what a client sends, and what it reads back."""
from marshmallow import Schema, ValidationError, fields, validate

from r2pnet.api.paging import CursorSchema
from r2pnet.api.schemas import ApiSchema, UtcDateTime
from r2pnet.discussions.schemas import BODY_MAX, MAX_LINKED_LESSONS
from r2pnet.forms import one_line
from r2pnet.knowledge.schemas import MAX_TAGS, TAG_MAX, normalise_tag
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS

ID_RANGE = validate.Range(1, 2**63 - 1)
SORTS = ("activity", "newest", "replies", "unanswered")
REASON_MAX = 500


def _not_blank(value):
    if not value.strip():
        raise ValidationError("Write something first.")


def _trimmed(value):
    if value != value.strip():
        raise ValidationError("Remove the spaces at the start and the end.")


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("Give each value once.")


def _stored_tag(value):
    if normalise_tag(value) != value:
        raise ValidationError(f"Write tags as they are stored: lower case, single spaces, no "
                              f"punctuation at the edges, such as “{normalise_tag(value)}”.")


def _choices(options, *, integer=False):
    """A list of distinct values from `options`, documented as an enum."""
    if integer:
        item = fields.Integer(strict=True, validate=validate.OneOf(list(options)))
    else:
        item = fields.String(validate=validate.OneOf(list(options)))
    return fields.List(item, validate=[validate.Length(max=len(options)), _unique],
                       metadata={"uniqueItems": True})


def body_field(**kwargs):
    """A post's markdown: 1 to BODY_MAX characters, not only spaces, stored as sent."""
    return fields.String(validate=[validate.Length(1, BODY_MAX), _not_blank], **kwargs)


def title_field(**kwargs):
    return fields.String(validate=[validate.Length(1, 200), one_line, _trimmed], **kwargs)


class Classification(ApiSchema):
    """The taxonomy and links of a thread (set on its opening post)."""

    pillars = _choices(PILLARS)
    crimes = _choices(CRIMES)
    priorities = _choices(PRIORITIES)
    risk_factors = _choices(RISK_FACTORS, integer=True)
    tags = fields.List(fields.String(validate=[validate.Length(1, TAG_MAX), _stored_tag]),
                       validate=[validate.Length(max=MAX_TAGS), _unique],
                       metadata={"uniqueItems": True})
    lesson_ids = fields.List(fields.Integer(strict=True, validate=ID_RANGE),
                             validate=[validate.Length(max=MAX_LINKED_LESSONS), _unique],
                             metadata={"uniqueItems": True,
                                       "description": "Lessons you may read, to link."})


class ThreadIn(Classification):
    """A new thread: its title, opening post and classification."""

    title = title_field(required=True)
    body_md = body_field(required=True)


class ReplyIn(ApiSchema):
    """A reply, perhaps quoting a post of the same thread."""

    body_md = body_field(required=True)
    quoted_post_id = fields.Integer(strict=True, allow_none=True, load_default=None,
                                    validate=ID_RANGE)


class PostPatch(Classification):
    """An edit: only the fields sent change. Title and classification: opening posts only."""

    body_md = body_field()
    title = title_field()
    reason = fields.String(validate=[validate.Length(max=REASON_MAX), one_line, _trimmed],
                           metadata={"description": "Why: required when you edit someone "
                                                    "else's post (moderators)."})


class ThreadListQuery(CursorSchema):
    """A space's threads: pinned first, then in the chosen order."""

    sort = fields.String(load_default="activity", validate=validate.OneOf(SORTS), metadata={
        "description": "activity: latest activity first; newest: newest first; replies: most "
                       "replies first; unanswered: threads waiting for a reply, oldest first."})


class PostListQuery(CursorSchema):
    """A thread's posts, oldest first."""


# --- output ----------------------------------------------------------------------------------

class PostAuthorOut(Schema):
    """A member named on a thread, post or flag."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class PostOut(Schema):
    """A post as the caller may see it."""

    id = fields.Integer(dump_only=True)
    thread_id = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True, metadata={"description": "1 is the opening post."})
    author = fields.Nested(PostAuthorOut, dump_only=True)
    body_md = fields.String(dump_only=True)
    body_html = fields.String(dump_only=True, metadata={"description": "Sanitized HTML."})
    quoted_post_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    edited_at = UtcDateTime(dump_only=True, allow_none=True)
    edit_count = fields.Integer(dump_only=True)
    is_hidden = fields.Boolean(dump_only=True, metadata={
        "description": "Only the space's moderators and administrators see hidden posts."})
    hidden_reason = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    notes = fields.List(fields.String(), dump_only=True, metadata={
        "description": "After a write: mentions that notified nobody, and why."})


class ThreadOut(Schema):
    """A thread as the caller may see it."""

    id = fields.Integer(dump_only=True)
    space = fields.String(dump_only=True, metadata={"description": "network or a region key"})
    region_id = fields.Integer(dump_only=True, allow_none=True)
    title = fields.String(dump_only=True)
    author = fields.Nested(PostAuthorOut, dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    last_activity_at = UtcDateTime(dump_only=True)
    last_author = fields.Nested(PostAuthorOut, dump_only=True, allow_none=True)
    reply_count = fields.Integer(dump_only=True, metadata={
        "description": "Visible replies (hidden ones are not counted)."})
    unread = fields.Integer(dump_only=True, metadata={
        "description": "Posts you may read that came after the last one you read."})
    is_pinned = fields.Boolean(dump_only=True)
    is_locked = fields.Boolean(dump_only=True)
    is_closed = fields.Boolean(dump_only=True)
    closed_at = UtcDateTime(dump_only=True, allow_none=True)
    conclusion_md = fields.String(dump_only=True)
    is_hidden = fields.Boolean(dump_only=True)
    hidden_reason = fields.String(dump_only=True)
    pillars = fields.List(fields.String(), dump_only=True)
    crimes = fields.List(fields.String(), dump_only=True)
    priorities = fields.List(fields.String(), dump_only=True)
    risk_factors = fields.List(fields.Integer(), dump_only=True)
    tags = fields.List(fields.String(), dump_only=True)
    lesson_ids = fields.List(fields.Integer(), dump_only=True, metadata={
        "description": "Linked lessons you may read."})
    version = fields.Integer(dump_only=True)


class ThreadDetailOut(ThreadOut):
    """One thread, with its opening post and what the caller may do with it."""

    opening_post = fields.Nested(PostOut, dump_only=True, allow_none=True)
    can_reply = fields.Boolean(dump_only=True)
    can_moderate = fields.Boolean(dump_only=True)
    notes = fields.List(fields.String(), dump_only=True, metadata={
        "description": "After a write: mentions that notified nobody, and why."})
