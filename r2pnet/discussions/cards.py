"""A thread page's post cards, written once per content and kept per process.

Fifty cards were most of a thread page's time: a card asks for links, a local time and
escaping for every post on every visit. A card's two parts (templates/discussions/_post_card.html)
are kept under keys that hold everything they show, so an edit, a hidden post, a renamed author
or another reader's time zone or rights make a new key instead of needing to be forgotten. The
moderator's actions carry a per-request CSRF token and are written on every visit, between
the parts.
"""
from flask import current_app, request

from r2pnet.catalogue import Memo
from r2pnet.web import viewer_zone

CARDS_KEPT = 4096  # parts per process: two per post of the most read pages, a few kB each
_memo = Memo(CARDS_KEPT)


def post_cards(posts, thread, last_read, can_reply, rights, page_of):
    """(post, head, tail) per post: `head` opens the card up to its action links, `tail` closes
    it after the body; `page_of(number)` is the page a quoted post is on."""
    macros = current_app.jinja_env.get_template("discussions/_post_card.html").module
    place = (request.script_root, str(viewer_zone()), thread.id)
    cards = []
    for post in posts:
        shown = (place, post.id, post.number, post.author.id, post.author.name, post.created_at,
                 post.edited_at, post.is_hidden, post.hidden_reason)
        unread, can_edit = post.number > last_read, rights.can_edit_post(post)
        can_flag = post.number > 1 and rights.can_flag(post)
        head = _memo.get(("head", shown, unread, can_reply, can_edit, can_flag),
                         macros.head, post, thread, unread, can_reply, can_edit, can_flag)
        quoted = post.quoted
        quoted_page = page_of(quoted.number) if quoted else None
        tail = _memo.get(
            ("tail", place, post.id, post.quoted_post_id,
             quoted, post.body_html),
            macros.tail, post, thread, quoted_page)
        cards.append((post, head, tail))
    return cards


def forget():
    """Drop the kept cards (tests that change templates or settings)."""
    _memo.clear()
