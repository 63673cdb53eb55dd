"""Statements run on every request, their SQL built once per process instead of each time.

Peewee builds a statement's SQL by walking its expression tree on every execution: about 1 ms
for a select of a wide table, more than the database takes to answer it. `run` builds the
SQL once per key and engine, from stand-in values, then runs it with each call's values:

    run("member by id", lambda member_id: Member.select().where(Member.id == member_id), 7)

Each value must be used as it is (compared or assigned, never computed on), and the query
built must not depend on anything but the values: the same key always means the same SQL.
"""
import datetime as dt

from peewee import SelectBase

from r2pnet.extensions import db

_built = {}  # (key, engine class) -> (query, sql, [(slot, fixed parameter)])


def run(key, build, *values):
    """Run `build(*values)`: a select's rows (as the query returns them), else the row count."""
    engine = type(db.obj)
    statement = _built.get((key, engine))
    if statement is None:
        statement = _built[(key, engine)] = _build(build, values)
    query, sql, params = statement
    cursor = db.execute_sql(sql, [fixed if slot is None else values[slot]
                                  for slot, fixed in params])
    if isinstance(query, SelectBase):
        return list(query._get_cursor_wrapper(cursor))  # peewee's own row conversion
    return cursor.rowcount


def _build(build, values):
    marks = [_stand_in(value, n) for n, value in enumerate(values)]
    query = build(*marks)
    sql, params = query.sql()
    slots = {mark: n for n, mark in enumerate(marks)}
    found = [slots.get(param) if _hashable(param) else None for param in params]
    if {slot for slot in found if slot is not None} != set(range(len(marks))):
        raise ValueError("every value must appear in the SQL as it is")
    return query, sql, [(slot, None if slot is not None else param)
                        for slot, param in zip(found, params, strict=True)]


def _stand_in(value, n):
    """A parameter value no real one equals, of the type of `value`."""
    if isinstance(value, dt.datetime):
        return dt.datetime(1000 + n, 1, 1, 0, 0, 7)
    if isinstance(value, int) and not isinstance(value, bool):
        return -987_654_321_000 - n
    if isinstance(value, str):
        return f"\x00stand-in {n}"
    raise TypeError(f"no stand-in for {value!r}")


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True
