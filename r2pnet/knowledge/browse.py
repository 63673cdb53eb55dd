"""Finding lessons: filters, facet counts, sorting and pages, all inside the visibility rule.

A search ranks, counts and facets the newest matches the viewer may see (search.candidates):
the total is then a search.MatchCount, `capped` when more lessons match.
"""
from peewee import JOIN, SQL, Cast, Node, Select, Value, fn

from r2pnet import catalogue, search, statements
from r2pnet.extensions import is_postgres
from r2pnet.knowledge.listed import COLUMNS, listed_lessons
from r2pnet.knowledge.models import Lesson, LessonTerm
from r2pnet.members.models import Member, Region

PAGE_SIZE = 20
# The lesson listing index of migration 0010 (visibility, filters and sort keys).
LISTING_INDEX = "lesson_id_is_published_visibility_region_id_author_id_co_639a06f"
# Browse filter -> LessonTerm.kind
TERM_FILTERS = {"pillar": "pillar", "crime": "crime", "priority": "priority",
                "risk_factor": "risk_factor", "strategy": "strategy", "tag": "tag"}


def filtered(viewer, filters):
    """Visible lessons matching every filter (a subquery-friendly query of lessons)."""
    reader, values = _filter_values(viewer, filters)
    return _filtered_by(reader, *values)


def _filter_values(viewer, filters):
    """(the reader's kind, the plain values _filtered_by takes) of a viewer and filters."""
    reader, *scope = Lesson.reader_scope(viewer)
    member_id, region_ids = scope or (None, None)
    lists = [tuple(str(value) for value in filters.get(name) or ()) or None
             for name in TERM_FILTERS]
    return reader, (member_id, region_ids, viewer.id if filters.get("mine") else None, *lists,
                    filters.get("region") or None, filters.get("country") or None,
                    filters.get("year") or None)


def _filtered_by(reader, member_id, region_ids, author_id, *rest):
    """The lessons a reader may read that match every filter, from plain values (None: no
    such filter), so that a statement built once serves any values of one shape."""
    *lists, region, country, year = rest
    query = Lesson.where_readable(Lesson.select(), reader,
                                  *((member_id, region_ids) if reader == "member" else ()))
    if author_id is None:
        query = query.where(Lesson.is_published == True)  # noqa: E712
    else:
        query = query.where(Lesson.author == author_id)
    for kind, keys in zip(TERM_FILTERS.values(), lists, strict=True):
        for key in keys or ():
            query = query.where(Lesson.id.in_(
                LessonTerm.select(LessonTerm.lesson)
                .where(LessonTerm.kind == kind, LessonTerm.key == key)))
    if region is not None:
        query = query.where(Lesson.region.in_(
            Region.select(Region.id).where(Region.key == region)))
    if country is not None:
        # An anonymized lesson's country is never revealed, not even by filtering on it.
        query = query.where(Lesson.country == country, Lesson.attribution == "office")
    if year is not None:
        query = query.where(Lesson.published_year == year)
    return query


def results(viewer, filters, page=1, per_page=PAGE_SIZE, known_total=None, keep=None):
    """(lessons on this page, total) in a fixed number of queries; search hits by relevance.

    The page is chosen on (id, sort key) alone and only its lessons are read in full: sorting
    every match with its five sections would copy them all through the sorter. `keep(key,
    compute)`, when given, may keep a newest-first or searched page's choice (ids, total and
    snippets; see r2pnet/catalogue.py): its lessons are then read by id, through the
    visibility rule.
    """
    searching = bool(filters.get("q")) and search.searchable(filters["q"])
    sort = filters.get("sort") or ("relevance" if searching else "newest")
    # Useful and applied counts do not move the catalogue's version: those orders are not kept.
    if sort not in ("newest", "relevance"):
        keep = None

    def choose():  # the filtered query is built only when the choice is not kept
        if searching and sort == "relevance":
            return _by_relevance(viewer, filters, page, per_page)
        return _chosen(filtered(viewer, filters), searched(viewer, filters), sort, page,
                       per_page, known_total, filters)

    lessons, total = catalogue.kept_items(
        keep, ("page", sort, page, per_page), choose, lambda ids: listed(viewer, ids),
        ("snippet",))
    return attach_terms(lessons), total


