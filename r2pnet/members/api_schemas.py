"""API schemas of members, the caller's own profile and regions."""
from marshmallow import Schema, ValidationError, fields, validate

from r2pnet.api.schemas import RegionRef
from r2pnet.api.paging import CursorSchema
from r2pnet.api.schemas import ApiSchema, UtcDateTime
from r2pnet.members.models import EMAIL_VISIBILITY, ROLES
from r2pnet.members.reference import countries, languages, timezones
from r2pnet.taxonomy import EXPERTISE

ID_RANGE = validate.Range(1, 2**63 - 1)
COUNTRY_ERROR = "Use an ISO 3166-1 alpha-2 country code, such as CR."
LANGUAGE_ERROR = "Use an ISO 639-1 language code, such as fr."
DIRECTORY_ROLES = ("member", "moderator", "administrator", "focal_point", "disabled")


class StrictBoolean(fields.Boolean):
    """true or false, nothing else (no "yes", 1 or "on"): the document says boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


# The document shows these patterns, and they are exactly what is accepted: text the profile
# form would strip or that is not one line is refused, never altered. (?![\s\S]) ends the text
# in every regex dialect ("$" would allow a final newline).
ONE_LINE = (r"^(?:[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f\u2028\u2029]*"
            r"[^\s\x00-\x1f\x7f-\x9f])?)?(?![\s\S])")
TRIMMED = r"^(?:[^\s\x00](?:[^\x00]*[^\s\x00])?)?(?![\s\S])"
NO_NUL = r"^[^\x00]*(?![\s\S])"
REGION_KEY = r"^[a-z][a-z0-9_]{1,39}(?![\s\S])"
one_line = validate.Regexp(ONE_LINE, error="Use one line without control characters, and no "
                                           "spaces at either end.")
trimmed = validate.Regexp(TRIMMED, error="Remove the spaces or line breaks at either end.")
searchable = validate.Regexp(NO_NUL, error="Remove the NUL characters.")


class WholeNumber(fields.Integer):
    """A JSON integer: 7, or 7.0 (JSON Schema counts it as one); never true, "7" or 7.5."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


def no_duplicates(values):
    if len(set(values)) != len(values):
        raise ValidationError("List each value once.")


# --- output ----------------------------------------------------------------------------------

class MemberOut(Schema):
    """A member as the directory and the profile page show them to the caller."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    organization = fields.String(dump_only=True)
    country = fields.String(dump_only=True, allow_none=True,
                            metadata={"description": "ISO 3166-1 alpha-2 code."})
    region_id = fields.Integer(dump_only=True, allow_none=True)
    region = fields.Nested(RegionRef, dump_only=True, allow_none=True,
                           attribute="region_ref")
    role = fields.String(dump_only=True, validate=validate.OneOf(ROLES))
    is_focal_point = fields.Boolean(dump_only=True)
    focal_point_since = fields.Date(dump_only=True, allow_none=True)
    languages = fields.List(fields.String(), dump_only=True,
                            metadata={"description": "ISO 639-1 codes, in the member's order."})
    expertise = fields.List(fields.String(validate=validate.OneOf(list(EXPERTISE))),
                            dump_only=True)
    moderated_region_ids = fields.List(fields.Integer(), dump_only=True)
    bio = fields.String(dump_only=True)
    timezone = fields.String(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True, attribute="shown_email", metadata={
        "description": "Null unless the member shares their address with the caller."})
    is_disabled = fields.Boolean(dump_only=True, metadata={
        "description": "Disabled members are listed to administrators only."})
    url = fields.String(dump_only=True, metadata={"description": "The profile page."})


class MeOut(Schema):
    """The caller's own profile: every field they may change, and their account."""

    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True, validate=validate.OneOf(ROLES))
    name = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    organization = fields.String(dump_only=True)
    country = fields.String(dump_only=True, allow_none=True)
    region_id = fields.Integer(dump_only=True, allow_none=True)
    region = fields.Nested(RegionRef, dump_only=True, allow_none=True,
                           attribute="region_ref")
    is_focal_point = fields.Boolean(dump_only=True)
    focal_point_since = fields.Date(dump_only=True, allow_none=True)
    languages = fields.List(fields.String(), dump_only=True)
    expertise = fields.List(fields.String(), dump_only=True)
    bio = fields.String(dump_only=True)
    timezone = fields.String(dump_only=True)
    email_visibility = fields.String(dump_only=True,
                                     validate=validate.OneOf(list(EMAIL_VISIBILITY)))
    moderated_region_ids = fields.List(fields.Integer(), dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)
    url = fields.String(dump_only=True)


