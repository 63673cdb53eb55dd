"""A thread page's post cards, kept per process (r2pnet/fragments.py).

A card's two parts (templates/discussions/_post_card.html) are kept under keys holding all
they show. The moderator's actions carry a per-request CSRF token and are written on every
visit, between the parts.
"""
from r2pnet import fragments


def post_cards(posts, thread, last_read, can_reply, rights, page_of):
    """(post, head, tail) per post: `head` opens the card up to its action links, `tail` closes
    it after the body; `page_of(number)` is the page a quoted post is on."""
    macros = fragments.macros("discussions/_post_card.html")
    place = (*fragments.place(), thread.id)
    cards = []
    for post in posts:
        shown = (place, post.id, post.number, post.author.id, post.author.name, post.created_at,
                 post.edited_at, post.is_hidden, post.hidden_reason)
        unread, can_edit = post.number > last_read, rights.can_edit_post(post)
        can_flag = post.number > 1 and rights.can_flag(post)
        head = fragments.kept(("post head", shown, unread, can_reply, can_edit, can_flag),
                              macros.head, post, thread, unread, can_reply, can_edit, can_flag)
        quoted = post.quoted
        quoted_page = page_of(quoted.number) if quoted else None
        tail = fragments.kept(("post tail", place, post.id, post.quoted_post_id, quoted,
                               post.body_html), macros.tail, post, thread, quoted_page)
        cards.append((post, head, tail))
    return cards
