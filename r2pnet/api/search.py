"""API: one search over lessons, threads and members, each within the caller's visibility."""
from flask_login import current_user
from marshmallow import Schema, fields, validate

from r2pnet import search
from r2pnet.api.core import operation
from r2pnet.api.schemas import ApiSchema
from r2pnet.discussions.search_views import find_threads
from r2pnet.forms import shared_schema
from r2pnet.knowledge import browse
from r2pnet.knowledge.schemas import BrowseSchema
from r2pnet.members import services
from r2pnet.api.core import web_url
from r2pnet.members.api_schemas import searchable

SNIPPET = ("An HTML fragment of the matching text: everything escaped, the matched words in "
           "<mark>.")


class SearchQuery(ApiSchema):
    """What to look for, and how many hits of each kind."""

    q = fields.String(required=True, validate=[validate.Length(1, search.MAX_QUERY_CHARS),
                                               searchable],
                      metadata={"description": 'Words, "quoted phrases", or, -exclusions.'})
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50), metadata={
        "description": "At most this many hits of each kind."})


class LessonHitOut(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    summary = fields.String(dump_only=True)
    snippet_html = fields.String(dump_only=True, metadata={"description": SNIPPET})
    url = fields.String(dump_only=True)


class ThreadHitOut(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    region_id = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "The thread's space: null for the network-wide space."})
    snippet_html = fields.String(dump_only=True, metadata={"description": SNIPPET})
    url = fields.String(dump_only=True)


class MemberHitOut(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    summary = fields.String(dump_only=True, metadata={"description": "Title and organization."})
    region_id = fields.Integer(dump_only=True, allow_none=True)
    url = fields.String(dump_only=True)


CAPPED = ("True when more {0} match than a search ranks (the newest 1,000 it may show): "
          "`{0}` is then that number, a lower bound. Add words to narrow the search.")


class SearchTotalsOut(Schema):
    lessons = fields.Integer(dump_only=True, metadata={
        "description": "How many lessons match; see lessons_capped."})
    threads = fields.Integer(dump_only=True, metadata={
        "description": "How many threads match; see threads_capped."})
    members = fields.Integer(dump_only=True)
    lessons_capped = fields.Boolean(dump_only=True, metadata={
        "description": CAPPED.format("lessons")})
    threads_capped = fields.Boolean(dump_only=True, metadata={
        "description": CAPPED.format("threads")})


class SearchOut(Schema):
    """The best hits of each kind, and how many there are in all."""

    q = fields.String(dump_only=True)
    lessons = fields.List(fields.Nested(LessonHitOut), dump_only=True)
    threads = fields.List(fields.Nested(ThreadHitOut), dump_only=True)
    members = fields.List(fields.Nested(MemberHitOut), dump_only=True)
    totals = fields.Nested(SearchTotalsOut, dump_only=True)


def _lessons(viewer, text, limit):
    filters = shared_schema(BrowseSchema).load({"q": text})
    lessons, total = browse.results(viewer, filters, 1, per_page=limit)
    return [{"id": lesson.id, "title": lesson.title, "summary": lesson.summary,
             "snippet_html": str(getattr(lesson, "snippet", "")),
             "url": web_url("knowledge.lesson_page", lesson_id=lesson.id)}
            for lesson in lessons], total


def _threads(viewer, text, limit):
    threads, total = find_threads(viewer, text, limit)
    return [{"id": thread.id, "title": thread.title, "region_id": thread.region_id,
             "snippet_html": str(thread.snippet),
             "url": web_url("discussions.thread_page", thread_id=thread.id)}
            for thread in threads], total


def _members(viewer, text, limit):
    query = services.directory({"q": text}, viewer)
    total = query.count()
    members = list(query.limit(limit))
    return [{"id": member.id, "name": member.name,
             "summary": ", ".join(part for part in (member.title, member.organization) if part),
             "region_id": member.region_id,
             "url": web_url("members.profile", member_id=member.id)}
            for member in members], total


@operation("/search", summary="Search lessons, threads and members", tag="search",
           query=SearchQuery, response=SearchOut, description=(
               "Lessons, threads and members matching the words, best first, each only where "
               "you may see it (as the search page and the directory show them)."))
def search_all(query):
    """The best hits of each kind within the caller's visibility."""
    viewer = current_user._get_current_object()
    text, limit = query["q"], query["limit"]
    if not search.WORD.search(text):
        # No searchable words: nothing matches (the services would list everything).
        return {"q": text, "lessons": [], "threads": [], "members": [],
                "totals": {"lessons": 0, "threads": 0, "members": 0,
                           "lessons_capped": False, "threads_capped": False}}
    lessons, lesson_total = _lessons(viewer, text, limit)
    threads, thread_total = _threads(viewer, text, limit)
    members, member_total = _members(viewer, text, limit)
    return {"q": text, "lessons": lessons, "threads": threads, "members": members,
            "totals": {"lessons": lesson_total, "threads": thread_total,
                       "members": member_total,
                       "lessons_capped": getattr(lesson_total, "capped", False),
                       "threads_capped": getattr(thread_total, "capped", False)}}

