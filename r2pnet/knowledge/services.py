"""Writing lessons: create, edit (optimistic locking), publish, revisions, uptake."""
import json

from peewee import JOIN, IntegrityError, fn

from r2pnet import markdown, permissions, search, statements
from r2pnet.audit.services import record
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.knowledge.models import (SECTIONS, Lesson, LessonApplication, LessonAttachment,
                                     LessonRevision, LessonTerm, LessonUseful)
from r2pnet.members.models import Member, Region, utcnow

CONFLICT_MESSAGE = ("Someone else saved this lesson while you were editing. Your text is kept "
                    "below but not saved: compare with the current version, then save again.")
# Form field -> LessonTerm.kind
TERM_FIELDS = {"pillars": "pillar", "crimes": "crime", "priorities": "priority",
               "risk_factors": "risk_factor", "strategy": "strategy", "tags": "tag"}


def terms_of(lesson):
    """A lesson's classification as {form field: [keys]} (risk factors as numbers)."""
    found = {field: [] for field in TERM_FIELDS}
    kinds = {kind: field for field, kind in TERM_FIELDS.items()}
    for kind, key in statements.run("lesson terms", _terms, lesson.id, raw=True):
        found[kinds[kind]].append(int(key) if kind == "risk_factor" else key)
    return found


def _terms(lesson_id):
    return (LessonTerm.select(LessonTerm.kind, LessonTerm.key)
            .where(LessonTerm.lesson == lesson_id).order_by(LessonTerm.id))


def _apply_fields(lesson, data):
    lesson.title = data["title"]
    lesson.summary = data["summary"]
    for key in SECTIONS:
        text = data[f"{key}_md"]
        setattr(lesson, f"{key}_md", text)
        setattr(lesson, f"{key}_html", markdown.render(text))
    lesson.country = data["country"]
    region_id = data["region_id"]
    if region_id is None and lesson.country:
        default = Region.default_for_country(lesson.country)
        region_id = default.id if default else None
    if region_id is not None and not Region.select().where(Region.id == region_id).exists():
        raise DomainError("Choose a region from the list.", "region_id")
    lesson.region = region_id
    lesson.attribution = data["attribution"]
    lesson.visibility = data["visibility"]
    if lesson.visibility == "region" and lesson.region_id is None:
        raise DomainError("A lesson for one region needs its region.", "region_id")


def _check_publishable(lesson, data):
    if not data["pillars"]:
        raise DomainError("Choose at least one pillar before publishing.", "pillars")


def _save_terms(lesson, data):
    LessonTerm.delete().where(LessonTerm.lesson == lesson.id).execute()
    rows = [{"lesson": lesson.id, "kind": kind, "key": str(value)}
            for field, kind in TERM_FIELDS.items() for value in dict.fromkeys(data[field])]
    if rows:
        LessonTerm.insert_many(rows).execute()


def _snapshot(lesson, data):
    state = {"title": lesson.title, "summary": lesson.summary,
             "country": lesson.country, "region_id": lesson.region_id,
             "attribution": lesson.attribution, "visibility": lesson.visibility,
             "is_published": lesson.is_published}
    state.update({f"{key}_md": getattr(lesson, f"{key}_md") for key in SECTIONS})
    state.update({field: data[field] for field in TERM_FIELDS})
    return json.dumps(state, ensure_ascii=False, sort_keys=True)


def _add_revision(lesson, editor, data, note):
    number = (LessonRevision.select().where(LessonRevision.lesson == lesson.id).count()) + 1
    LessonRevision.create(lesson=lesson, number=number, editor=editor, note=note,
                          snapshot=_snapshot(lesson, data))


def _index(lesson, data):
    # The rendered text, not the markdown: snippets then read like the page (no ** or - ).
    body = "\n\n".join(markdown.plain_text(getattr(lesson, f"{key}_html")) for key in SECTIONS)
    search.index("lesson", lesson.id, lesson.title, f"{lesson.summary}\n\n{body}",
                 tags=" ".join(data["tags"]))


