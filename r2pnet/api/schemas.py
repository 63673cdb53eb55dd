"""Schemas that every resource shares: the input base, UTC times, brief references."""
import datetime as dt

from marshmallow import RAISE, Schema, ValidationError, fields


class ApiSchema(Schema):
    """Every request schema: unknown (and read-only) fields are refused, not ignored."""

    class Meta:
        unknown = RAISE


class UtcDateTime(fields.DateTime):
    """Naive UTC in the database, RFC 3339 with an offset on the wire ("...Z" out)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ValidationError("Give a time zone offset, such as 2026-03-01T09:00:00Z.")
        return parsed.astimezone(dt.UTC).replace(tzinfo=None)


class RegionRef(Schema):
    """A region, briefly: where a member, lesson, thread or deliberation belongs."""

    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
