"""What pages compute from many lessons or posts, kept per process until they change.

Facet counts, the rendered filter column and a search's ranked matches take statements over
every lesson or post a filter or search finds (tens of milliseconds at 20,000 lessons) and
change only when those do. Triggers (migration 0014) move a catalogue's counter on in the
transaction of every write that could change them: "lessons" (lessons published, edited,
moved or deleted; their terms and words; region keys) and "discussions" (threads and replies
written, moved or hidden; their titles and words). A page reads the version first and then, on
a miss, the data: a write committed in between is newer than the version it is kept under,
so the next request computes again. What a page shows of each item (titles, names, counts)
is still read fresh, by id and through the visibility rule.

Keys always hold the reader's scope (`Lesson.reader_scope`), so nothing computed for one reader
is shown to another who may see less. The version's `generation` is drawn with the database,
so a key never outlives the database it was computed from.
"""
import threading
from collections import OrderedDict

from flask import g
from peewee import SQL

from r2pnet.extensions import db, is_postgres

# In the primary key's order, so PostgreSQL reads it through that index: every write moves a
# counter, and a bulk write leaves the table's four rows spread over thousands of pages that a
# plain scan reads (10 MB after generating the benchmark network: 0.2 ms a page, 0.01 now).
VERSIONS_SQL = "SELECT name, generation, counter FROM catalogue_version ORDER BY name"
MEMO_SIZE = 512  # entries per process; a facet column is a few kilobytes


# The versions as one text column of another statement (a signed-in page's first, which reads
# the member or the API token): on PostgreSQL that is a round trip fewer for every such page.
_VERSIONS_COLUMN = ("(SELECT {aggregate}(name || ' ' || generation || ' ' || counter, ',') "
                    f"FROM ({VERSIONS_SQL}) AS versions)")


def with_versions(query):
    """`query` with the catalogue versions as one more column, `catalogue_versions`."""
    aggregate = "string_agg" if is_postgres() else "group_concat"
    return query.select_extend(SQL(_VERSIONS_COLUMN.format(aggregate=aggregate))
                               .alias("catalogue_versions"))


def remember(text):
    """Take the versions a request's first statement brought (`with_versions`), unless this
    request has read them already."""
    if text is not None and "catalogue_versions" not in g:
        g.catalogue_versions = _parsed.get(text, _versions_of, text)


def _versions_of(text):
    """{catalogue: (generation, counter)} of "name generation counter,..."."""
    found = {}
    for row in text.split(","):
        name, generation, counter = row.split(" ")
        found[name] = (generation, int(counter))
    return found


def versions():
    """{catalogue: (generation, counter)}, read once per request."""
    if "catalogue_versions" not in g:
        # Prepared on PostgreSQL, so its plan is kept (it has no values to be planned for).
        cursor = (db.execute_prepared(VERSIONS_SQL, ()) if is_postgres()
                  else db.execute_sql(VERSIONS_SQL))
        g.catalogue_versions = {name: (generation, counter)
                                for name, generation, counter in cursor.fetchall()}
    return g.catalogue_versions


class Memo:
    """A bounded mapping, least recently used first out (one per process, shared by threads)."""

    def __init__(self, size):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, compute, *args):
        """The value kept for `key`, else `compute(*args)` kept for next time."""
        # A hit takes no lock: each OrderedDict operation is one step under the GIL, and a key
        # dropped by another thread in between is a miss (a page asks up to a hundred times).
        try:
            value = self._items[key]
            self._items.move_to_end(key)
            return value
        except KeyError:
            pass
        value = compute(*args)
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._items.clear()


_memo = Memo(MEMO_SIZE)
_parsed = Memo(16)  # versions texts (`remember`) -> {catalogue: (generation, counter)}


def kept(catalogues, key, compute):
    """`compute()`, or what it gave for `key` in this process while none of `catalogues`
    ("lessons", "discussions") has changed since."""
    current = versions()
    return _memo.get((tuple(current[name] for name in catalogues), key), compute)


def kept_items(keep, key, choose, read_by_id, marks=()):
    """(items, *details) as `choose()` gives them now, or, when `keep(key, compute)` kept its
    choice, the same items read again by `read_by_id(ids)` in the kept order, with the same
    details and the kept `marks` (attributes such as a search snippet). Without `keep`,
    `choose()`.
    """
    if keep is None:
        return choose()
    chosen_now = []

    def remember():
        items, *details = choose()
        chosen_now.append(items)
        return ([item.id for item in items], details,
                {item.id: {mark: getattr(item, mark) for mark in marks if hasattr(item, mark)}
                 for item in items})

    ids, details, shown = keep(key, remember)
    if chosen_now:
        return (chosen_now[0], *details)
    place = {item_id: n for n, item_id in enumerate(ids)}
    items = sorted(read_by_id(ids), key=lambda item: place[item.id]) if ids else []
    for item in items:
        for mark, value in shown[item.id].items():
            setattr(item, mark, value)
    return (items, *details)


def frozen(values):
    """A mapping of filter values as part of a key: lists become tuples, in a fixed order."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))


def forget():
    """Drop everything kept in this process (the next visits compute again)."""
    _memo.clear()