class NextDeliberationOut(Schema):
    """A deliberation, briefly."""

    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    starts_at = UtcDateTime(dump_only=True)
    url = fields.String(dump_only=True)


class WeeklyQuestionOut(Schema):
    """A region's question of the week."""

    text = fields.String(dump_only=True)
    asked_at = UtcDateTime(dump_only=True)
    thread_id = fields.Integer(dump_only=True, allow_none=True)


class CadenceOut(Schema):
    """A region's rhythm, as its moderators see it on the region dashboard."""

    cadence_days = fields.Integer(dump_only=True, metadata={
        "description": "How often the region aims to deliberate."})
    last_held_at = UtcDateTime(dump_only=True, allow_none=True)
    days_since_last = fields.Integer(dump_only=True, allow_none=True)
    overdue = fields.Boolean(dump_only=True)
    next_deliberation = fields.Nested(NextDeliberationOut, dump_only=True, allow_none=True)
    threads_last_30_days = fields.Integer(dump_only=True)
    replies_last_30_days = fields.Integer(dump_only=True)
    unanswered_threads = fields.Integer(dump_only=True, metadata={
        "description": "Threads with no reply for more than unanswered_after_days."})
    unanswered_after_days = fields.Integer(dump_only=True)
    open_flags = fields.Integer(dump_only=True)
    question_of_the_week = fields.Nested(WeeklyQuestionOut, dump_only=True, allow_none=True)


class RegionOut(Schema):
    """A region with its number of active members."""

    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    organizations = fields.List(fields.String(), dump_only=True)
    countries = fields.List(fields.String(), dump_only=True)
    member_count = fields.Integer(dump_only=True)
    cadence = fields.Nested(CadenceOut, dump_only=True, allow_none=True, metadata={
        "description": "For the region's moderators and administrators; null for others."})
    url = fields.String(dump_only=True, metadata={"description": "The region's space."})


# --- input -----------------------------------------------------------------------------------

class MemberListQuery(CursorSchema):
    """The directory's filters."""

    q = fields.String(validate=[validate.Length(1, 200), searchable], metadata={
        "description": "Words of the name, title or organization (accents ignored)."})
    region = fields.String(validate=validate.Regexp(REGION_KEY, error="Use a region key."),
                           metadata={"description": "A region key, such as africa."})
    country = fields.String(validate=validate.OneOf(list(countries()), error=COUNTRY_ERROR))
    language = fields.String(validate=validate.OneOf(list(languages()), error=LANGUAGE_ERROR))
    expertise = fields.String(validate=validate.OneOf(list(EXPERTISE)))
    role = fields.String(validate=validate.OneOf(DIRECTORY_ROLES), metadata={
        "description": "focal_point: national focal points; disabled: administrators only."})


class RegionQuery(ApiSchema):
    """How long a thread may wait for a reply before it counts as unanswered."""

    unanswered_after_days = fields.Integer(validate=validate.Range(1, 365))


class RegionListQuery(CursorSchema):
    """Paging, and the unanswered threshold of the cadence figures."""

    unanswered_after_days = fields.Integer(validate=validate.Range(1, 365))


class MePatch(ApiSchema):
    """The profile fields to change; the others keep their values."""

    name = fields.String(validate=[validate.Length(1, 120), one_line])
    title = fields.String(validate=[validate.Length(max=160), one_line])
    organization = fields.String(validate=[validate.Length(max=200), one_line])
    country = fields.String(allow_none=True,
                            validate=validate.OneOf(list(countries()), error=COUNTRY_ERROR))
    region_id = WholeNumber(allow_none=True, validate=ID_RANGE, metadata={
        "description": "Null: the first region (by name) that lists your country."})
    is_focal_point = StrictBoolean(metadata={
        "description": "false also clears focal_point_since."})
    focal_point_since = fields.Date(allow_none=True, metadata={
        "description": "Between 1990 and today; only for a focal point."})
    languages = fields.List(fields.String(validate=validate.OneOf(list(languages()),
                                                                  error=LANGUAGE_ERROR)),
                            validate=[validate.Length(max=20), no_duplicates],
                            metadata={"uniqueItems": True})
    expertise = fields.List(fields.String(validate=validate.OneOf(list(EXPERTISE))),
                            validate=[validate.Length(max=len(EXPERTISE)), no_duplicates],
                            metadata={"uniqueItems": True})
    bio = fields.String(validate=[validate.Length(max=2000), trimmed])
    timezone = fields.String(validate=validate.OneOf(timezones(), error=(
        "Use an IANA time zone name, such as Europe/Paris.")))
    email_visibility = fields.String(validate=validate.OneOf(list(EMAIL_VISIBILITY)))
