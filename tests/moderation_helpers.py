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