def _by_relevance(viewer, filters, page, per_page):
    """(the page's lessons, total) of a search by relevance, in one statement built once per
    reader kind and shape of filters: building a search's SQL took longer than its planning.
    """
    reader, values = _filter_values(viewer, filters)
    terms = search.terms(filters["q"])
    cap = search.candidate_cap()
    rows = statements.run(
        ("lessons by relevance", reader, cap, len(terms)),
        lambda *values: _relevance_page(reader, cap, values, len(terms)),
        *values, *terms, (page - 1) * per_page, per_page, raw=True, planned_each_time=True)
    lessons = _with_snippets(listed_lessons(rows), filters["q"])
    total = _search_total(cap, lessons, page, lambda: search.Candidates(
        "lesson", terms, _checked_by_index(_filtered_by(reader, *values)), cap))
    return lessons, total


def _relevance_page(reader, cap, values, term_count):
    """The statement of _by_relevance, of its plain values (filters, terms, offset, limit)."""
    *filter_values, offset, limit = values
    terms = tuple(filter_values[-term_count:])
    lessons = _checked_by_index(_filtered_by(reader, *filter_values[:-term_count]))
    hits = search.Candidates("lesson", terms, lessons, cap).ranked()
    chosen = (Select([hits], [hits.c.object_id.alias("id"), hits.c.rank, hits.c.found])
              .order_by(hits.c.rank, hits.c.object_id.desc())
              .limit(limit).offset(offset)
              .alias("chosen"))
    return _chosen_lessons(chosen, (chosen.c.rank, chosen.c.id.desc()), with_found=True)


def _chosen(query, found, sort, page, per_page, known_total, filters):
    """(the page's lessons, total), chosen now (any order but a search's relevance)."""
    hits = found.ranked() if found is not None else None
    if hits is None:
        total = query.count() if known_total is None else known_total
        extra = []
    else:
        query = query.join(hits, on=(hits.c.object_id == Lesson.id))
        extra = [hits.c.found]  # the walk's count rides along with the page
    lessons = _page(query, sort, extra, page, per_page)
    if found is not None:
        total = _search_total(found.cap, lessons, page, lambda: found)
        lessons = _with_snippets(lessons, filters["q"])
    return lessons, total


def _with_snippets(lessons, text):
    """The lessons, each given the `snippet` of its text matching the search."""
    snippets = search.snippets("lesson", [lesson.id for lesson in lessons], text)
    for lesson in lessons:
        lesson.snippet = snippets.get(lesson.id, "")
    return lessons


def listed(viewer, ids):
    """The lessons of these ids that `viewer` may read, as a list shows them (in no order).

    One statement, its SQL built once per reader kind and number of ids.
    """
    kind, *scope = Lesson.reader_scope(viewer)

    def build(ids, *scope):
        return Lesson.where_readable(_shown(Lesson.select()).where(Lesson.id.in_(ids)),
                                     kind, *scope)

    return listed_lessons(statements.run(("listed lessons", kind), build, tuple(ids), *scope,
                                         raw=True))


def _page(query, sort, extra, page, per_page):
    """The page's lessons, chosen on (id, sort key) alone, then read in full."""
    chosen = (query.select(Lesson.id, _sort_column(sort, Lesson), *extra)
              .order_by(*_ordering(sort, Lesson))
              .paginate(page, per_page)
              .alias("chosen"))
    return listed_lessons(_chosen_lessons(chosen, _ordering(sort, chosen.c), bool(extra)))


def _chosen_lessons(chosen, ordering, with_found):
    """The chosen page's lessons as a list shows them (then the search's `found`), in order."""
    return (_shown(Lesson.select().join(chosen, on=(chosen.c.id == Lesson.id)).switch(Lesson),
                   *([chosen.c.found] if with_found else []))
            .order_by(*ordering)
            .tuples())


def _shown(lessons, *extra):
    """The lessons with what a list shows of them (listed.COLUMNS), then `extra` columns."""
    return (lessons
            .select(*COLUMNS, *extra)
            .join(Member, on=(Lesson.author == Member.id))
            .switch(Lesson)
            .join(Region, JOIN.LEFT_OUTER, on=(Lesson.region == Region.id)))


def _search_total(cap, lessons, page, candidates):
    """The search's MatchCount: from the page's rows, or past the last page counted on its own
    (`candidates()` gives the search's Candidates, built only then)."""
    if lessons:
        return search.MatchCount.walked(lessons[0].found, cap)
    return candidates().count() if page > 1 else search.MatchCount(0)


def searched(viewer, filters):
    """The search candidates for the filters' text among the filtered lessons, or None."""
    if not filters.get("q"):
        return None
    return search.candidates("lesson", filters["q"], _checked_by_index(filtered(viewer, filters)))


