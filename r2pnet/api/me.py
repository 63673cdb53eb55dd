"""API: the caller's own account (profile and digest settings)."""
from flask_login import current_user
from marshmallow import Schema, fields

from r2pnet.api.core import operation


class MeOut(Schema):
    """The signed-in member, as the API sees them."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    region_id = fields.Integer(dump_only=True, allow_none=True)


@operation("/me", summary="Who am I", tag="me", response=MeOut)
def get_me():
    """The member the token (or session) belongs to."""
    return current_user
