"""Validation of profile, directory and region input."""
import datetime as dt
import re

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from r2pnet.forms import REQUIRED, one_line
from r2pnet.members.models import EMAIL_VISIBILITY, Region
from r2pnet.members.reference import countries, languages, timezones
from r2pnet.taxonomy import EXPERTISE


class ProfileSchema(Schema):
    """What a member (or an administrator) may change on a profile."""

    name = fields.String(required=True, error_messages=REQUIRED,
                         validate=[validate.Length(1, 120), one_line])
    title = fields.String(load_default="", validate=[validate.Length(max=160), one_line])
    organization = fields.String(load_default="", validate=[validate.Length(max=200), one_line])
    country = fields.String(load_default=None, allow_none=True)
    region_id = fields.Integer(load_default=None, allow_none=True,
                               error_messages={"invalid": "Choose a region from the list."},
                               validate=validate.Range(1, 2**63 - 1,
                                                       error="Choose a region from the list."))
    is_focal_point = fields.Boolean(load_default=False)
    focal_point_since = fields.Date(load_default=None, allow_none=True,
                                    error_messages={"invalid": "Use a date such as 2024-03-31."})
    languages = fields.List(fields.String(), load_default=list)
    expertise = fields.List(fields.String(), load_default=list)
    bio = fields.String(load_default="", validate=validate.Length(max=2000))
    timezone = fields.String(load_default="UTC")
    version = fields.Integer(load_default=None, allow_none=True,
                             validate=validate.Range(1, 2**62))
    email_visibility = fields.String(
        load_default="network", validate=validate.OneOf(
            list(EMAIL_VISIBILITY), error="Choose who may see your email address."))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        for key in ("country", "region_id", "focal_point_since", "version"):
            if data.get(key) == "":
                data[key] = None
        return super().load(data, *args, **kwargs)

    @validates("country")
    def _country(self, value, **kwargs):
        if value is not None and value not in countries():
            raise ValidationError("Choose a country from the list.")

    @validates("region_id")
    def _region(self, value, **kwargs):
        if value is not None and not Region.select().where(Region.id == value).exists():
            raise ValidationError("Choose a region from the list.")

    @validates("languages")
    def _languages(self, value, **kwargs):
        unknown = [code for code in value if code not in languages()]
        if unknown:
            raise ValidationError("Choose languages from the list.")
        if len(value) > 20:
            raise ValidationError("List at most 20 languages.")

    @validates("expertise")
    def _expertise(self, value, **kwargs):
        if any(key not in EXPERTISE for key in value):
            raise ValidationError("Choose areas of expertise from the list.")

    @validates("timezone")
    def _timezone(self, value, **kwargs):
        if value not in timezones():
            raise ValidationError("Choose a time zone from the list, such as Europe/Paris.")

    @validates("focal_point_since")
    def _since(self, value, **kwargs):
        if value is not None and (value > dt.date.today() or value.year < 1990):
            raise ValidationError("Give a date between 1990 and today.")

    @validates_schema
    def _focal_point(self, data, **kwargs):
        if data.get("focal_point_since") and not data.get("is_focal_point"):
            raise ValidationError("Tick “National focal point” or leave the date empty.",
                                  "focal_point_since")


class DirectoryQuerySchema(Schema):
    """Directory filters from the query string; bad values are reported, not crashed on."""

    q = fields.String(load_default="", validate=validate.Length(max=200))
    region = fields.String(load_default="", validate=validate.Length(max=40))
    country = fields.String(load_default="", validate=validate.Length(max=2))
    language = fields.String(load_default="", validate=validate.Length(max=3))
    expertise = fields.String(load_default="", validate=validate.Length(max=40))
    role = fields.String(load_default="", validate=validate.OneOf(
        ["", "member", "moderator", "administrator", "focal_point", "disabled"]))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))


KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class RegionSchema(Schema):
    """A region as administrators edit it."""

    key = fields.String(required=True, error_messages=REQUIRED, validate=validate.Regexp(
        KEY_RE, error="Use 2 to 40 lower-case letters, digits or underscores, starting "
                      "with a letter."))
    name = fields.String(required=True, error_messages=REQUIRED,
                         validate=[validate.Length(1, 120), one_line])
    organizations = fields.String(load_default="", validate=validate.Length(max=2000))
    countries = fields.List(fields.String(), load_default=list)
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**62))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        if data.get("version") == "":
            data["version"] = None
        return super().load(data, *args, **kwargs)

    @validates("countries")
    def _countries(self, value, **kwargs):
        if any(code not in countries() for code in value):
            raise ValidationError("Choose countries from the list.")
