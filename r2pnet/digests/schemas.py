"""Validation of the digest settings form."""
from marshmallow import Schema, fields, validate

from r2pnet.digests.models import FREQUENCIES

INVALID_HOUR = "Choose an hour from the list (00:00 to 23:00)."
INVALID_WEEKDAY = "Choose a day from the list."


class DigestSettingsSchema(Schema):
    """How often the digest comes, on which day and at what local hour."""

    frequency = fields.String(required=True, validate=validate.OneOf(
        list(FREQUENCIES), error="Choose weekly, daily or off."),
        error_messages={"required": "Choose how often the digest comes."})
    weekday = fields.Integer(required=True, strict=False, validate=validate.Range(
        0, 6, error=INVALID_WEEKDAY), error_messages={"invalid": INVALID_WEEKDAY,
                                                       "required": INVALID_WEEKDAY})
    hour = fields.Integer(required=True, strict=False, validate=validate.Range(
        0, 23, error=INVALID_HOUR), error_messages={"invalid": INVALID_HOUR,
                                                     "required": INVALID_HOUR})
