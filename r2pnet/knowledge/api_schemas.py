"""Schemas of the lessons API: what a program may send, and what it reads back."""
import re

from marshmallow import Schema, ValidationError, fields, validate

from r2pnet.api.schemas import RegionRef
from r2pnet.api.paging import CursorSchema
from r2pnet.api.schemas import ApiSchema, UtcDateTime
from r2pnet.knowledge.models import ATTRIBUTION, SECTIONS, VISIBILITY
from r2pnet.knowledge.schemas import MAX_TAGS, SECTION_MAX, TAG_MAX, normalise_tag
from r2pnet.members.reference import countries
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS, STRATEGY_ELEMENTS

MAX_ID = 2**63 - 1
# Text is refused rather than altered (the pages strip it), so these patterns are exactly what
# is accepted, read alike by Python and by ECMA-262 (JSON Schema): white space spelt out as
# str.isspace() has it (\s differs between the two), and (?![\s\S]) for the end ($ would allow
# a final newline in Python).
SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CONTROL = r"\x00-\x1f\x7f-\x9f"
END = r"(?![\s\S])"
TRIMMED = rf"^[^{SPACE}](?:[\s\S]*[^{SPACE}])?{END}"
ONE_LINE = (rf"^[^{SPACE}{CONTROL}](?:[^{CONTROL}\u2028\u2029]*[^{SPACE}{CONTROL}])?{END}")
SINGLE_SPACED = rf"^(?:[^{SPACE}]+(?: [^{SPACE}]+)*)?{END}"
# Every stored tag matches (lower-case ASCII, no punctuation at its ends, single spaces); the
# check that it is stored as sent (normalise_tag) is stricter for letters beyond ASCII.
_TAG_END = rf"(?:[a-z0-9_+#]|[^\x00-\x9f{SPACE}])"
TAG = rf"^{_TAG_END}(?:(?:[a-z0-9_+#.&/-]|[^\x00-\x9f{SPACE}]| (?! ))*{_TAG_END})?{END}"
NOTE_MAX = 500
COUNTRIES = list(countries())
CLASSIFICATION = {  # field -> (choices, what the list is called)
    "pillars": (list(PILLARS), "pillars"),
    "crimes": (list(CRIMES), "crimes"),
    "priorities": (list(PRIORITIES), "priorities"),
    "risk_factors": (list(RISK_FACTORS), "risk factors (1 to 14)"),
    "strategy": (list(STRATEGY_ELEMENTS), "national-strategy elements"),
}


# --- validators -------------------------------------------------------------------------

class Matches(validate.Validator):
    """Text matching a pattern, which the OpenAPI document shows (so both say the same)."""

    def __init__(self, pattern, error):
        self.regex = re.compile(pattern)
        self.error = error

    def __call__(self, value):
        if self.regex.match(value) is None:
            raise ValidationError(self.error)
        return value


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("List each value once.")


class StoredTag(validate.Validator):
    """A tag exactly as it is stored, so it reads back unchanged (documented as TAG)."""

    regex = re.compile(TAG)

    def __call__(self, value):
        stored = normalise_tag(value)
        if stored != value:
            hint = f" (this one would be stored as “{stored}”)" if stored else ""
            raise ValidationError("Write tags in lower case, words separated by single "
                                  f"spaces, without punctuation at either end{hint}.")
        return value


class StrictBoolean(fields.Boolean):
    """JSON true or false, nothing that merely looks like one ("yes", 1, "true")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


# --- input --------------------------------------------------------------------------------

def _writable(create):
    """A lesson's writable fields: required or defaulted for a new lesson, optional in a patch."""
    def default(value):
        return {"load_default": value} if create else {}

    result = {
        "title": fields.String(required=create, validate=[
            validate.Length(1, 200), Matches(ONE_LINE, "Use one line without control "
                                            "characters, and no white space at either end.")],
            metadata={"description": "One line of 1 to 200 characters."}),
        "summary": fields.String(required=create, validate=[
            validate.Length(1, 500), Matches(TRIMMED, "Remove the white space at the start and "
                                              "end.")],
            metadata={"description": "Plain text of 1 to 500 characters."}),
        "country": fields.String(allow_none=True, validate=validate.OneOf(COUNTRIES),
                                 metadata={"description": "ISO 3166-1 alpha-2 code."},
                                 **default(None)),
        "region_id": fields.Integer(strict=True, allow_none=True,
                                    validate=validate.Range(1, MAX_ID), metadata={
                                        "description": "Null: the region of the country, "
                                                       "when it belongs to one."},
                                    **default(None)),
        "attribution": fields.String(validate=validate.OneOf(list(ATTRIBUTION)), metadata={
            "description": "office: names the author; anonymous: “a Member State in "
                           "<region>”."}, **default("office")),
        "visibility": fields.String(validate=validate.OneOf(list(VISIBILITY)), metadata={
            "description": "network, region (its members only) or public."},
            **default("network")),
    }
    for name, (choices, label) in CLASSIFICATION.items():
        item = (fields.Integer(strict=True, validate=validate.OneOf(choices))
                if name == "risk_factors" else fields.String(validate=validate.OneOf(choices)))
        result[name] = fields.List(
            item, validate=[validate.Length(max=len(choices)), _unique],
            metadata={"uniqueItems": True, "description": f"The lesson's {label}." + (
                " Publishing needs at least one." if name == "pillars" else "")},
            **default(list))
    result["tags"] = fields.List(
        fields.String(validate=[validate.Length(1, TAG_MAX), StoredTag()]),
        validate=[validate.Length(max=MAX_TAGS), _unique],
        metadata={"uniqueItems": True, "description": "Free tags as they are stored: lower "
                  "case, single spaces, no punctuation at either end."}, **default(list))
    for key, heading in SECTIONS.items():
        result[f"{key}_md"] = fields.String(validate=validate.Length(max=SECTION_MAX), metadata={
            "description": f"{heading} (markdown, kept as sent)."}, **default(""))
    return result


