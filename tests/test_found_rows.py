"""Threads and replies a search finds are read as plain rows holding what their models hold,
on a first search and when the search's choice is kept."""
from r2pnet import catalogue
from r2pnet.discussions.models import Thread
from r2pnet.discussions.search_views import find_posts, find_threads
from tests.moderation_helpers import make_reply, make_thread


def _keep(part, compute):
    return catalogue.kept(("discussions",), ("test: found rows", *part), compute)


def test_threads_found_hold_their_id_title_and_space(app, make_member):
    author = make_member()
    in_africa = make_thread(author, "africa", title="Radio against hate in the Sahel")
    network_wide = make_thread(author, None, title="Radio monitoring desk")
    for _ in range(2):  # chosen now, then read again by id
        threads, total = find_threads(author, "radio", keep=_keep)
        assert total == 2
        shown = {t.id: (t.title, t.region_id, t.region.name if t.region else None)
                 for t in threads}
        assert shown == {
            in_africa.id: ("Radio against hate in the Sahel", in_africa.region_id,
                           Thread.get_by_id(in_africa.id).region.name),
            network_wide.id: ("Radio monitoring desk", None, None)}
        assert all("<mark>" in str(t.marked_title) for t in threads)


def test_replies_found_hold_their_number_thread_and_author(app, make_member):
    author, replier = make_member(name="Amina Diallo"), make_member(name="Kofi Mensah")
    thread = make_thread(author, "africa", title="Hotlines")
    reply = make_reply(replier, thread, body="Our hotline answered survivors at night.")
    for _ in range(2):
        posts, total = find_posts(author, "survivors", keep=_keep)
        assert total == 1
        (post,) = posts
        assert (post.id, post.number, post.thread.id, post.thread.title, post.author.id,
                post.author.name) == (reply.id, reply.number, thread.id, "Hotlines", replier.id,
                                      "Kofi Mensah")
        assert "<mark>survivors</mark>" in str(post.snippet)
