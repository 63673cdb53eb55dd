"""What a send run shares between digests: lists read once for members who may see the same
items (`Viewer`), and the SQL of the queries every digest runs, built once (`Shared`).

Whatever a digest takes from lists read for an earlier member is checked again against that
member's `visible_to` before it is sent (compose._still_visible), unless every such list was
read at the catalogue versions the digest's claim read (nothing that decides who may see a
lesson, thread or deliberation has been written since).
"""
from dataclasses import dataclass

from r2pnet import permissions, statements


@dataclass(frozen=True)
class Viewer:
    """What decides what a member may see: members with equal viewers see the same items.

    Stands in for the member in `visible_to` when lists are shared. Its id is 0, the author
    of nothing, so what a member may read only as its author is never shared.
    """

    role: str
    region_id: int | None
    moderated: frozenset

    id = 0
    is_authenticated = True
    is_anonymous = False
    is_active = True

    @property
    def _moderated_region_ids(self):
        return self.moderated  # read by permissions.moderated_region_ids


def viewer_of(member):
    return Viewer(member.role, member.region_id, permissions.moderated_region_ids(member))


class Shared:
    """Lists read once per send run and shared by the members who may see the same items.

    Also keeps the SQL of the queries every digest runs, built once (peewee spends far longer
    building a statement than the database spends answering it); they still run each time.
    """

    def __init__(self, many=True):
        self.many = many  # False for one digest: nothing to share, so read only what it needs
        self._lists = {}
        self._statements = {}
        self._compose = 0  # which compose is running; lists read by an earlier one are rechecked
        self._catalogues = None
        self.reused = False

    def start(self, catalogues=None):
        """A new digest; `catalogues`: the catalogue versions read before its lists (None:
        unknown, so any list read by an earlier digest is checked again)."""
        self._compose += 1
        self._catalogues = catalogues
        self.reused = False

    def get(self, key, read):
        """The list under `key`, read with `read()` the first time.

        `reused` turns true when the list was read for an earlier digest at other (or unknown)
        catalogue versions: what it holds must be checked again for this member."""
        if key in self._lists:
            made_by, catalogues, value = self._lists[key]
            self.reused = self.reused or (made_by != self._compose and (
                catalogues is None or catalogues != self._catalogues))
            return value
        value = read()
        self._lists[key] = (self._compose, self._catalogues, value)
        return value

    def clear(self):
        self._lists.clear()

    def run(self, key, build, *values):
        """Run `build(*values)` now, its SQL built once per `key`; for a select (or a write
        with RETURNING) its rows as the query returns them, else the number of rows changed.

        `values` must be the only parameters that differ between runs under one key, each
        used as it is (compared or assigned, never computed on): the SQL is built from
        stand-ins for them, which are then replaced by the values of each run.
        """
        return statements.execute(self._statement(key, build, values), values)

    def rows(self, key, build, *values):
        """`run` for a statement returning rows, as the database returns them: tuples of
        unconverted values, in the order selected (no peewee row conversion, which resolves
        the columns of every result anew)."""
        return statements.execute(self._statement(key, build, values), values, raw=True)

    def _statement(self, key, build, values):
        statement = self._statements.get(key)
        if statement is None:
            statement = self._statements[key] = statements.build_once(build, values)
        return statement