class _IndexedBy(Node):
    """SQLite: read the lessons through the listing index, not their rows."""

    def __sql__(self, ctx):
        return ctx.sql(Lesson).literal(f' INDEXED BY "{LISTING_INDEX}"')


def _checked_by_index(lessons):
    """The filtered lessons, checked match by match through the listing index on SQLite.

    Its planner prefers the primary key, whose rows hold the five sections: reading them for a
    thousand matches took most of a search's time. PostgreSQL picks the index by itself.
    """
    return lessons if is_postgres() else lessons.from_(_IndexedBy())


SORT_COLUMNS = {"newest": "published_at", "applied": "applied_count", "useful": "useful_count"}


def _sort_column(sort, lesson_columns):
    """The column the page is chosen by besides the id (a search by relevance has its own
    statement, _relevance_page)."""
    return getattr(lesson_columns, SORT_COLUMNS.get(sort, "published_at"))


def _ordering(sort, lesson_columns):
    """ORDER BY terms over the lesson's columns (or the chosen page's copy of them)."""
    column = _sort_column(sort, lesson_columns)
    if sort in SORT_COLUMNS and sort != "newest":
        return (column.desc(), lesson_columns.id.desc())
    return (column.desc(nulls="LAST"), lesson_columns.id.desc())


def attach_terms(lessons):
    """Give each lesson `.classified` {kind: [keys]} in one query for the whole list."""
    by_id = {lesson.id: lesson for lesson in lessons}
    for lesson in lessons:
        lesson.classified = {kind: [] for kind in TERM_FILTERS.values()}
    # A page's statement is built once per length; an export's (thousands of ids) each time.
    rows = (statements.run("terms of lessons", _terms_of, tuple(by_id), raw=True)
            if 0 < len(by_id) <= statements.MAX_LISTED else _terms_of(list(by_id)) if by_id
            else ())
    for lesson_id, kind, key in rows:
        by_id[lesson_id].classified[kind].append(key)
    return lessons


def _terms_of(lesson_ids):
    return (LessonTerm.select(LessonTerm.lesson, LessonTerm.kind, LessonTerm.key)
            .where(LessonTerm.lesson.in_(lesson_ids)).order_by(LessonTerm.id).tuples())


def facets(viewer, filters):
    """Counts per facet value over the filtered lessons, in one statement whatever the data.

    The filtered lessons are found once (a materialized CTE) and every facet counts over
    them; with search text, over the search's candidates (the newest matches) only. "total"
    is how many there are (results() can take it instead of counting them again).
    """
    base = filtered(viewer, filters)
    found = searched(viewer, filters)
    if found is not None:
        base = base.where(Lesson.id.in_(found.object_ids()))
    hits = (base.select(Lesson.id, Lesson.region, Lesson.country, Lesson.attribution,
                        Lesson.published_year)
            .cte("facet_hits", materialized=True))
    # SQLite: CROSS JOIN keeps the hits first (each one's terms read by index), where the
    # planner would otherwise read every term and look each one up among the hits.
    join = JOIN.INNER if is_postgres() else JOIN.CROSS
    terms = (Select([hits], [LessonTerm.kind, LessonTerm.key, fn.COUNT(SQL("*"))])
             .join(LessonTerm, join, on=(LessonTerm.lesson == hits.c.id))
             .group_by(LessonTerm.kind, LessonTerm.key))
    regions = (Select([hits], [Value("region"), Region.key, fn.COUNT(SQL("*"))])
               .join(Region, join, on=(Region.id == hits.c.region_id))
               .group_by(Region.key))
    countries = (Select([hits], [Value("country"), hits.c.country, fn.COUNT(SQL("*"))])
                 .where(hits.c.country.is_null(False), hits.c.attribution == "office")
                 .group_by(hits.c.country))
    total = Select([hits], [Value("total"), Value(None), fn.COUNT(SQL("*"))])
    years = (Select([hits], [Value("year"), Cast(hits.c.published_year, "TEXT"),
                             fn.COUNT(SQL("*"))])
             .where(hits.c.published_year.is_null(False))
             .group_by(hits.c.published_year))
    counts = {kind: {} for kind in (*TERM_FILTERS.values(), "region", "country", "year")}
    statement = ((total + terms + regions + countries + years).with_cte(hits)
                 .bind(Lesson._meta.database))
    for kind, key, count in statement.tuples():
        if kind == "total":
            counts["total"] = count
        else:
            counts[kind][int(key) if kind == "year" else key] = count
    return counts
