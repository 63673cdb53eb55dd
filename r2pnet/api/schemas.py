"""Output schemas that several resources share."""
from marshmallow import Schema, fields


class RegionRef(Schema):
    """A region, briefly: where a member, lesson, thread or deliberation belongs."""

    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
