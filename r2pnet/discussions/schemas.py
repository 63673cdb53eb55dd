"""Validation of thread, reply and edit forms, and of thread list arguments."""
import re

from marshmallow import Schema, ValidationError, fields, validate

from r2pnet.forms import REQUIRED, one_line
from r2pnet.knowledge.schemas import MAX_TAGS, split_tags
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS

BODY_MAX = 20000
MAX_LINKED_LESSONS = 10
LESSON_REFERENCE = re.compile(r"(?:/lessons/)?(\d{1,12})\b")


def _choices(options, message):
    def check(values):
        if any(value not in options for value in values):
            raise ValidationError(message)
    return check


def lesson_ids(text):
    """Lesson numbers from text: numbers or pasted /lessons/<id> links, first occurrence kept."""
    return list(dict.fromkeys(int(m) for m in LESSON_REFERENCE.findall(text or "")))


def _not_blank(value):
    if not value.strip():
        raise ValidationError("Write something first.")


def _body():
    return fields.String(required=True, error_messages=REQUIRED, validate=[validate.Length(
        1, BODY_MAX, error=f"Write 1 to {BODY_MAX} characters."), _not_blank])


class ClassificationFields(Schema):
    """Taxonomy fields shared by the new-thread and edit-opening-post forms."""

    pillars = fields.List(fields.String(), load_default=list,
                          validate=_choices(PILLARS, "Choose pillars from the list."))
    crimes = fields.List(fields.String(), load_default=list,
                         validate=_choices(CRIMES, "Choose crimes from the list."))
    priorities = fields.List(fields.String(), load_default=list,
                             validate=_choices(PRIORITIES, "Choose priorities from the list."))
    risk_factors = fields.List(fields.Integer(error_messages={
        "invalid": "Choose risk factors from the list."}), load_default=list,
        validate=_choices(RISK_FACTORS, "Choose risk factors from the list."))
    tags = fields.String(load_default="", validate=validate.Length(max=1000))
    lessons = fields.String(load_default="", validate=validate.Length(max=2000))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) and k in ("title", "tags", "lessons")
                    else v) for k, v in data.items()}
        for key in ("version", "quoted_post_id"):
            if data.get(key) == "":
                data[key] = None
        loaded = super().load(data, *args, **kwargs)
        if "tags" in loaded:
            tags = split_tags(loaded["tags"])
            if len(tags) > MAX_TAGS:
                raise ValidationError({"tags": [f"Use at most {MAX_TAGS} tags."]})
            loaded["tags"] = tags
        if "lessons" in loaded:
            ids = lesson_ids(loaded["lessons"])
            if len(ids) > MAX_LINKED_LESSONS:
                raise ValidationError({"lessons": [
                    f"Link at most {MAX_LINKED_LESSONS} lessons."]})
            loaded["lessons"] = ids
        return loaded


class ThreadSchema(ClassificationFields):
    """A new thread: title, opening post and classification."""

    title = fields.String(required=True, error_messages=REQUIRED, validate=[
        validate.Length(1, 200, error="Give a title of 1 to 200 characters."), one_line])
    body_md = _body()


class EditPostSchema(ClassificationFields):
    """An edit: the text, the version it started from, a reason (required of moderators);
    for an opening post also the title and classification."""

    title = fields.String(load_default=None, validate=[
        validate.Length(1, 200, error="Give a title of 1 to 200 characters."), one_line])
    body_md = _body()
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**62))
    reason = fields.String(load_default="", validate=[
        validate.Length(max=500, error="Keep the reason under 500 characters."), one_line])


class ReplySchema(Schema):
    """A reply, perhaps quoting an earlier post."""

    body_md = _body()
    quoted_post_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(
        1, 2**62), error_messages={"invalid": "The quoted post is not in this thread."})

    def load(self, data, *args, **kwargs):
        if data.get("quoted_post_id") == "":
            data = {**data, "quoted_post_id": None}
        return super().load(data, *args, **kwargs)


class ConclusionSchema(Schema):
    """The conclusion recorded when a thread is closed."""

    conclusion_md = _body()


class ThreadListSchema(Schema):
    """A space's thread list arguments."""

    sort = fields.String(load_default="activity", validate=validate.OneOf(
        ["activity", "newest", "replies", "unanswered"]))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))

    def load(self, data, *args, **kwargs):
        data = {k: v for k, v in data.items() if v not in ("", [])}
        return super().load(data, *args, **kwargs)


CLASSIFICATION_LISTS = ("pillars", "crimes", "priorities", "risk_factors")
