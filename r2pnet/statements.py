"""Statements run on every request, their SQL built once per process instead of each time.

Peewee builds a statement's SQL by walking its expression tree on every execution: about 1 ms
for a select of a wide table, more than the database takes to answer it. `run` builds the
SQL once per key and engine, from stand-in values, then runs it with each call's values:

    run("member by id", lambda member_id: Member.select().where(Member.id == member_id), 7)

Each value must be used as it is (compared or assigned, never computed on), and the query
built must not depend on anything but the values: the same key always means the same SQL.
A value may also be None (built into the SQL, as `IS NULL` for instance) or a tuple of
values (`IN (...)`): the SQL is then built once per key, engine and tuple length.

`run_kept` also skips peewee's conversion of rows it has converted before (the signed-in
member, read on every request): the statement runs each time, and a result whose raw rows are
the same as a kept one's gets fresh copies of the kept models.
"""
import datetime as dt

from peewee import Model, SelectBase

from r2pnet.catalogue import Memo
from r2pnet.extensions import db, is_postgres

_built = {}  # (key, engine class) -> (query, sql, [(slot, fixed parameter)], primed)
# The longest tuple a caller should pass: each length is a statement kept for the process, so
# lists of ids longer than a page (an export's) are better built each time.
MAX_LISTED = 100
# Distinct raw results `run_kept` keeps converted, per process, least recently used out first.
KEPT_RESULTS = 1024
_kept_results = Memo(KEPT_RESULTS)  # (key, engine class, raw rows) -> converted rows


def run(key, build, *values, raw=False, planned_each_time=False):
    """Run `build(*values)`: a select's rows (or a write's RETURNING rows) as the query
    returns them (`raw`: as `execute` gives them), else the number of rows changed.

    `planned_each_time`: PostgreSQL plans each run for its values, never keeping a plan (a
    search, whose best plan depends on how many documents hold its words).
    """
    return execute(_statement(key, build, values)[1], values, raw, planned_each_time)


def run_kept(key, build, *values):
    """`run` for a select of model rows read on every request that seldom change (the
    signed-in member): the rows are converted once per distinct raw result, which is read
    every time, and each call gets its own copies of the models."""
    cache_key, statement = _statement(key, build, values)
    cursor = _cursor(statement, values)
    rows = tuple(cursor.fetchall())

    def convert():
        return _converted(statement[0], _Replay(rows, cursor.description), statement[3])

    try:
        hash(rows)
    except TypeError:  # a value that cannot be a key (a list from an array column)
        return convert()
    return [_copied(model) for model in _kept_results.get((cache_key, rows), convert)]


def _statement(key, build, values):
    """(its cache key, the statement from `build_once`), built at the first call."""
    # A tuple's length, or whether the value is None: "null" (True would equal a length of 1).
    shape = tuple(len(value) if type(value) is tuple else "null" if value is None else ""
                  for value in values)
    cache_key = (key, type(db.obj), shape)
    statement = _built.get(cache_key)
    if statement is None:
        statement = _built[cache_key] = build_once(build, values)
    return cache_key, statement


def build_once(build, values):
    """(query, SQL, parameters, primed) of `build(*values)`, for `execute` with any values of
    that shape (a caller that keeps statements for less than the process keeps its own)."""
    count = iter(range(10**6))
    marks = [tuple(_stand_in(item, next(count)) for item in value) if type(value) is tuple
             else None if value is None else _stand_in(value, next(count)) for value in values]
    query = build(*marks)
    sql, params = query.sql()
    slots = {mark: n for n, mark in enumerate(_flatten(marks))}
    found = [slots.get(param) if _hashable(param) else None for param in params]
    if {slot for slot in found if slot is not None} != set(range(len(slots))):
        raise ValueError("every value must appear in the SQL as it is")
    return query, sql, [(slot, None if slot is not None else param)
                        for slot, param in zip(found, params, strict=True)], {}


def execute(statement, values, raw=False, planned_each_time=False):
    """Run a statement from `build_once` with these values (see `run`); `raw`: its rows as
    the driver returns them, tuples in the order selected, without peewee's row conversion."""
    query, _, _, primed = statement
    cursor = _cursor(statement, values, planned_each_time)
    if raw:
        return cursor.fetchall()
    if isinstance(query, SelectBase) or getattr(query, "_returning", None):
        return _converted(query, cursor, primed)
    return cursor.rowcount


def _cursor(statement, values, planned_each_time=False):
    """The statement run with these values."""
    _, sql, params, _ = statement
    flat = _flatten(values)
    arguments = [fixed if slot is None else flat[slot] for slot, fixed in params]
    # PostgreSQL: prepared, so its plan may be kept (r2pnet/extensions.py make_database).
    return (db.execute_prepared(sql, arguments) if is_postgres() and not planned_each_time
            else db.execute_sql(sql, arguments))


# A cursor wrapper's state that belongs to one run; the rest is resolved from the query and
# the cursor's description, which are the same at every run of one statement.
_PER_RUN = frozenset({"cursor", "count", "index", "populated", "row_cache"})


def _converted(query, cursor, primed):
    """The rows as peewee converts them, its columns resolved at the statement's first run
    with rows and reused: resolving them anew took more than the conversion itself."""
    wrapper = query._get_cursor_wrapper(cursor)
    if primed:
        vars(wrapper).update(primed)
    rows = list(wrapper)
    if not primed and wrapper.initialized:
        primed.update((name, value) for name, value in vars(wrapper).items()
                      if name not in _PER_RUN)
    return rows


class _Replay:
    """A cursor over rows already fetched, for peewee's cursor wrapper to convert."""

    def __init__(self, rows, description):
        self._rows = iter(rows)
        self.description = description

    def fetchone(self):
        return next(self._rows, None)

    def close(self):
        pass


def _copied(model):
    """A model of its own, with what `model` holds (lists copied, joined models copied)."""
    copy = model.__class__.__new__(model.__class__)
    copy.__dict__.update(model.__dict__)
    copy.__data__ = {name: list(value) if type(value) is list else value
                     for name, value in model.__data__.items()}
    copy._dirty = set(model._dirty)
    copy.__rel__ = {name: _copied(joined) if isinstance(joined, Model) else joined
                    for name, joined in model.__rel__.items()}
    return copy


def _flatten(values):
    """The values in slot order: a tuple's items each take a slot; None takes none."""
    flat = []
    for value in values:
        if type(value) is tuple:
            flat.extend(value)
        elif value is not None:
            flat.append(value)
    return flat


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
