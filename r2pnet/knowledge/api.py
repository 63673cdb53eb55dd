"""API: lessons (browse with every facet and search, read, write, edit, publish, history,
uptake, files), on the services and visibility rule of the lesson pages."""
from flask_login import current_user
from peewee import JOIN

from r2pnet import catalogue, fragments, permissions, search
from r2pnet.api.core import (deployment_address, etag_of, json_response, operation,
                             require_if_match, web_url, with_etag)
from r2pnet.api.dumping import dumper
from r2pnet.api.paging import CursorSchema, Page, paginate
from r2pnet.api.problems import Problem
from r2pnet.errors import Conflict
from r2pnet.forms import shared_schema
from r2pnet.knowledge import attachments, browse, listed, revisions, services
from r2pnet.knowledge.api_schemas import (LessonApplicationIn, LessonApplicationOut,
                                          LessonCreate, LessonListItem, LessonOut, LessonPatch,
                                          LessonQuery, LessonRevisionOut)
from r2pnet.knowledge.models import SECTIONS, Lesson, LessonRevision
from r2pnet.members.models import Member, Region
from r2pnet.members.reference import country_name
from r2pnet.web import client_ip

TAG = "lessons"
# What a list shows of each lesson: not its sections (up to 100 KB of text each).
DOWNLOAD_TYPES = tuple(sorted({kind[1].split(";")[0] for kind in attachments.KINDS.values()}))
EXAMPLE = {
    "title": "Inter-ministerial atrocity prevention committee",
    "summary": "How a standing committee met monthly to review risk factors.",
    "country": "GH", "attribution": "office", "visibility": "network",
    "pillars": ["pillar_1"], "risk_factors": [1, 8], "tags": ["early warning"],
    "practice_md": "- monthly meetings\n- a shared risk register", "publish": True,
}


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _readable(lesson_id, viewer):
    """The lesson `viewer` may read (author and region loaded), else 404."""
    lesson = services.get_visible(lesson_id, viewer)
    if lesson is None:
        raise Problem(404)
    return lesson


def _editable(lesson_id, viewer):
    """404 when `viewer` may not read the lesson, 403 when they read but may not edit it."""
    lesson = _readable(lesson_id, viewer)
    if not permissions.can_edit_lesson(viewer, lesson):
        raise Problem(403, "Only the author, administrators and the region's moderators edit "
                           "this lesson.")
    return lesson


def _written(lesson_id):
    """A lesson its editor just saved, with author and region (they may have moved it away)."""
    return (Lesson.select(Lesson, Member, Region)
            .join(Member, on=(Lesson.author == Member.id))
            .switch(Lesson)
            .join(Region, JOIN.LEFT_OUTER, on=(Lesson.region == Region.id))
            .where(Lesson.id == lesson_id)
            .get())


def _etag(lesson, viewer):
    """Follows the whole representation: attachments and counts change it too."""
    return etag_of("lesson", lesson.id, _whole(lesson, viewer))


# --- payloads ------------------------------------------------------------------------------

def _attributed_to(lesson):
    """The attribution line of the lesson page (knowledge/_lesson_macros.html)."""
    if lesson.attribution == "anonymous":
        return f"A Member State in {lesson.region.name if lesson.region_id else 'the network'}"
    author = lesson.author
    text = author.name + (f", {author.organization}" if author.organization else "")
    return text + (f" ({country_name(lesson.country)})" if lesson.country else "")


def _card(lesson, viewer):
    """A lesson as a list shows it (needs browse.attach_terms, author and region)."""
    terms = lesson.classified
    reveal = services.reveals_author(viewer, lesson)
    region = lesson.region if lesson.region_id else None
    return {
        "id": lesson.id, "title": lesson.title, "summary": lesson.summary,
        "pillars": terms["pillar"], "crimes": terms["crime"], "priorities": terms["priority"],
        "risk_factors": [int(key) for key in terms["risk_factor"]],
        "strategy": terms["strategy"], "tags": terms["tag"],
        "country": lesson.country if reveal else None,
        "region_id": lesson.region_id,
        "region": {"id": region.id, "key": region.key, "name": region.name} if region else None,
        "attribution": lesson.attribution, "attributed_to": _attributed_to(lesson),
        "author": {"id": lesson.author.id, "name": lesson.author.name,
                   "organization": lesson.author.organization or None} if reveal else None,
        "visibility": lesson.visibility, "is_published": lesson.is_published,
        "published_at": lesson.published_at, "created_at": lesson.created_at,
        "updated_at": lesson.updated_at, "version": lesson.version,
        "applied_count": lesson.applied_count, "useful_count": lesson.useful_count,
        "can_edit": permissions.can_edit_lesson(viewer, lesson),
        "url": web_url("api.get_lesson", lesson_id=lesson.id),
        "html_url": web_url("knowledge.lesson_page", lesson_id=lesson.id),
        "snippet": getattr(lesson, "snippet", None),
    }


