"""Lists paged by cursor: keyset pagination in a stable order, whatever is added meanwhile."""
import base64
import binascii
import dataclasses
import datetime as dt
import functools
import json
import operator

from marshmallow import fields, validate

from r2pnet.api.problems import Problem
from r2pnet.api.schemas import ApiSchema

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


# --- cursors -----------------------------------------------------------------------------

class CursorSchema(ApiSchema):
    """The paging parameters every list takes."""

    cursor = fields.String(load_default=None, validate=validate.Length(1, 200), metadata={
        "description": "Opaque: the next_cursor of the previous page."})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(
        1, MAX_LIMIT, error=f"Use a limit from 1 to {MAX_LIMIT}."))


@dataclasses.dataclass
class Page:
    """One page of a list; `dumped`: its items are the response schema's output already."""

    items: list
    next_cursor: str | None
    dumped: bool = False


def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _storable(text):
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


def decode_cursor(cursor, size):
    """The key values a cursor carries: a list of `size` scalars, else 422."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        values = None
    if (not isinstance(values, list) or len(values) != size
            or not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values)
            or any(isinstance(v, int) and not -2**63 < v < 2**63 for v in values)
            or any(isinstance(v, str) and not _storable(v) for v in values)):
        raise Problem(422, "The cursor is not valid: start again from the first page.",
                      {"cursor": ["Not a cursor this list gave out."]})
    return values


def paginate(query, id_field, limit, cursor, descending=True, row=None):
    """Keyset pagination on a unique id: a stable order, whatever is added meanwhile."""
    rows, next_cursor = keyset_page(query, [Key(id_field, descending)], "id", limit, cursor,
                                    row)
    return Page(rows, next_cursor)


# --- keyset paging on several columns --------------------------------------------------------

@dataclasses.dataclass
class Key:
    """One column of a list order: the cursor carries its value for the last row."""

    field: object
    descending: bool
    kind: str = "int"  # int, bool, time or str
    name: str | None = None  # the row attribute holding the value, if not the field's name

    @property
    def attribute(self):
        return self.name or self.field.name


def _cursor_value(key, value):
    if key.kind == "bool":
        return int(bool(value))
    if key.kind == "time":
        return value.isoformat()
    return value


def _from_cursor(key, value):
    if key.kind == "bool" and value in (0, 1):
        return bool(value)
    if key.kind in ("int", "str") and isinstance(value, int if key.kind == "int" else str):
        return value
    if key.kind == "time" and isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            return parsed
    raise Problem(422, "The cursor is not valid: start again from the first page.",
                  {"cursor": ["Not a cursor this list gave out."]})


def cursor_of(keys, tag, row):
    """The cursor that continues after `row`."""
    return encode_cursor([tag] + [_cursor_value(k, getattr(row, k.attribute)) for k in keys])


def after_cursor(keys, tag, cursor):
    """The condition "comes after the cursor's row" in the order `keys`, or None."""
    values = decode_cursor(cursor, len(keys) + 1)
    if values is None:
        return None
    if values[0] != tag:
        raise Problem(422, "This cursor belongs to another order: start again from the first "
                           "page.", {"cursor": ["Not a cursor of this order."]})
    values = [_from_cursor(k, v) for k, v in zip(keys, values[1:], strict=True)]
    clauses = []
    for i, key in enumerate(keys):
        beyond = key.field < values[i] if key.descending else key.field > values[i]
        same = [k.field == v for k, v in zip(keys[:i], values[:i], strict=True)]
        clauses.append(functools.reduce(operator.and_, [*same, beyond]))
    return functools.reduce(operator.or_, clauses)


def keyset_page(query, keys, tag, limit, cursor, row=None):
    """(rows, next cursor): one page of `query` in the order `keys`, after `cursor`; `row`,
    when given, makes each row from the query's plain tuple of values."""
    condition = after_cursor(keys, tag, cursor)
    if condition is not None:
        query = query.where(condition)
    order = [k.field.desc() if k.descending else k.field.asc() for k in keys]
    query = query.order_by(*order).limit(limit + 1)
    rows = [row(values) for values in query.tuples()] if row else list(query)
    next_cursor = cursor_of(keys, tag, rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
