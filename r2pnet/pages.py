"""Whole pages (and API lists) kept per process for the session that asked, until anything
they could show changes.

Pages are read far more often than anything changes: a moderator reopens the thread they
moderate, a focal point goes back to the lessons they browsed. A kept page is answered with
the signed-in member's statement alone, which brings the catalogue versions
(r2pnet/catalogue.py): the "pages" version moves with every write to any table a page shows
(migration 0018, in the writer's transaction). Its key holds everything else a page depends
on:

- the app, its address (BASE_URL, for the API's links), the scheme and host, and the whole
  request line (path and query);
- the reader: their member id and the session's CSRF secret (the page's forms carry the
  session's token), or their API token;
- the "pages" version, read in the request's first statement, before the page's data: a
  write committed in between moves it on, so the next request writes the page again;
- the second it was written in: what a page shows of the time (an upcoming deliberation,
  "today") is never older than the second.

A request whose session holds flashed messages is neither answered from nor kept (the
messages are shown once). Only complete 200 answers whose views did not change the session
are kept. Least recently used go first, within KEPT_PAGES_MB per process (0: none kept).
"""
import functools
import threading
import time
from collections import OrderedDict

from flask import current_app, g, make_response, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from r2pnet.catalogue import versions

MEGABYTE = 1024 * 1024
LARGEST = MEGABYTE  # a page larger than this is not kept
CATALOGUE = "pages"
KEPT_TYPES = ("text/html", "application/json")


class _Kept:
    """Pages by key, least recently used out first once their bodies pass a byte budget."""

    def __init__(self):
        self.size = 0
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        try:
            item = self._items[key]
            self._items.move_to_end(key)
            return item
        except KeyError:  # never kept, or dropped by another thread in between
            return None

    def put(self, key, item, budget):
        """Keep `item` (status, headers, body), then drop the oldest past `budget` bytes."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old[2])
            self._items[key] = item
            self.size += len(item[2])
            while self.size > budget and self._items:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped[2])

    def clear(self):
        with self._lock:
            self._items.clear()
            self.size = 0


_kept = _Kept()


def kept(view):
    """A view whose answers are kept for its reader while nothing they show changes."""
    @functools.wraps(view)
    def keeping(*args, **kwargs):
        return answer(lambda: view(*args, **kwargs))
    return keeping


def answer(respond):
    """The response kept for this request's key, else `respond()`'s, kept when it may be."""
    key = _key()
    if key is None:
        return respond()
    found = _kept.get(key)
    if found is not None:
        status, headers, body = found
        return Response(body, status=status, headers=headers)
    response = make_response(respond())
    if _keepable(response):
        body = response.get_data()
        if len(body) <= LARGEST:
            _kept.put(key, (response.status_code, list(response.headers.items()), body),
                      current_app.config["KEPT_PAGES_MB"] * MEGABYTE)
    return response


def _key():
    """What a kept answer to this request depends on, or None when it may not be kept."""
    if (request.method != "GET" or not current_app.config["KEPT_PAGES_MB"]
            or not current_user.is_authenticated):
        return None
    token = g.get("api_token")
    if token is not None:
        reader = ("token", token.id)
    else:
        secret = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
        if secret is None or "_flashes" in session:
            return None
        reader = ("session", secret)
    return (id(current_app), current_app.config["BASE_URL"], request.scheme, request.host,
            request.script_root, request.path,
            request.query_string, current_user.id, reader, versions()[CATALOGUE],
            int(time.time()))


def _keepable(response):
    """A complete 200 answer of a kept type, from a view that left the session as it was."""
    return (response.status_code == 200 and not response.direct_passthrough
            and not response.is_streamed and response.mimetype in KEPT_TYPES
            and "Set-Cookie" not in response.headers and not session.modified)


def forget():
    """Drop every kept page (the next visits write them again)."""
    _kept.clear()
