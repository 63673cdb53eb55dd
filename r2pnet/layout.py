"""The layout every signed-in page shares, its navigation bar kept per process.

The bar (about ten links, the member's name, the sign-out form) was written anew on every
page. It is kept under a key holding all it shows: the app's path, the page's endpoint (the
active link), the member's id and name, and the links their rights give. The sign-out form's
CSRF token differs per session, so it is written into the kept bar on each page.

The token itself is the session's secret signed by Flask-WTF, which took a signature (HMAC,
base64, JSON) on every page. Tokens have no time limit (WTF_CSRF_TIME_LIMIT is None: one is
good for its session), so the signed form of a session's secret is kept per process and
given to Flask-WTF for the request.
"""
from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from r2pnet import fragments
from r2pnet.catalogue import Memo

TOKEN_SLOT = "\x00csrf-token\x00"  # where the kept bar takes the page's token
SIGNED_TOKENS = 4096  # per process, least recently used out first
_signed_tokens = Memo(SIGNED_TOKENS)  # (signing key, the session's secret) -> signed token


def init_app(app):
    """Templates write the signed-in member's bar with `navigation_bar()`, and the page's
    CSRF token with `csrf_token()` (in place of Flask-WTF's)."""
    app.jinja_env.globals.update(navigation_bar=navigation_bar, csrf_token=csrf_token,
                                 page_styles=page_styles, page_scripts=page_scripts)
    # Flask-WTF also puts its own into every template's context: this one, later, wins.
    app.context_processor(lambda: {"csrf_token": csrf_token})


def page_styles():
    """Bootstrap's and our stylesheets and the icon: the same on every page of a deployment."""
    return Markup(fragments.kept(("page styles", *_assets_key()), _render_assets, "styles"))


def page_scripts():
    """Bootstrap's and our scripts: the same on every page of a deployment."""
    return Markup(fragments.kept(("page scripts", *_assets_key()), _render_assets, "scripts"))


def _assets_key():
    config = current_app.config
    return (request.script_root, current_app.static_url_path, config["BOOTSTRAP_SERVE_LOCAL"],
            config["BOOTSTRAP_BOOTSWATCH_THEME"])


def _render_assets(part):
    return str(getattr(fragments.macros("_assets.html"), part)())


def csrf_token():
    """The page's CSRF token, as Flask-WTF's generate_csrf gives it, signed once per session."""
    config = current_app.config
    name = config["WTF_CSRF_FIELD_NAME"]
    if name not in g and config["WTF_CSRF_TIME_LIMIT"] is None:
        if name in session:
            setattr(g, name, _signed_tokens.get(_token_key(name), generate_csrf))
        else:
            # The session's secret is made and signed now: its later pages use this token too
            # (signed again a second later, it would differ).
            generate_csrf()
            _signed_tokens.get(_token_key(name), getattr, g, name)
    return generate_csrf()


def _token_key(name):
    config = current_app.config
    return config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, session[name]


def navigation_bar():
    """The navigation bar's contents for the signed-in member, with this page's CSRF token."""
    from r2pnet.web import navigation_links
    links = tuple(navigation_links())
    member, endpoint = current_user._get_current_object(), request.endpoint
    key = ("navigation bar", request.script_root, endpoint, member.id, member.name, links)
    kept = fragments.kept(key, _render, links, endpoint, member.id, member.name)
    return Markup(kept.replace(TOKEN_SLOT, escape(csrf_token())))


def _render(links, endpoint, member_id, member_name):
    bar = fragments.macros("_navigation.html").bar
    return str(bar(links, endpoint, member_id, member_name, TOKEN_SLOT))