def _publish(lesson):
    if not lesson.is_published:
        lesson.is_published = True
        lesson.published_at = utcnow()
        lesson.published_year = lesson.published_at.year


def create_lesson(author, data, ip=""):
    """A new lesson by `author` from LessonSchema data: a draft unless `publish` is asked."""
    if not permissions.can_write_lessons(author):
        raise Forbidden("Sign in to share a lesson.")
    lesson = Lesson(author=author)
    _apply_fields(lesson, data)
    if data["publish"]:
        _check_publishable(lesson, data)
        _publish(lesson)
    with db.atomic():
        lesson.save()
        _save_terms(lesson, data)
        _add_revision(lesson, author, data, "published" if lesson.is_published else "created")
        _index(lesson, data)
        record("lesson_created", actor=author, ip=ip,
               detail=f"lesson {lesson.id} ({lesson.visibility}"
                      f"{', published' if lesson.is_published else ', draft'})")
    return lesson


def update_lesson(editor, lesson, data, ip=""):
    """Save an edit, unless someone saved since the version the editor started from."""
    if not permissions.can_edit_lesson(editor, lesson):
        raise Forbidden("Only the author, administrators and the region's moderators edit it.")
    before_visibility, was_published = lesson.visibility, lesson.is_published
    expected = data.get("version") or lesson.version
    _apply_fields(lesson, data)
    if data["publish"] or lesson.is_published:
        _check_publishable(lesson, data)
    if data["publish"]:
        _publish(lesson)
    lesson.updated_at = utcnow()
    columns = {field.name: getattr(lesson, field.name) for field in Lesson._meta.sorted_fields
               if field.name not in ("id", "author", "created_at", "version", "applied_count",
                                     "useful_count")}
    columns["region"] = lesson.region_id
    columns["version"] = Lesson.version + 1
    with db.atomic():
        saved = (Lesson.update(**columns)
                 .where(Lesson.id == lesson.id, Lesson.version == expected)
                 .execute())
        if saved != 1:
            raise Conflict(CONFLICT_MESSAGE)
        lesson.version = expected + 1
        _save_terms(lesson, data)
        note = "published" if lesson.is_published and not was_published else "edited"
        _add_revision(lesson, editor, data, note)
        _index(lesson, data)
        record("lesson_edited", actor=editor, ip=ip, detail=f"lesson {lesson.id}: {note}")
        if before_visibility != lesson.visibility:
            record("lesson_visibility_changed", actor=editor, ip=ip,
                   detail=f"lesson {lesson.id}: {before_visibility} -> {lesson.visibility}")
    return lesson


def get_visible(lesson_id, viewer):
    """The lesson if `viewer` may read it, else None (unknown and forbidden look the same)."""
    kind, *scope = Lesson.reader_scope(viewer)

    def build(lesson_id, *scope):
        # Author and region come in the same query: every lesson page shows both.
        query = (Lesson.select(Lesson, Member, Region)
                 .join(Member, on=(Lesson.author == Member.id))
                 .switch(Lesson)
                 .join(Region, JOIN.LEFT_OUTER, on=(Lesson.region == Region.id))
                 .where(Lesson.id == lesson_id))
        return Lesson.where_readable(query, kind, *scope)

    found = statements.run_kept(("readable lesson", kind), build, lesson_id, *scope)
    return found[0] if found else None


def record_application(member, lesson, note, ip=""):
    """`member` says their country applied or adapted the lesson (once; the note can change)."""
    if not lesson.is_published:
        raise DomainError("Only published lessons can be applied.")
    note = " ".join((note or "").split())[:500]
    with db.atomic():
        try:
            with db.atomic():
                LessonApplication.create(lesson=lesson, member=member, note=note)
        except IntegrityError:
            (LessonApplication.update(note=note)
             .where(LessonApplication.lesson == lesson.id,
                    LessonApplication.member == member.id)
             .execute())
            return False
        Lesson.update(applied_count=Lesson.applied_count + 1).where(
            Lesson.id == lesson.id).execute()
    return True


