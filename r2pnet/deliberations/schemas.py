"""Validation of deliberation, attendance, outcome, cadence and weekly-question input."""
import re
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from r2pnet.deliberations.models import ANSWERS
from r2pnet.forms import REQUIRED, form_values, one_line
from r2pnet.members.reference import timezones

AGENDA_MAX = 20000
MAX_LINKS = 20
MAX_ACTIONS = 30
BLANK_ACTION_ROWS = 3
ACTION_FIELDS = ("description", "owner", "owner_name", "due_on")


def references(text, kind):
    """Ids typed as numbers (12, #12) or pasted links (/threads/12, https://.../threads/12).

    :raise ValidationError: on anything else, so a typo is not silently dropped
    """
    ids = []
    for token in re.split(r"[\s,;]+", text or ""):
        if not token:
            continue
        match = re.fullmatch(r"#?(\d{1,18})", token) or re.search(
            rf"(?:^|/){kind}/(\d{{1,18}})(?:[/?#].*)?$", token)
        if not match:
            raise ValidationError(f"Enter {kind} as numbers or links such as /{kind}/12; "
                                  f"“{token[:60]}” is neither.")
        ids.append(int(match.group(1)))
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_LINKS:
        raise ValidationError(f"Link at most {MAX_LINKS} {kind}.")
    return ids


def _http_url(value):
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValidationError("Give a link starting with https:// (or http://).")


class DeliberationSchema(Schema):
    """A deliberation as a moderator schedules or edits it (local date, time and zone)."""

    region_id = fields.Integer(load_default=None, allow_none=True,
                               error_messages={"invalid": "Choose a region from the list."},
                               validate=validate.Range(1, 2**63 - 1,
                                                       error="Choose a region from the list."))
    title = fields.String(required=True, error_messages=REQUIRED,
                          validate=[validate.Length(1, 200, error="Give a title of 1 to 200 "
                                                    "characters."), one_line])
    agenda_md = fields.String(load_default="", validate=validate.Length(
        max=AGENDA_MAX, error=f"Keep the agenda under {AGENDA_MAX} characters."))
    date = fields.Date(required=True, error_messages=dict(
        REQUIRED, invalid="Give the date as YYYY-MM-DD."))
    time = fields.Time(required=True, error_messages=dict(
        REQUIRED, invalid="Give the time as HH:MM (24-hour clock)."))
    timezone = fields.String(required=True, error_messages=REQUIRED)
    duration_minutes = fields.Integer(
        load_default=90, error_messages={"invalid": "Give the duration in minutes."},
        validate=validate.Range(15, 600, error="The duration is 15 to 600 minutes."))
    join_url = fields.String(load_default="", validate=validate.Length(
        max=500, error="Keep the link under 500 characters."))
    location = fields.String(load_default="", validate=[validate.Length(
        max=300, error="Keep the place under 300 characters."), one_line])
    threads = fields.String(load_default="", validate=validate.Length(max=2000))
    lessons = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**62))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        for key in ("region_id", "version"):
            if data.get(key) == "":
                data[key] = None
        for key in ("date", "time", "timezone", "title", "duration_minutes"):
            if data.get(key) == "":
                data.pop(key)
        loaded = super().load(data, *args, **kwargs)
        loaded["thread_ids"] = references(loaded.pop("threads"), "threads")
        loaded["lesson_ids"] = references(loaded.pop("lessons"), "lessons")
        return loaded

    @validates("timezone")
    def _timezone(self, value, **kwargs):
        if value not in timezones():
            raise ValidationError("Choose a time zone from the list.")

    @validates("join_url")
    def _join_url(self, value, **kwargs):
        if value:
            _http_url(value)

    @validates("threads")
    def _threads(self, value, **kwargs):
        references(value, "threads")

    @validates("lessons")
    def _lessons(self, value, **kwargs):
        references(value, "lessons")

    @validates_schema
    def _somewhere(self, data, **kwargs):
        if not data.get("join_url") and not data.get("location"):
            raise ValidationError("Give a link to join, a place, or both.", "location")


class AttendanceSchema(Schema):
    """A member's answer."""

    answer = fields.String(required=True, error_messages=REQUIRED, validate=validate.OneOf(
        list(ANSWERS), error="Answer yes, maybe or no."))