LessonCreate = ApiSchema.from_dict(
    dict(_writable(create=True), publish=StrictBoolean(load_default=False, metadata={
        "description": "Publish at once (needs a pillar); otherwise a draft only you see."})),
    name="LessonCreate")
LessonPatch = ApiSchema.from_dict(_writable(create=False), name="LessonPatch")


class LessonQuery(CursorSchema):
    """The browse page's facets and full-text query."""

    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Full-text search: words, \"a phrase\", -excluded, or. Every match, "
                       "newest first, page by page; unlike the search page and /search, which "
                       "rank the newest matches only."})
    pillar = fields.List(fields.String(validate=validate.OneOf(list(PILLARS))))
    crime = fields.List(fields.String(validate=validate.OneOf(list(CRIMES))))
    priority = fields.List(fields.String(validate=validate.OneOf(list(PRIORITIES))))
    risk_factor = fields.List(fields.Integer(validate=validate.OneOf(list(RISK_FACTORS))))
    strategy = fields.List(fields.String(validate=validate.OneOf(list(STRATEGY_ELEMENTS))))
    tag = fields.List(fields.String(validate=validate.Length(1, TAG_MAX)))
    region = fields.String(validate=validate.Length(1, 40), metadata={
        "description": "A region's key, such as africa."})
    country = fields.String(validate=validate.OneOf(COUNTRIES), metadata={
        "description": "Lessons attributed to an office of this country."})
    year = fields.Integer(validate=validate.Range(1990, 2200), metadata={
        "description": "The year the lesson was published."})
    mine = fields.Boolean(truthy={"true"}, falsy={"false"}, load_default=False, metadata={
        "description": "Only your own lessons, drafts included (needs authentication)."})


class LessonApplicationIn(ApiSchema):
    """That your country applied or adapted the lesson, with a short note."""

    note = fields.String(load_default="", validate=[
        validate.Length(max=NOTE_MAX),
        Matches(SINGLE_SPACED, "Write the note on one line, with single spaces and none at "
                               "either end.")])


# --- output ----------------------------------------------------------------------------------

class LessonAuthorOut(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    organization = fields.String(dump_only=True, allow_none=True)


class LessonAttachmentOut(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True, metadata={"description": "Bytes."})
    media_type = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    download_url = fields.String(dump_only=True)


def _strings():
    return fields.List(fields.String(), dump_only=True)


class LessonListItem(Schema):
    """A lesson in a list: its card on the browse page."""

    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    summary = fields.String(dump_only=True)
    pillars = _strings()
    crimes = _strings()
    priorities = _strings()
    risk_factors = fields.List(fields.Integer(), dump_only=True)
    strategy = _strings()
    tags = _strings()
    country = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "Null for an anonymized lesson, except to those who may edit it."})
    region_id = fields.Integer(dump_only=True, allow_none=True)
    region = fields.Nested(RegionRef, dump_only=True, allow_none=True)
    attribution = fields.String(dump_only=True)
    attributed_to = fields.String(dump_only=True, metadata={
        "description": "The attribution exactly as the lesson page shows it."})
    author = fields.Nested(LessonAuthorOut, dump_only=True, allow_none=True, metadata={
        "description": "Null for an anonymized lesson, except to those who may edit it."})
    visibility = fields.String(dump_only=True)
    is_published = fields.Boolean(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)
    version = fields.Integer(dump_only=True)
    applied_count = fields.Integer(dump_only=True)
    useful_count = fields.Integer(dump_only=True)
    can_edit = fields.Boolean(dump_only=True)
    url = fields.String(dump_only=True)
    html_url = fields.String(dump_only=True)
    snippet = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "With q: the best matching passage, escaped HTML with <mark>s."})


class LessonOut(LessonListItem):
    """A whole lesson: its sections as markdown and as sanitized HTML, and its files."""

    context_md = fields.String(dump_only=True)
    context_html = fields.String(dump_only=True)
    practice_md = fields.String(dump_only=True)
    practice_html = fields.String(dump_only=True)
    outcome_md = fields.String(dump_only=True)
    outcome_html = fields.String(dump_only=True)
    lesson_md = fields.String(dump_only=True)
    lesson_html = fields.String(dump_only=True)
    recommendation_md = fields.String(dump_only=True)
    recommendation_html = fields.String(dump_only=True)
    attachments = fields.List(fields.Nested(LessonAttachmentOut), dump_only=True)


class LessonRevisionOut(Schema):
    """One saved state of a lesson, as its history page lists it."""

    number = fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    note = fields.String(dump_only=True)
    editor_id = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "Null for a former member, or the author of an anonymized lesson."})
    editor_name = fields.String(dump_only=True)


class LessonApplicationOut(Schema):
    """Your record of having applied a lesson."""

    lesson_id = fields.Integer(dump_only=True)
    note = fields.String(dump_only=True)
    created = fields.Boolean(dump_only=True, metadata={
        "description": "False when you had recorded it before (the note is updated)."})
    applied_count = fields.Integer(dump_only=True)