def _whole(lesson, viewer):
    """A lesson as its page shows it: sections, classification, attribution, files, counts."""
    browse.attach_terms([lesson])
    payload = _card(lesson, viewer)
    for key in SECTIONS:
        payload[f"{key}_md"] = getattr(lesson, f"{key}_md")
        payload[f"{key}_html"] = getattr(lesson, f"{key}_html")
    payload["attachments"] = [{
        "id": file.id, "name": file.display_name, "size": file.size,
        "media_type": file.content_type, "created_at": file.created_at,
        "download_url": web_url("api.download_lesson_attachment", lesson_id=lesson.id,
                                attachment_id=file.id),
    } for file in services.attachments_of(lesson)]
    return shared_schema(LessonOut).dump(payload)


def _lesson_response(lesson, viewer, status=200):
    payload = _whole(lesson, viewer)
    return with_etag(payload, etag_of("lesson", lesson.id, payload), status)


def _save(editor, lesson, data):
    try:
        services.update_lesson(editor, lesson, data, client_ip())
    except Conflict:
        raise Problem(409, "Someone else saved this lesson meanwhile: nothing was changed. "
                           "Fetch it again, then apply your change.") from None


# --- operations ----------------------------------------------------------------------------

@operation("/lessons", summary="Browse and search lessons", tag=TAG, query=LessonQuery,
           response=LessonListItem, public=True, paginated=True, kept=True)
def list_lessons(query):
    """Published lessons the caller may read, newest first, filtered by every facet of the
    browse page (several values of one facet: lessons with all of them) and by `q`.
    Without authentication: public lessons only. `mine=true`: your own, drafts included."""
    viewer = _viewer()
    if query["mine"] and viewer is None:
        raise Problem(401, "Authenticate to list your own lessons.")
    hits = search.matching("lesson", query["q"]) if query.get("q") else None

    def choose():
        lessons = browse.filtered(viewer, query)
        if hits is not None:
            lessons = lessons.where(Lesson.id.in_(hits.select(hits.c.object_id)))
        lessons = (lessons
                   .select(*listed.COLUMNS)
                   .switch(Lesson)
                   .join(Member, on=(Lesson.author == Member.id))
                   .switch(Lesson)
                   .join(Region, JOIN.LEFT_OUTER, on=(Lesson.region == Region.id)))
        page = paginate(lessons, Lesson.id, query["limit"], query["cursor"],
                        row=listed.ListedLesson)
        return page.items, page.next_cursor

    # The page's choice is kept until the lessons change (r2pnet/catalogue.py); its lessons
    # are then read again by id, through the visibility rule.
    items, next_cursor = catalogue.kept_items(
        lambda key, compute: catalogue.kept(("lessons",), key, compute),
        ("api lessons", Lesson.reader_scope(viewer), catalogue.frozen(query)), choose,
        lambda ids: browse.listed(viewer, ids))
    browse.attach_terms(items)
    if hits is not None and items:
        snippets = search.snippets("lesson", [lesson.id for lesson in items], query["q"])
        for lesson in items:
            lesson.snippet = str(snippets.get(lesson.id, ""))
    address = deployment_address()
    return Page([_listed_item(lesson, viewer, address) for lesson in items], next_cursor,
                dumped=True)


def _listed_item(lesson, viewer, address):
    """A listed lesson's item as LessonListItem dumps it, kept per process under a key of
    everything it shows (r2pnet/fragments.py): its row, terms, snippet, whether the caller may
    edit it (which, with its attribution, also decides whether its author is shown) and the
    deployment's address. Kept items are shared: never change one."""
    key = ("api lesson item", *address,
           lesson.row,
           *(tuple(keys) for keys in lesson.classified.values()), lesson.snippet,
           permissions.can_edit_lesson(viewer, lesson))
    return fragments.kept(key, _dumped_card, lesson, viewer)


def _dumped_card(lesson, viewer):
    return dumper(LessonListItem).dump(_card(lesson, viewer))


@operation("/lessons/<int:lesson_id>", summary="Read a lesson", tag=TAG, response=LessonOut,
           public=True, etag=True)
