"""Lessons as a list shows them (the browse and search pages, the API's lists), read from
plain rows: peewee made three model objects per row, most of the API list's time."""
from typing import NamedTuple

from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, Region

# What a list of lessons shows: never the five sections.
LISTED = (Lesson.id, Lesson.title, Lesson.summary, Lesson.author, Lesson.country, Lesson.region,
          Lesson.attribution, Lesson.visibility, Lesson.is_published, Lesson.published_at,
          Lesson.created_at, Lesson.updated_at, Lesson.version, Lesson.applied_count,
          Lesson.useful_count)
# LISTED, then the author and the region (outer joined): the columns a ListedLesson reads.
COLUMNS = (*LISTED, Member.id, Member.name, Member.organization,
           Region.id, Region.name, Region.key)


class ListedAuthor(NamedTuple):
    """Who wrote a listed lesson (shown only where the lesson reveals its author)."""

    id: int
    name: str
    organization: str


class ListedRegion(NamedTuple):
    """A listed lesson's region."""

    id: int
    name: str
    key: str


class ListedLesson:
    """One row of COLUMNS (and, after them, a search's `found`), with what lists attach:
    `classified` (browse.attach_terms) and a search's `snippet`; `row`, the row itself."""

    __slots__ = ("id", "title", "summary", "author_id", "country", "region_id", "attribution",
                 "visibility", "is_published", "published_at", "created_at", "updated_at",
                 "version", "applied_count", "useful_count", "author", "region", "found",
                 "classified", "snippet", "row")

    def __init__(self, row):
        (self.id, self.title, self.summary, self.author_id, self.country, self.region_id,
         self.attribution, self.visibility, is_published, published_at, created_at,
         updated_at, self.version, self.applied_count, self.useful_count,
         author_id, author_name, organization, region_id, region_name, region_key,
         *extra) = row
        self.is_published = bool(is_published)
        self.published_at = Lesson.published_at.python_value(published_at)
        self.created_at = Lesson.created_at.python_value(created_at)
        self.updated_at = Lesson.updated_at.python_value(updated_at)
        self.author = ListedAuthor(author_id, author_name, organization)
        self.region = None if region_id is None else ListedRegion(region_id, region_name,
                                                                   region_key)
        self.found = extra[0] if extra else None
        self.classified = None
        self.snippet = None
        # The row as read (without `found`): it decides every value above, for keys.
        self.row = row[:len(COLUMNS)] if extra else row


def listed_lessons(rows):
    """ListedLessons of rows of COLUMNS."""
    return [ListedLesson(row) for row in rows]
