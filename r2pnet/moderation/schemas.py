"""Validation of the flag form, moderation action forms and the log filters."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from r2pnet.audit.models import MODERATION_ACTIONS
from r2pnet.forms import one_line
from r2pnet.moderation.models import FLAG_REASONS

NOTE_MAX = 500


class FlagSchema(Schema):
    """A flag: a reason from the list, and a note (required when the reason is "other")."""

    reason = fields.String(required=True, error_messages={"required": "Choose a reason."},
                           validate=validate.OneOf(list(FLAG_REASONS),
                                                   error="Choose a reason from the list."))
    note = fields.String(load_default="", validate=validate.Length(
        max=NOTE_MAX, error=f"Keep the note under {NOTE_MAX} characters."))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        if data.get("reason") == "":
            data.pop("reason")
        return super().load(data, *args, **kwargs)

    @validates_schema
    def _note_for_other(self, data, **kwargs):
        if data.get("reason") == "other" and not data.get("note"):
            raise ValidationError("Say why you flag it.", "note")


class ActionSchema(Schema):
    """A moderation action: the reason (the service says when it is required) and, for a
    move, the destination space ("network" or a region key)."""

    reason = fields.String(load_default="", validate=[validate.Length(
        max=NOTE_MAX, error=f"Keep the reason under {NOTE_MAX} characters."), one_line])
    space = fields.String(load_default="", validate=validate.Length(max=40))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        return super().load(data, *args, **kwargs)


class LogFilterSchema(Schema):
    """The moderation log's filters (empty values mean "any")."""

    action = fields.String(load_default="", validate=validate.OneOf([""] + list(
        MODERATION_ACTIONS)))
    space = fields.String(load_default="", validate=validate.Length(max=40))
    item = fields.String(load_default="", validate=validate.Regexp(
        r"^(|(thread|post):\d{1,18})$", error="Give an item as thread:12 or post:40."))
    since = fields.Date(load_default=None, allow_none=True)
    until = fields.Date(load_default=None, allow_none=True)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))

    def load(self, data, *args, **kwargs):
        data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        data = {k: v for k, v in data.items() if v != ""}
        return super().load(data, *args, **kwargs)

