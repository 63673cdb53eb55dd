"""Reading HTML forms through marshmallow schemas, keeping what the user typed."""
import functools

from marshmallow import EXCLUDE, ValidationError

REQUIRED = {"required": "This field is required."}


@functools.cache
def shared_schema(schema_cls, many=False):
    """The one instance of a schema (and `many`): building one copies every declared field,
    and loading or dumping keeps no state on the instance."""
    return schema_cls(many=many)


def one_line(value):
    """A marshmallow validator: text on a single line, without control characters."""
    if any(ch in value for ch in "\r\n\t\x00"):
        raise ValidationError("Use a single line without control characters.")


def form_values(form, list_fields=()):
    """A plain dict of a submitted form: lists for multi-value fields, text elsewhere."""
    values = {}
    for key in form:
        if key == "csrf_token":
            continue
        values[key] = form.getlist(key) if key in list_fields else form.get(key)
    for key in list_fields:
        values.setdefault(key, [])
    return values


def load_form(schema, form, list_fields=()):
    """(data, errors, values): validated data or field errors, plus the raw values to refill."""
    values = form_values(form, list_fields)
    try:
        return schema.load(values, unknown=EXCLUDE), {}, values
    except ValidationError as exc:
        return None, _flatten(exc.messages), values


def _flatten(messages):
    flat = {}
    for field, value in messages.items():
        if isinstance(value, dict):
            value = [m for sub in value.values() for m in (sub if isinstance(sub, list) else [sub])]
        flat[field] = value if isinstance(value, list) else [value]
    return flat
