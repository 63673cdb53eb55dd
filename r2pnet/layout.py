"""The layout every signed-in page shares, its navigation bar kept per process.

The bar (about ten links, the member's name, the sign-out form) was written anew on every
page. It is kept under a key holding all it shows: the app's path, the page's endpoint (the
active link), the member's id and name, and the links their rights give. The sign-out form's
CSRF token differs per session and in time, so it is written into the kept bar on each page.
"""
from flask import request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from r2pnet import fragments

TOKEN_SLOT = "\x00csrf-token\x00"  # where the kept bar takes the page's token


def init_app(app):
    """Templates write the signed-in member's bar with `navigation_bar()`."""
    app.jinja_env.globals.update(navigation_bar=navigation_bar)


def navigation_bar():
    """The navigation bar's contents for the signed-in member, with this page's CSRF token."""
    from r2pnet.web import navigation_links
    links = tuple(navigation_links())
    member, endpoint = current_user._get_current_object(), request.endpoint
    key = ("navigation bar", request.script_root, endpoint, member.id, member.name, links)
    kept = fragments.kept(key, _render, links, endpoint, member.id, member.name)
    return Markup(kept.replace(TOKEN_SLOT, escape(generate_csrf())))


def _render(links, endpoint, member_id, member_name):
    bar = fragments.macros("_navigation.html").bar
    return str(bar(links, endpoint, member_id, member_name, TOKEN_SLOT))
