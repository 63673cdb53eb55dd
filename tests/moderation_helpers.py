"""Threads, replies and flags for the moderation tests, written through the services."""
from r2pnet.discussions import services as discussions
from r2pnet.discussions.models import Post, Thread
from r2pnet.discussions.schemas import ThreadSchema
from tests.helpers import region


def make_thread(author, region_key="africa", title="Early warning across borders",
                body="The opening post of the thread."):
    """A thread in a region's space (region_key None: the network space)."""
    region_id = region(region_key).id if region_key else None
    data = ThreadSchema().load({"title": title, "body_md": body})
    return discussions.create_thread(author, region_id, data).thread


def make_reply(author, thread, body="A reply with a confidential detail."):
    return discussions.reply(author, thread, body).post


def fresh(item):
    """The row as stored now."""
    return type(item).get_by_id(item.id)


def opening_post(thread):
    return Post.get((Post.thread == thread.id) & (Post.number == 1))


def thread_of(post):
    return Thread.get_by_id(post.thread_id)


def moderation_cast(make_member):
    """Authors and readers in Africa, a moderator of Africa, one of Europe, an administrator."""
    return {
        "author": make_member(password=None, name="Amina Diallo", email="amina@example.org"),
        "readers": [make_member(password=None, name=f"Reader {n}") for n in range(1, 5)],
        "mod": make_member(password=None, role="moderator", name="Africa Moderator",
                           moderates=("africa",)),
        "mod_europe": make_member(password=None, role="moderator", region_key="europe",
                                  name="Europe Moderator", moderates=("europe",)),
        "admin": make_member(password=None, role="administrator", region_key=None,
                             name="Network Admin"),
    }


def discussion_under_review(people):
    """A thread in Africa by a reader, with a reply by the author (the item under review)."""
    thread = make_thread(people["readers"][3], title="Cross-border alerts")
    post = make_reply(people["author"], thread, body="The minister's private phone number")
    return fresh(thread), post
