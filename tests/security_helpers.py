"""Helpers for the security tests: stolen cookies, database snapshots, example URLs, forms."""
import re
from urllib.parse import urlencode

from flask import url_for
from werkzeug.routing import IntegerConverter

from r2pnet.models import MODELS
from tests.helpers import post_form, soup

REMEMBER_COOKIE = "remember_token"
SESSION_COOKIE = "session"

# The routes an anonymous visitor may open (QUALITY.md's allow-list for the foundation).
PUBLIC_ENDPOINTS = {
    "static", "bootstrap.static", "web.healthz",
    "accounts.login", "accounts.setup", "accounts.accept_invitation",
    "accounts.reset_request", "accounts.reset_password",
    "knowledge.browse_lessons", "knowledge.lesson_page", "knowledge.feed",
    "knowledge.download_attachment", "digests.unsubscribe",
}


def cookie_value(client, name):
    """The value of a cookie the client holds (it must hold it)."""
    cookie = client.get_cookie(name)
    assert cookie is not None, f"the client holds no {name} cookie"
    return cookie.value


def browser_with(app, **cookies):
    """A fresh test client holding only the given cookies, as a thief's browser would."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def is_signed_in(client):
    """True when the client's cookies open a page that needs a session."""
    response = client.get("/profile/password")
    if response.status_code == 200:
        return True
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith("/login"), response.headers["Location"]
    return False


def database_snapshot():
    """Every row of every table, to show that a request changed nothing."""
    return {model.__name__: sorted(repr(sorted(row.items())) for row in model.select().dicts())
            for model in MODELS}


def example_url(app, rule, **values):
    """A URL for a rule: the given values, else 1 for numbers and 'example' for strings."""
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        elif name in (rule.defaults or {}):
            continue  # fixed by the rule itself (/network is the space "network")
        elif isinstance(rule._converters[name], IntegerConverter):
            args[name] = 1
        else:
            args[name] = "example"
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def rules_with(app, method):
    """The URL rules that accept an HTTP method, in a stable order."""
    return sorted((rule for rule in app.url_map.iter_rules() if method in rule.methods),
                  key=lambda rule: rule.rule)


def without_tokens(html):
    """A page with its per-session CSRF tokens blanked, so two answers can be compared."""
    return re.sub(r'(name="csrf[-_]token"\s+(?:content|value)=")[^"]*"', r'\1"', html)


def alert_text(response):
    """The text of the page's error messages (form-wide and next to fields)."""
    return " ".join(tag.get_text(" ", strip=True)
                    for tag in soup(response).select("[role=alert], .invalid-feedback"))


def sign_in(client, email, password, remember=False, next_url=None):
    """POST the login form (optionally with ?next=)."""
    path = "/login" if next_url is None else "/login?" + urlencode({"next": next_url})
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return post_form(client, path, data)

