"""API: the caller's own account (profile and digest settings)."""
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate

from r2pnet.api.core import etag_of, operation, require_if_match, web_url, with_etag
from r2pnet.api.problems import Problem
from r2pnet.api.schemas import ApiSchema, UtcDateTime
from r2pnet.digests.models import (DEFAULT_FREQUENCY, DEFAULT_HOUR, DEFAULT_WEEKDAY, FREQUENCIES,
                                   DigestSettings)
from r2pnet.digests.schemas import DigestSettingsSchema
from r2pnet.digests.settings import save_settings
from r2pnet.extensions import db, is_postgres
from r2pnet.forms import shared_schema
from r2pnet.members import services
from r2pnet.members.api import region_ref
from r2pnet.members.api_schemas import MeOut, MePatch, WholeNumber
from r2pnet.members.schemas import ProfileSchema
from r2pnet.web import client_ip

PROFILE_EXAMPLE = {"title": "Director of Human Rights", "languages": ["fr", "en"]}


def _me():
    return current_user._get_current_object()


def _validated(schema, data):
    """The page's own validation of the whole, merged record: 422 naming the fields."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise Problem(422, "Some fields are not valid.", exc.messages) from None


# --- profile ---------------------------------------------------------------------------------

def _profile(member):
    """(payload, ETag) of the caller's profile as stored now."""
    member.languages = services.member_languages(member)
    member.expertise = services.member_expertise(member)
    services.attach_moderated_region_ids([member])
    member.region_ref = region_ref(member.region) if member.region_id else None
    member.url = web_url("members.profile", member_id=member.id)
    payload = shared_schema(MeOut).dump(member)
    return payload, etag_of("me", member.id, payload)


@operation("/me", summary="Your profile", tag="me", response=MeOut, etag=True)
def get_me():
    """The member the token (or session) belongs to, with every field they may change."""
    return with_etag(*_profile(_me()))


@operation("/me", "PATCH", summary="Change your profile", tag="me", body=MePatch,
           response=MeOut, if_match=True, etag=True, example=PROFILE_EXAMPLE, description=(
               "Change some fields of your profile, validated as the profile page does: send "
               "only those fields, with If-Match: the ETag you read."))
def update_me(body):
    """Save the fields sent over the stored profile, from the version the caller read."""
    member = _me()
    current, tag = _profile(member)
    require_if_match(tag)
    merged = {key: current[key] for key in MePatch().fields}
    merged.update(body)
    if body.get("is_focal_point") is False and "focal_point_since" not in body:
        merged["focal_point_since"] = None
    if merged["focal_point_since"] is not None:
        merged["focal_point_since"] = str(merged["focal_point_since"])
    data = _validated(ProfileSchema(), merged)
    data["version"] = member.version
    services.update_profile(member, member, data, client_ip())
    return with_etag(*_profile(member))


# --- digest settings -------------------------------------------------------------------------

class DigestOut(Schema):
    """When your digest comes, in your own time zone."""

    frequency = fields.String(dump_only=True, validate=validate.OneOf(list(FREQUENCIES)))
    weekday = fields.Integer(dump_only=True, metadata={
        "description": "0 is Monday (weekly digests)."})
    hour = fields.Integer(dump_only=True, metadata={"description": "Local hour, 0 to 23."})
    timezone = fields.String(dump_only=True, metadata={
        "description": "Your profile's time zone (change it with PATCH /me)."})
    stopped_at = UtcDateTime(dump_only=True, allow_none=True, metadata={
        "description": "Set when digests stopped after bounces; saving settings restarts them."})
    updated_at = UtcDateTime(dump_only=True, allow_none=True, metadata={
        "description": "Null while you have the defaults."})


class DigestPatch(ApiSchema):
    """The digest settings to change; the others keep their values."""

    frequency = fields.String(validate=validate.OneOf(list(FREQUENCIES)))
    weekday = WholeNumber(validate=validate.Range(0, 6), metadata={"description": "0 is Monday."})
    hour = WholeNumber(validate=validate.Range(0, 23), metadata={"description": "Local hour."})


def _digest(member, for_update=False):
    """(payload, ETag) of the member's digest settings (no row: the defaults)."""
    query = DigestSettings.select().where(DigestSettings.member == member.id)
    if for_update and is_postgres():
        query = query.for_update()
    row = query.first()
    payload = shared_schema(DigestOut).dump({
        "frequency": row.frequency if row else DEFAULT_FREQUENCY,
        "weekday": row.weekday if row else DEFAULT_WEEKDAY,
        "hour": row.hour if row else DEFAULT_HOUR,
        "timezone": member.timezone or "UTC",
        "stopped_at": row.stopped_at if row else None,
        "updated_at": row.updated_at if row else None,
    })
    return payload, etag_of("digest", member.id, payload)


@operation("/me/digest", summary="Your digest settings", tag="me", response=DigestOut,
           etag=True)
def get_digest():
    """How often and when your digest comes (weekly on Monday at 08:00 unless you changed it)."""
    return with_etag(*_digest(_me()))


@operation("/me/digest", "PATCH", summary="Change your digest settings", tag="me",
           body=DigestPatch, response=DigestOut, if_match=True, etag=True,
           example={"frequency": "daily", "hour": 7}, description=(
               "Change how often and when your digest comes, as the settings page does (saving "
               "also restarts digests stopped after bounces). Send If-Match: the ETag you read."))
def update_digest(body):
    """Save the settings sent over the stored ones, from the version the caller read."""
    member = _me()
    with db.atomic():
        # The row is locked (PostgreSQL) or the database is (SQLite) from check to write.
        current, tag = _digest(member, for_update=True)
        require_if_match(tag)
        merged = {key: current[key] for key in ("frequency", "weekday", "hour")}
        merged.update(body)
        save_settings(member, _validated(DigestSettingsSchema(), merged))
    return with_etag(*_digest(member))
