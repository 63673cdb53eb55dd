"""Output schemas dumped in one loop per item, with the result marshmallow's `dump` gives.

Marshmallow serializes each field through four layers of calls (the field, the schema's
accessor, `get_value`, the field's `_serialize`): a page of 25 lessons of 32 fields took a
third of the API list's time. A schema without dump hooks, whose fields are of the kinds
below, is dumped here instead: each value is read as marshmallow reads it, passed on as it is
when the field would give it back unchanged (None, or text, a whole number or a boolean of
exactly that type for String, Integer and Boolean fields), and otherwise given to the field's
own `_serialize` (a list of such values is copied; a nested schema is dumped here too). Any
other schema is dumped by marshmallow.
"""
import functools

from marshmallow import fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import get_value

from r2pnet.api.schemas import UtcDateTime
from r2pnet.forms import shared_schema

# Field kind -> the type its `_serialize` hands back unchanged (None: always convert).
KINDS = {fields.String: str, fields.Integer: int, fields.Boolean: bool, fields.Date: None,
         fields.DateTime: None, UtcDateTime: None, fields.List: None, fields.Nested: None}


class Dumper:
    """Dumps one schema (see the module's docstring)."""

    def __init__(self, schema):
        self.schema = schema
        self.plan = _plan(schema)

    def dump(self, obj, many=False):
        """What `schema.dump(obj, many=many)` gives."""
        if self.plan is None:
            return self.schema.dump(obj, many=many)
        if many:
            return None if obj is None else [self._one(item) for item in obj]
        return self._one(obj)

    def _one(self, obj):
        out = {}
        is_dict = type(obj) is dict
        for key, attr, unchanged, serialize in self.plan:
            if is_dict:
                value = obj.get(attr, missing)
                if value is missing:
                    value = getattr(obj, attr, missing)
            else:
                value = get_value(obj, attr, missing)
            if value is missing:
                continue
            out[key] = value if value is None or type(value) is unchanged else serialize(
                value, attr, obj)
        return out


def _plan(schema):
    """[(output key, attribute, unchanged type, field._serialize)], or None for marshmallow."""
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] or schema.dict_class is not dict:
        return None
    plan = []
    for name, field in schema.dump_fields.items():
        attr = field.attribute or name
        if (type(field) not in KINDS or field.dump_default is not missing or "." in attr
                or getattr(field, "as_string", False)):
            return None
        key = field.data_key if field.data_key is not None else name
        plan.append((key, attr, KINDS[type(field)], _serializer(field)))
    return plan


def _serializer(field):
    """`field._serialize`, or a shorter way to its result for lists and nested schemas."""
    if type(field) is fields.Nested:
        nested = Dumper(field.schema)
        many = field.schema.many or field.many
        return lambda value, attr, obj: nested.dump(value, many=many)
    if type(field) is fields.List and KINDS.get(type(field.inner)) is not None:
        unchanged = KINDS[type(field.inner)]
        return lambda value, attr, obj: (
            list(value) if type(value) in (list, tuple)
            and all(type(each) is unchanged for each in value)
            else field._serialize(value, attr, obj))
    return field._serialize


@functools.cache
def dumper(schema_cls):
    """The one Dumper of a schema class."""
    return Dumper(shared_schema(schema_cls))
