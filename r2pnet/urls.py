"""Links built from a remembered shape: a page of 50 posts asks for hundreds of them, and
werkzeug matches and builds each one from scratch (a third of a thread page's time).

The first link for an endpoint with a given set of argument names and types is built by Flask
with marker values; the result, with the markers turned into fields, is the shape every later
link of that kind is formatted from. Only what builds the same either way takes the short path:
links without arguments, and path and query arguments (no anchor, method, scheme or external
link), of endpoints whose rules have no defaults (a default makes the rule depend on the
value), integers that are not negative, text that needs no escaping, and lists of them (a
list's length is part of its shape). Anything else, or a link that fails to build, goes to
Flask as before.
"""
import re

from flask import Flask
from flask.globals import _cv_request

from r2pnet.templating import Environment

PLAIN_TEXT = re.compile(r"[A-Za-z0-9_.~/-]+\Z")
INT_MARKER, TEXT_MARKER = 7_000_000_000_000_000, "r2pnetmarker"
NO_SHAPE = ""
SYNC_ANSWERS = 1024


def _plain(value):
    kind = type(value)
    if kind is list:
        return all(_plain_item(item) for item in value)
    return _plain_item(value)


def _plain_item(value):
    kind = type(value)
    return (kind is int and value >= 0) or (kind is str and PLAIN_TEXT.match(value) is not None)


def _kind(value):
    """What a link's shape depends on of a value: its type, and a list's length."""
    return (list, len(value)) if type(value) is list else type(value)


class App(Flask):
    """Flask with remembered link shapes (see the module's docstring), sync answers and one
    dict of template globals (r2pnet/templating.py)."""

    jinja_environment = Environment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._link_shapes = {}
        self._sync = {}

    def ensure_sync(self, func):
        """Flask's ensure_sync, its answer kept per function: each request calls it for every
        hook and view (about 13), and each call asks inspect whether the function is async."""
        try:
            return self._sync[func]
        except (KeyError, TypeError):
            synced = super().ensure_sync(func)
            if len(self._sync) < SYNC_ANSWERS:  # bounded: after_this_request adds closures
                try:
                    self._sync[func] = synced
                except TypeError:  # an unhashable callable: asked again each time
                    pass
            return synced

    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None, _external=None,
                **values):
        """Flask's url_for, from a remembered shape when it is sure to build the same."""
        request_context = _cv_request.get(None)
        if (request_context is None or _anchor is not None or _method is not None
                or _scheme is not None or _external or endpoint[:1] == "."
                or self.url_default_functions):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        key = (request_context.request.script_root, endpoint,
               tuple((name, _kind(value)) for name, value in values.items()))
        shape = self._link_shapes.get(key)
        if shape is None:
            shape = self._link_shapes[key] = self._shape(endpoint, values)
        if shape and all(_plain(value) for value in values.values()):
            return shape.format_map(values)
        return super().url_for(endpoint, **values)

    def _shape(self, endpoint, values):
        """The link with a {name} field per argument, or NO_SHAPE when it cannot have one."""
        if any(rule.defaults for rule in self.url_map.iter_rules(endpoint)):
            return NO_SHAPE
        markers, fields = {}, {}
        number = iter(range(10**6))
        for name, value in values.items():
            items = value if type(value) is list else [value]
            if not all(type(item) in (int, str) for item in items):
                return NO_SHAPE
            marked = [INT_MARKER + next(number) if type(item) is int
                      else f"{TEXT_MARKER}{next(number)}x" for item in items]
            markers[name] = marked if type(value) is list else marked[0]
            # A list's items are formatted as {name[0]}, {name[1]}...
            fields.update((str(marker), f"{{{name}[{n}]}}" if type(value) is list
                           else f"{{{name}}}") for n, marker in enumerate(marked))
        try:
            built = super().url_for(endpoint, **markers)
        except Exception:  # noqa: BLE001 - any failure: Flask builds (and reports) it each time
            return NO_SHAPE
        if "{" in built or "}" in built:
            return NO_SHAPE
        for marker, field in fields.items():
            if built.count(marker) != 1:
                return NO_SHAPE
            built = built.replace(marker, field)
        return built
