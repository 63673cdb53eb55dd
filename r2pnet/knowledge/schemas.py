"""Validation of lesson input and of the browse filters."""
import re
import unicodedata

from marshmallow import Schema, ValidationError, fields, validate, validates

from r2pnet.forms import REQUIRED, one_line
from r2pnet.knowledge.models import ATTRIBUTION, VISIBILITY
from r2pnet.members.reference import countries
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS, STRATEGY_ELEMENTS

SECTION_MAX = 20000
MAX_TAGS = 15
TAG_MAX = 40


def normalise_tag(text):
    """A tag as stored: NFKC, lower case, words joined by single spaces, no punctuation edges."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"[^\w\s+#.&/-]", " ", text)
    return " ".join(text.split()).strip(" .-/&")[:TAG_MAX]


def split_tags(text):
    """Tags typed as a comma- or semicolon-separated list, normalised, first occurrence kept."""
    tags = [normalise_tag(part) for part in re.split(r"[,;\n]", text or "")]
    return list(dict.fromkeys(tag for tag in tags if tag))


def _choices(options, message):
    def check(values):
        if any(value not in options for value in values):
            raise ValidationError(message)
    return check


class LessonSchema(Schema):
    """A lesson as its writer submits it (drafts may leave everything but title and summary)."""

    title = fields.String(required=True, error_messages=REQUIRED,
                          validate=[validate.Length(1, 200, error="Give a title of 1 to 200 "
                                                    "characters."), one_line])
    summary = fields.String(required=True, error_messages=REQUIRED,
                            validate=validate.Length(1, 500, error="Give a summary of 1 to 500 "
                                                     "characters of plain text."))
    country = fields.String(load_default=None, allow_none=True)
    region_id = fields.Integer(load_default=None, allow_none=True,
                               error_messages={"invalid": "Choose a region from the list."},
                               validate=validate.Range(1, 2**63 - 1,
                                                       error="Choose a region from the list."))
    attribution = fields.String(load_default="office", validate=validate.OneOf(
        list(ATTRIBUTION), error="Choose how the lesson is attributed."))
    visibility = fields.String(load_default="network", validate=validate.OneOf(
        list(VISIBILITY), error="Choose who may read the lesson."))
    pillars = fields.List(fields.String(), load_default=list,
                          validate=_choices(PILLARS, "Choose pillars from the list."))
    crimes = fields.List(fields.String(), load_default=list,
                         validate=_choices(CRIMES, "Choose crimes from the list."))
    priorities = fields.List(fields.String(), load_default=list,
                             validate=_choices(PRIORITIES, "Choose priorities from the list."))
    risk_factors = fields.List(fields.Integer(error_messages={
        "invalid": "Choose risk factors from the list."}), load_default=list,
        validate=_choices(RISK_FACTORS, "Choose risk factors from the list."))
    strategy = fields.List(fields.String(), load_default=list, validate=_choices(
        STRATEGY_ELEMENTS, "Choose national-strategy elements from the list."))
    tags = fields.String(load_default="", validate=validate.Length(max=1000))
    context_md = fields.String(load_default="", validate=validate.Length(max=SECTION_MAX))
    practice_md = fields.String(load_default="", validate=validate.Length(max=SECTION_MAX))
    outcome_md = fields.String(load_default="", validate=validate.Length(max=SECTION_MAX))
    lesson_md = fields.String(load_default="", validate=validate.Length(max=SECTION_MAX))
    recommendation_md = fields.String(load_default="", validate=validate.Length(max=SECTION_MAX))
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**62))
    publish = fields.Boolean(load_default=False)

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) and k in ("title", "summary", "tags",
                                                                "country") else v)
                for k, v in data.items()}
        for key in ("country", "region_id", "version"):
            if data.get(key) == "":
                data[key] = None
        loaded = super().load(data, *args, **kwargs)
        loaded["tags"] = split_tags(loaded["tags"])
        return loaded

    @validates("country")
    def _country(self, value, **kwargs):
        if value is not None and value not in countries():
            raise ValidationError("Choose a country from the list.")

    @validates("tags")
    def _tags(self, value, **kwargs):
        if len(split_tags(value)) > MAX_TAGS:
            raise ValidationError(f"Use at most {MAX_TAGS} tags.")


class BrowseSchema(Schema):
    """The browse page's filters, all in the URL."""

    q = fields.String(load_default="", validate=validate.Length(max=200))
    pillar = fields.List(fields.String(validate=validate.OneOf(list(PILLARS))), load_default=list)
    crime = fields.List(fields.String(validate=validate.OneOf(list(CRIMES))), load_default=list)
    priority = fields.List(fields.String(validate=validate.OneOf(list(PRIORITIES))),
                           load_default=list)
    risk_factor = fields.List(fields.Integer(validate=validate.OneOf(list(RISK_FACTORS))),
                              load_default=list)
    strategy = fields.List(fields.String(validate=validate.OneOf(list(STRATEGY_ELEMENTS))),
                           load_default=list)
    tag = fields.List(fields.String(validate=validate.Length(1, TAG_MAX)), load_default=list)
    region = fields.String(load_default="", validate=validate.Length(max=40))
    country = fields.String(load_default="", validate=validate.Length(max=2))
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1990, 2200))
    mine = fields.Boolean(load_default=False)
    sort = fields.String(load_default="", validate=validate.OneOf(
        ["", "newest", "applied", "useful", "relevance"]))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))

    def load(self, data, *args, **kwargs):
        data = {k: v for k, v in data.items() if v not in ("", [])}
        return super().load(data, *args, **kwargs)


BROWSE_LISTS = ("pillar", "crime", "priority", "risk_factor", "strategy", "tag")
LESSON_LISTS = ("pillars", "crimes", "priorities", "risk_factors", "strategy")
