"""Lessons learned: the living Compendium of Practice."""
from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from r2pnet import permissions
from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, Region, utcnow

SECTIONS = {
    "context": "Context: the situation",
    "practice": "Practice: what was done",
    "outcome": "Outcome and evidence",
    "lesson": "The lesson",
    "recommendation": "Recommendation",
}
VISIBILITY = {
    "network": "The whole network",
    "region": "Members of the lesson's region only (with its moderators and administrators)",
    "public": "Public: readable without an account (for the Compendium)",
}
ATTRIBUTION = {
    "office": "My office",
    "anonymous": "Anonymized: “a Member State in <region>”",
}
# Kinds of classification rows (LessonTerm.kind).
TERM_KINDS = ("pillar", "crime", "priority", "risk_factor", "strategy", "tag")


class Lesson(BaseModel):
    """A lesson learned, with five markdown sections kept as source and as sanitized HTML."""

    title = CharField(max_length=200)
    summary = CharField(max_length=500)
    context_md = TextField(default="")
    context_html = TextField(default="")
    practice_md = TextField(default="")
    practice_html = TextField(default="")
    outcome_md = TextField(default="")
    outcome_html = TextField(default="")
    lesson_md = TextField(default="")
    lesson_html = TextField(default="")
    recommendation_md = TextField(default="")
    recommendation_html = TextField(default="")
    author = ForeignKeyField(Member, backref="lessons", on_delete="RESTRICT")
    country = CharField(max_length=2, null=True)
    region = ForeignKeyField(Region, null=True, backref="lessons", on_delete="SET NULL")
    attribution = CharField(max_length=12, default="office")
    visibility = CharField(max_length=12, default="network")
    is_published = BooleanField(default=False)
    published_at = DateTimeField(null=True)
    published_year = IntegerField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)
    applied_count = IntegerField(default=0)
    useful_count = IntegerField(default=0)

    class Meta:
        indexes = (
            (("is_published", "visibility", "region", "published_at"), False),
            # Covering: lists, facets and search matches without reading the lesson row.
            (("id", "is_published", "visibility", "region", "author", "country", "attribution",
              "published_year", "published_at", "applied_count", "useful_count"), False),
            (("author", "updated_at"), False),
            (("country",), False),
            (("published_year",), False),
            (("applied_count",), False),
            (("useful_count",), False),
        )

    @classmethod
    def visible_to(cls, member):
        """Lessons `member` may read: the one visibility rule every surface uses."""
        return cls.where_readable(cls.select(), *cls.reader_scope(member))

    @classmethod
    def where_readable(cls, query, kind, *values):
        """`query` narrowed to the lessons a reader_scope may read."""
        condition = cls.readable(kind, *values)
        return query if condition is None else query.where(condition)

    @staticmethod
    def reader_scope(member):
        """What the visibility rule needs of a reader, as plain values: (kind, *values).

        ("public",) for a visitor, ("all",) for an administrator, and for a member
        ("member", their id, the ids of the regions whose region-only lessons they read).
        """
        if member is None or not getattr(member, "is_authenticated", False):
            return ("public",)
        if permissions.is_administrator(member):
            return ("all",)
        region_ids = tuple(sorted(permissions.member_region_ids(member))) or (0,)
        return ("member", member.id, region_ids)

    @classmethod
    def readable(cls, kind, member_id=None, region_ids=()):
        """The visibility rule over a reader_scope, or None when every lesson is readable."""
        published = cls.is_published == True  # noqa: E712
        if kind == "public":
            return published & (cls.visibility == "public")
        if kind == "all":
            return None
        readable = published & ((cls.visibility << ["network", "public"])
                                 | ((cls.visibility == "region") & (cls.region << region_ids)))
        return readable | (cls.author == member_id)

    def section_html(self, key):
        return getattr(self, f"{key}_html")

    def section_md(self, key):
        return getattr(self, f"{key}_md")


class LessonTerm(BaseModel):
    """One classification of a lesson: a pillar, crime, priority, risk factor, element or tag."""

    lesson = ForeignKeyField(Lesson, backref="terms", on_delete="CASCADE")
    kind = CharField(max_length=12)
    key = CharField(max_length=60)

    class Meta:
        indexes = ((("lesson", "kind", "key"), True), (("kind", "key", "lesson"), False))


class LessonRevision(BaseModel):
    """Every saved state of a lesson, for its history and diffs."""

    lesson = ForeignKeyField(Lesson, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    editor = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    note = CharField(max_length=200, default="")
    snapshot = TextField()  # JSON: title, summary, sections (markdown), classification, ...

    class Meta:
        indexes = ((("lesson", "number"), True),)


class LessonAttachment(BaseModel):
    """A file attached to a lesson, stored under a random name outside the static folder."""

    lesson = ForeignKeyField(Lesson, backref="attachments", on_delete="CASCADE")
    uploaded_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    display_name = CharField(max_length=200)
    stored_name = CharField(max_length=80, unique=True)
    content_type = CharField(max_length=100)
    size = IntegerField()
    created_at = DateTimeField(default=utcnow)
    removed_at = DateTimeField(null=True)


class LessonApplication(BaseModel):
    """A member's record that their country applied or adapted a lesson."""

    lesson = ForeignKeyField(Lesson, backref="applications", on_delete="CASCADE")
    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    note = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("lesson", "member"), True),)


class LessonUseful(BaseModel):
    """A member marked a lesson as useful."""

    lesson = ForeignKeyField(Lesson, backref="+", on_delete="CASCADE")
    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("lesson", "member"), True),)
