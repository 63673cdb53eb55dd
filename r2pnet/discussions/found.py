"""Threads and replies found by a search, as the search page and the API's search list them:
read from plain rows, not peewee models (a thread model reads every column of the thread)."""
from typing import NamedTuple


class ThreadRegion(NamedTuple):
    """The space (region) of a thread found."""

    id: int
    name: str
    key: str


class FoundThread:
    """A thread found, as the search page and the API's search list it, read from a plain row
    of `search_views._threads_shown`."""

    __slots__ = ("id", "title", "region_id", "region", "found", "snippet", "marked_title")

    def __init__(self, row):
        self.id, self.title, self.region_id, region_id, name, key, *extra = row
        self.region = None if region_id is None else ThreadRegion(region_id, name, key)
        self.found = extra[0] if extra else None
        self.snippet = self.marked_title = None


class ReplyThread(NamedTuple):
    """The thread of a reply found."""

    id: int
    title: str


class FoundAuthor(NamedTuple):
    """Who wrote a reply found."""

    id: int
    name: str


class FoundReply:
    """A reply found, as the search page lists it, read from a plain row of
    `search_views._posts_shown`."""

    __slots__ = ("id", "number", "thread", "author", "found", "snippet")

    def __init__(self, row):
        self.id, self.number, thread_id, title, author_id, name, *extra = row
        self.thread = ReplyThread(thread_id, title)
        self.author = FoundAuthor(author_id, name)
        self.found = extra[0] if extra else None
        self.snippet = None