class ActionSchema(Schema):
    """One follow-up action: what, who (a member of the region or a name), by when."""

    description = fields.String(required=True, error_messages=REQUIRED, validate=[
        validate.Length(1, 500, error="Describe the action in 1 to 500 characters."), one_line])
    owner = fields.Integer(load_default=None, allow_none=True,
                           error_messages={"invalid": "Choose the owner from the list."},
                           validate=validate.Range(1, 2**63 - 1,
                                                   error="Choose the owner from the list."))
    owner_name = fields.String(load_default="", validate=[validate.Length(
        max=120, error="Keep the name under 120 characters."), one_line])
    due_on = fields.Date(load_default=None, allow_none=True,
                         error_messages={"invalid": "Give the due date as YYYY-MM-DD."})

    @validates_schema
    def _owner(self, data, **kwargs):
        if data.get("owner") is None and not data.get("owner_name"):
            raise ValidationError("Choose an owner or type a name.", "owner")


class OutcomeSchema(Schema):
    """The outcome of a deliberation: a markdown summary and its follow-up actions."""

    summary_md = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(
        1, AGENDA_MAX, error=f"Write a summary of 1 to {AGENDA_MAX} characters."))
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**62))


def load_outcome(form):
    """(data, errors, values) for the outcome form; each action row's errors named
    `action-<n>-<field>` so they show next to their own field."""
    values = form_values(form)
    errors, actions = {}, []
    try:
        data = OutcomeSchema().load({k: values[k].strip() if k == "summary_md" else values[k]
                                     for k in ("summary_md", "version")
                                     if values.get(k) not in (None, "")})
    except ValidationError as exc:
        data, errors = None, {k: list(v) for k, v in exc.messages.items()}
    rows = action_rows(values)
    if len(rows) > MAX_ACTIONS:
        errors["_form"] = [f"Record at most {MAX_ACTIONS} actions."]
    for n, row in enumerate(rows):
        if not any(row[key] for key in ACTION_FIELDS):
            continue
        try:
            actions.append((n, ActionSchema().load(
                {k: v for k, v in row.items() if v != ""})))
        except ValidationError as exc:
            for field, messages in exc.messages.items():
                errors[f"action-{n}-{field}"] = list(messages)
    if errors:
        return None, errors, values
    data["actions"] = actions
    return data, {}, values


def action_rows(values):
    """The action rows of a submitted outcome form, in order, as plain dicts."""
    numbers = sorted({int(m.group(1)) for key in values
                      if (m := re.fullmatch(r"action-(\d{1,3})-\w+", key))})
    return [{key: (values.get(f"action-{n}-{key}") or "").strip() for key in ACTION_FIELDS}
            for n in numbers]


class CadenceSchema(Schema):
    """How often a region aims to deliberate."""

    every_days = fields.Integer(required=True, error_messages=dict(
        REQUIRED, invalid="Give a number of days."), validate=validate.Range(
        7, 365, error="Choose 7 to 365 days."))


class QuestionSchema(Schema):
    """A region's question of the week, optionally pointing to a thread."""

    text = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(
        1, 500, error="Ask in 1 to 500 characters."))
    thread = fields.String(load_default="", validate=validate.Length(max=500))

    def load(self, data, *args, **kwargs):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        if data.get("text") == "":
            data.pop("text")
        loaded = super().load(data, *args, **kwargs)
        ids = references(loaded.pop("thread"), "threads")
        loaded["thread_id"] = ids[0] if ids else None
        return loaded

    @validates("thread")
    def _thread(self, value, **kwargs):
        if len(references(value, "threads")) > 1:
            raise ValidationError("Link one thread at most.")


class DashboardSchema(Schema):
    """The dashboard's one setting: after how many days a thread without reply counts."""

    days = fields.Integer(load_default=None, allow_none=True, error_messages={
        "invalid": "Give a number of days."}, validate=validate.Range(
        1, 365, error="Choose 1 to 365 days."))

    def load(self, data, *args, **kwargs):
        data = {k: v for k, v in data.items() if v not in ("", None)}
        return super().load(data, *args, **kwargs)
