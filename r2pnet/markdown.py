"""Markdown to safe HTML, once at save time: markdown-it-py (raw HTML off), then nh3."""
import html

import nh3
from markdown_it import MarkdownIt

ALLOWED_SCHEMES = {"http", "https", "mailto"}
ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


def _valid_link(url):
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return scheme in ALLOWED_SCHEMES or (scheme == "" and url.startswith(("/", "#")))


_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table") \
    .enable("strikethrough")
_md.validateLink = _valid_link


def render(text):
    """Sanitized HTML for a markdown text ('' for empty text)."""
    if not text or not text.strip():
        return ""
    html = _md.render(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow")


def plain_text(safe_html):
    """The text of rendered HTML, for search indexing and snippets."""
    return html.unescape(nh3.clean(safe_html or "", tags=set())).strip()