def set_useful(member, lesson, useful):
    """Mark or unmark a lesson as useful; returns whether anything changed."""
    with db.atomic():
        if useful:
            try:
                with db.atomic():
                    LessonUseful.create(lesson=lesson, member=member)
            except IntegrityError:
                return False
            delta = 1
        else:
            removed = (LessonUseful.delete()
                       .where(LessonUseful.lesson == lesson.id, LessonUseful.member == member.id)
                       .execute())
            if not removed:
                return False
            delta = -1
        Lesson.update(useful_count=Lesson.useful_count + delta).where(
            Lesson.id == lesson.id).execute()
    return True


def lesson_data(lesson):
    """A lesson as the data create_lesson and update_lesson take (a partial edit starts here)."""
    data = {"title": lesson.title, "summary": lesson.summary, "country": lesson.country,
            "region_id": lesson.region_id, "attribution": lesson.attribution,
            "visibility": lesson.visibility, "version": lesson.version, "publish": False}
    data.update({f"{key}_md": getattr(lesson, f"{key}_md") for key in SECTIONS})
    data.update(terms_of(lesson))
    return data


def reveals_author(viewer, lesson):
    """Whether `viewer` may know who wrote the lesson: an anonymized one only to its editors."""
    return lesson.attribution != "anonymous" or permissions.can_edit_lesson(viewer, lesson)


def form_values(lesson):
    """A lesson as the values of its edit form."""
    values = {"title": lesson.title, "summary": lesson.summary,
              "country": lesson.country or "", "region_id": str(lesson.region_id or ""),
              "attribution": lesson.attribution, "visibility": lesson.visibility,
              "version": lesson.version}
    values.update({f"{key}_md": getattr(lesson, f"{key}_md") for key in SECTIONS})
    terms = terms_of(lesson)
    values.update({field: terms[field] for field in TERM_FIELDS if field != "tags"})
    values["tags"] = ", ".join(terms["tags"])
    return values


def is_useful(member, lesson):
    """Whether `member` marked the lesson useful."""
    return bool(statements.run("lesson marked useful", _useful, lesson.id, member.id, raw=True))


def _useful(lesson_id, member_id):
    return (LessonUseful.select(LessonUseful.id)
            .where(LessonUseful.lesson == lesson_id, LessonUseful.member == member_id))


def attachments_of(lesson):
    """The lesson's current attachments, oldest first."""
    return statements.run_kept("lesson attachments", _attachments, lesson.id)


def _attachments(lesson_id):
    return (LessonAttachment.select()
            .where(LessonAttachment.lesson == lesson_id, LessonAttachment.removed_at.is_null())
            .order_by(LessonAttachment.id))


def applications_of(lesson):
    """Who applied the lesson (the latest 50), with their names."""
    return statements.run_kept("lesson applications", _applications, lesson.id)


def _applications(lesson_id):
    return (LessonApplication.select(LessonApplication, Member)
            .join(Member)
            .where(LessonApplication.lesson == lesson_id)
            .order_by(LessonApplication.created_at.desc())
            .limit(50))


def popular_tags(viewer, limit=30):
    """The most used tags among lessons `viewer` may read, for suggestions."""
    visible = Lesson.visible_to(viewer).select(Lesson.id)
    return [key for key, _ in (LessonTerm.select(LessonTerm.key, fn.COUNT(LessonTerm.id))
                               .where(LessonTerm.kind == "tag", LessonTerm.lesson.in_(visible))
                               .group_by(LessonTerm.key)
                               .order_by(fn.COUNT(LessonTerm.id).desc(), LessonTerm.key)
                               .limit(limit)
                               .tuples())]
