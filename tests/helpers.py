"""Helpers for tests: reading mail and pages, posting forms with CSRF, counting SQL."""
import logging
import re
import threading
from email import message_from_bytes, policy

from bs4 import BeautifulSoup

from r2pnet.members.models import Region

PASSWORD = "correct horse battery staple"


def region(key):
    """A seeded region by key."""
    return Region.get(Region.key == key)


def text_of(msg):
    """The plain-text part of a message."""
    return msg.get_body(("plain",)).get_content()


def html_of(msg):
    """The HTML part of a message."""
    return msg.get_body(("html",)).get_content()


def link_in(msg, path_prefix):
    """The first absolute link in the text part whose path starts with path_prefix."""
    match = re.search(r"https?://[^\s/]+(" + re.escape(path_prefix) + r"[^\s]*)", text_of(msg))
    assert match, f"no {path_prefix} link in:\n{text_of(msg)}"
    return match.group(1)


def csrf_token(client, path="/login"):
    """A valid CSRF token for this client's session, read from a page's meta tag."""
    page = client.get(path)
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    tag = soup.find("meta", attrs={"name": "csrf-token"})
    assert tag is not None, f"no csrf meta on {path} ({page.status_code})"
    return tag["content"]


def post_form(client, path, data=None, csrf_from=None):
    """POST a form the way a browser would, with the page's CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, csrf_from or path))
    return client.post(path, data=data)


def login(client, email, password=PASSWORD, remember=False):
    """Sign in through the login form."""
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return post_form(client, "/login", data)


def soup(response):
    """The response body parsed as HTML."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


class QueryCounter(logging.Handler):
    """Counts the SQL statements peewee runs while active."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        # Only statements: not "peewee.pool" (connection pool) messages, which only PostgreSQL has.
        if record.name == "peewee":
            self.queries.append(record.getMessage())

    def __enter__(self):
        logger = logging.getLogger("peewee")
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc):
        logger = logging.getLogger("peewee")
        logger.removeHandler(self)
        logger.setLevel(self._level)

    @property
    def count(self):
        return len(self.queries)


class MailCollector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"


def live_markup(response):
    """Scripts, event handlers, javascript: URLs and SVG the page would act on."""
    page = soup(response)
    found = [str(tag) for tag in page.find_all("script") if "alert" in (tag.string or "")]
    found += [str(tag) for tag in page.find_all(True)
              if any(attr.lower().startswith("on") for attr in tag.attrs)]
    found += [str(tag) for tag in page.find_all(True)
              if any(str(tag.get(attr, "")).strip().lower().startswith("javascript:")
                     for attr in ("href", "src", "action", "formaction"))]
    found += [str(tag) for tag in page.find_all(["svg", "img"])]
    return found
