"""HTML fragments (and the API list's dumped items) kept per process under keys that hold
everything they show.

A list page writes the same card for each of its items on every visit: 50 post cards or 20
lesson cards ask for links, local times and escaping each time, most of such a page's time.
A fragment is kept under a key holding every value it shows, with the reader's time zone and
the app's path (`place()`), so an edit, a renamed author or another reader's rights make a new
key instead of needing the old fragment to be forgotten. Least recently used go first.

Only the macros' arguments may vary what a fragment's macro writes: nothing it calls may read
the request, the session or the signed-in member except through the time zone in the key.
"""
from flask import current_app, request

from r2pnet.catalogue import Memo
from r2pnet.web import viewer_zone

FRAGMENTS_KEPT = 4096  # per process: a few kB each
_memo = Memo(FRAGMENTS_KEPT)


def macros(template_name):
    """The macros of a fragments template."""
    return current_app.jinja_env.get_template(template_name).module


def place():
    """What every fragment's key holds besides its values: the app's path and time zone."""
    return request.script_root, str(viewer_zone())


def kept(key, render, *args):
    """`render(*args)`, kept under `key` (which must hold every value it shows)."""
    return _memo.get(key, render, *args)


def forget():
    """Drop every kept fragment (the next visits write them again)."""
    _memo.clear()