def get_lesson(lesson_id):
    """The lesson as its page shows it; 404 when the caller may not read it."""
    viewer = _viewer()
    return _lesson_response(_readable(lesson_id, viewer), viewer)


@operation("/lessons", "POST", summary="Share a lesson", tag=TAG, body=LessonCreate,
           response=LessonOut, status=201, etag=True, example=EXAMPLE)
def create_lesson(body):
    """A new lesson: a draft only you (and administrators) see, unless `publish` is true."""
    viewer = current_user._get_current_object()
    lesson = services.create_lesson(viewer, dict(body, version=None), client_ip())
    response = _lesson_response(_written(lesson.id), viewer, 201)
    response.headers["Location"] = web_url("api.get_lesson", lesson_id=lesson.id)
    return response


@operation("/lessons/<int:lesson_id>", "PATCH", summary="Edit a lesson", tag=TAG,
           body=LessonPatch, response=LessonOut, if_match=True, etag=True,
           example={"summary": "A standing committee that reviews risk factors monthly."})
def update_lesson(lesson_id, body):
    """Change the fields sent, keep the others. Its author, administrators and the region's
    moderators edit it; send the ETag you read as If-Match."""
    viewer = current_user._get_current_object()
    lesson = _editable(lesson_id, viewer)
    require_if_match(_etag(lesson, viewer))
    if body:
        _save(viewer, lesson, dict(services.lesson_data(lesson), **body))
        lesson = _written(lesson.id)
    return _lesson_response(lesson, viewer)


@operation("/lessons/<int:lesson_id>/publish", "POST", summary="Publish a draft", tag=TAG,
           response=LessonOut, if_match=True, etag=True)
def publish_lesson(lesson_id):
    """Publish the lesson (it needs a pillar); a published one stays as it is."""
    viewer = current_user._get_current_object()
    lesson = _editable(lesson_id, viewer)
    require_if_match(_etag(lesson, viewer))
    if not lesson.is_published:
        _save(viewer, lesson, dict(services.lesson_data(lesson), publish=True))
        lesson = _written(lesson.id)
    return _lesson_response(lesson, viewer)


@operation("/lessons/<int:lesson_id>/revisions", summary="A lesson's history", tag=TAG,
           query=CursorSchema, response=LessonRevisionOut, paginated=True)
def list_lesson_revisions(lesson_id, query):
    """Every saved revision, newest first, with its editor as the history page names them."""
    viewer = _viewer()
    lesson = _readable(lesson_id, viewer)
    reveal = services.reveals_author(viewer, lesson)
    history = (LessonRevision.select(LessonRevision.id, LessonRevision.number,
                                     LessonRevision.editor, LessonRevision.created_at,
                                     LessonRevision.note, Member.id, Member.name)
               .join(Member, JOIN.LEFT_OUTER, on=(LessonRevision.editor == Member.id),
                     attr="editor_member")
               .where(LessonRevision.lesson == lesson.id))
    page = paginate(history, LessonRevision.id, query["limit"], query["cursor"])
    items = []
    for revision in page.items:
        editor_id, label = revisions.shown_editor(revision, lesson, reveal)
        items.append({"number": revision.number, "created_at": revision.created_at,
                      "note": revision.note, "editor_id": editor_id, "editor_name": label})
    page.items = items
    return page


@operation("/lessons/<int:lesson_id>/applications", "POST", tag=TAG,
           summary="Record that your country applied the lesson", body=LessonApplicationIn,
           response=LessonApplicationOut, example={"note": "Adapted for our election year."})
def apply_lesson(lesson_id, body):
    """Once per member and lesson; sending it again replaces your note."""
    viewer = current_user._get_current_object()
    lesson = _readable(lesson_id, viewer)
    created = services.record_application(viewer, lesson, body["note"], client_ip())
    count = Lesson.select(Lesson.applied_count).where(Lesson.id == lesson.id).scalar()
    payload = {"lesson_id": lesson.id, "note": body["note"], "created": created,
               "applied_count": count}
    return json_response(shared_schema(LessonApplicationOut).dump(payload))


@operation("/lessons/<int:lesson_id>/attachments/<int:attachment_id>", tag=TAG,
           summary="Download a lesson's attachment", public=True, binary=DOWNLOAD_TYPES)
def download_lesson_attachment(lesson_id, attachment_id):
    """The file itself, always as a download; 404 when the caller may not read the lesson."""
    found = attachments.readable_file(lesson_id, attachment_id, _viewer())
    if found is None:
        raise Problem(404)
    return attachments.file_response(*found)
