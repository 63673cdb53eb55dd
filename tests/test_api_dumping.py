"""Every API response schema dumps to what marshmallow gives, for any value its fields may
be handed: present, missing or None, of the field's own type or one it converts, from a dict
or from an object's attributes."""
import datetime as dt
import importlib
import json
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields

from r2pnet.api.core import OPERATIONS
from r2pnet.api.dumping import Dumper, dumper
from r2pnet.api.setup import RESOURCE_MODULES
from r2pnet.forms import shared_schema

MISSING = object()
DATETIMES = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1))
SCALARS = {
    fields.String: st.one_of(st.text(max_size=8), st.integers(), DATETIMES),
    fields.Integer: st.one_of(st.integers(), st.booleans(), st.from_regex(r"\A-?[0-9]{1,6}\Z")),
    fields.Boolean: st.one_of(st.booleans(), st.integers(0, 1),
                              st.sampled_from(["true", "off", "Y", "maybe", 2.5])),
    fields.Date: st.dates(),
    fields.Dict: st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    fields.Field: st.text(max_size=8),  # any other kind
}


def value_of(field, depth=0):
    """Values a field may be handed, None included."""
    if isinstance(field, fields.Nested):
        one = object_of(field.schema, depth + 1)
        made = st.lists(one, max_size=2) if field.schema.many or field.many else one
    elif isinstance(field, fields.List):
        items = st.lists(value_of(field.inner, depth).filter(lambda v: v is not None),
                         max_size=3)
        made = st.one_of(items, items.map(tuple))
    elif isinstance(field, fields.DateTime) and not isinstance(field, fields.Date):
        made = st.one_of(DATETIMES, DATETIMES.map(lambda v: v.replace(tzinfo=dt.UTC)))
    else:
        made = next(strategy for kind, strategy in SCALARS.items() if isinstance(field, kind))
    return st.one_of(st.none(), made)


def object_of(schema, depth=0):
    """A dict or an object carrying some of the schema's attributes."""
    if depth > 3:
        return st.none()
    parts = st.fixed_dictionaries({
        field.attribute or name: st.one_of(st.just(MISSING), value_of(field, depth))
        for name, field in schema.dump_fields.items()})
    present = parts.map(lambda values: {k: v for k, v in values.items() if v is not MISSING})
    return st.one_of(present, present.map(lambda values: SimpleNamespace(**values)))


for module in RESOURCE_MODULES:
    importlib.import_module(module)  # each registers its operations
RESPONSES = sorted({op.response for op in OPERATIONS if op.response is not None},
                   key=lambda cls: cls.__name__)
SCHEMA_AND_OBJECTS = st.sampled_from(RESPONSES).flatmap(lambda cls: st.tuples(
    st.just(cls), st.lists(object_of(shared_schema(cls)), min_size=1, max_size=3)))


def outcome(dump, *args, **kwargs):
    """What a dump gives as JSON (where 1 and true differ), or the kind of error it raises (a
    dict without an `items` key hands marshmallow the dict's own method, which neither can
    dump)."""
    try:
        return "gave", json.dumps(dump(*args, **kwargs), sort_keys=True, default=repr)
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return "raised", type(error)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCHEMA_AND_OBJECTS)
def test_every_response_dumps_as_marshmallow_dumps_it(schema_and_objects):
    cls, objects = schema_and_objects
    assert (outcome(dumper(cls).dump, objects, many=True)
            == outcome(shared_schema(cls, many=True).dump, objects))
    assert outcome(dumper(cls).dump, objects[0]) == outcome(shared_schema(cls).dump, objects[0])


def test_the_lists_and_the_records_are_dumped_without_marshmallows_layers():
    assert RESPONSES and all(dumper(cls).plan is not None for cls in RESPONSES)


def test_a_schema_with_a_dump_hook_is_left_to_marshmallow():
    from marshmallow import Schema, post_dump

    class Shouting(Schema):
        name = fields.String()

        @post_dump
        def shout(self, data, **kwargs):
            return {key: value.upper() for key, value in data.items()}

    shouting = Dumper(Shouting())
    assert shouting.plan is None and shouting.dump({"name": "amina"}) == {"name": "AMINA"}
