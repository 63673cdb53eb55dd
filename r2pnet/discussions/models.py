"""Threads and posts in the discussion spaces (one per region, one network-wide)."""
from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from r2pnet import permissions
from r2pnet.extensions import BaseModel
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, Region, utcnow

NETWORK = "network"  # the network-wide space: threads with no region


class Thread(BaseModel):
    """A discussion in one space: its region's, or the network's when `region` is null."""

    region = ForeignKeyField(Region, null=True, backref="threads", on_delete="RESTRICT")
    author = ForeignKeyField(Member, backref="threads", on_delete="RESTRICT")
    title = CharField(max_length=200)
    created_at = DateTimeField(default=utcnow)
    # Last visible post: list order and "last activity".
    last_activity_at = DateTimeField(default=utcnow)
    last_author = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    # Visible replies (the opening post is not a reply); hidden ones are not counted.
    reply_count = IntegerField(default=0)
    # Number of the last post written, hidden or not (posts are numbered 1, 2, ...).
    last_number = IntegerField(default=1)
    is_pinned = BooleanField(default=False)
    is_locked = BooleanField(default=False)
    is_hidden = BooleanField(default=False)
    hidden_reason = CharField(max_length=500, default="")
    hidden_at = DateTimeField(null=True)
    flag_count = IntegerField(default=0)  # open flags
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    conclusion_md = TextField(default="")
    conclusion_html = TextField(default="")
    version = IntegerField(default=1)

    class Meta:
        indexes = (
            (("region", "is_hidden", "is_pinned", "last_activity_at"), False),
            (("is_hidden", "last_activity_at"), False),
            (("region", "created_at"), False),
            (("author", "created_at"), False),
            (("flag_count",), False),  # the moderation queue
        )

    @classmethod
    def visible_to(cls, member):
        """Threads `member` may read: the one visibility rule every surface uses."""
        return cls.where_readable(cls.select(), *cls.reader_scope(member))

    @classmethod
    def where_readable(cls, query, kind, *values):
        """`query` narrowed to the threads a reader_scope may read."""
        condition = cls.readable(kind, *values)
        return query if condition is None else query.where(condition)

    @staticmethod
    def reader_scope(member):
        """What the visibility rule needs of a reader, as plain values: (kind, *values).

        ("none",) for a visitor or a disabled member, ("all",) for an administrator, and for a
        member ("member", the regions whose spaces they read, the regions they moderate).
        """
        if member is None or not getattr(member, "is_authenticated", False) \
                or not member.is_active:
            return ("none",)
        if permissions.is_administrator(member):
            return ("all",)
        return ("member", tuple(sorted(permissions.member_region_ids(member))) or (0,),
                tuple(sorted(permissions.moderated_region_ids(member))) or (0,))

    @classmethod
    def readable(cls, kind, readable_ids=(0,), moderated_ids=(0,)):
        """The visibility rule over a reader_scope, or None when every thread is readable."""
        if kind == "none":
            return cls.id == 0
        if kind == "all":
            return None
        in_space = cls.region.is_null() | (cls.region << readable_ids)
        shown = (cls.is_hidden == False) | (cls.region << moderated_ids)  # noqa: E712
        return in_space & shown

    @property
    def is_closed(self):
        return self.closed_at is not None

    @property
    def space_key(self):
        return NETWORK if self.region_id is None else self.region.key


class Post(BaseModel):
    """The opening post (number 1) or a reply; markdown kept as source and sanitized HTML."""

    thread = ForeignKeyField(Thread, backref="posts", on_delete="CASCADE")
    author = ForeignKeyField(Member, backref="posts", on_delete="RESTRICT")
    number = IntegerField()
    body_md = TextField()
    body_html = TextField()
    quoted_post = ForeignKeyField("self", null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    edited_at = DateTimeField(null=True)
    edit_count = IntegerField(default=0)
    is_hidden = BooleanField(default=False)
    hidden_reason = CharField(max_length=500, default="")
    hidden_at = DateTimeField(null=True)
    flag_count = IntegerField(default=0)
    version = IntegerField(default=1)

    class Meta:
        indexes = (
            (("thread", "number"), True),
            (("thread", "is_hidden", "number"), False),
            (("author", "created_at"), False),
            (("created_at",), False),
            (("flag_count",), False),  # the moderation queue
            (("is_hidden", "hidden_reason"), False),
        )

    @classmethod
    def visible_to(cls, member):
        """Posts `member` may read: in a thread they may read, and not hidden unless they
        moderate its space."""
        return (cls.select().join(Thread, on=(cls.thread == Thread.id))
                .where(cls.readable(*Thread.reader_scope(member))))

    @classmethod
    def readable(cls, kind, readable_ids=(0,), moderated_ids=(0,)):
        """The rule over a Thread.reader_scope, for a query of posts joined to their thread
        (the thread's own rule applies to the joined row: no list of readable threads)."""
        if kind == "all":
            return Thread.id.is_null(False)
        shown = (cls.is_hidden == False) | (Thread.region << moderated_ids)  # noqa: E712
        return Thread.readable(kind, readable_ids, moderated_ids) & shown

    @property
    def is_opening(self):
        return self.number == 1


class PostRevision(BaseModel):
    """An earlier text of a post, kept on every edit."""

    post = ForeignKeyField(Post, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    editor = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    body_md = TextField()
    title = CharField(max_length=200, default="")  # the thread title, for opening posts
    reason = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("post", "number"), True),)


class ThreadTerm(BaseModel):
    """One classification of a thread: pillar, crime, priority, risk factor or tag."""

    thread = ForeignKeyField(Thread, backref="terms", on_delete="CASCADE")
    kind = CharField(max_length=12)
    key = CharField(max_length=60)

    class Meta:
        indexes = ((("thread", "kind", "key"), True), (("kind", "key", "thread"), False))


class ThreadLesson(BaseModel):
    """A lesson the thread links to."""

    thread = ForeignKeyField(Thread, backref="lesson_links", on_delete="CASCADE")
    lesson = ForeignKeyField(Lesson, backref="thread_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("thread", "lesson"), True), (("lesson", "thread"), False))


class ThreadFollow(BaseModel):
    """A member follows a thread: its new posts appear on their "what's new" page."""

    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="+", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "thread"), True), (("thread", "member"), False))


class SpaceFollow(BaseModel):
    """A member follows a whole space (`region` null: the network-wide space)."""

    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="CASCADE")
    # "network" or the region id as text: unique with the member, which a null region is not.
    space = CharField(max_length=20)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "space"), True),)


class ThreadRead(BaseModel):
    """How far a member has read a thread: the number of the last post they saw."""

    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="+", on_delete="CASCADE")
    last_read_number = IntegerField(default=0)
    read_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "thread"), True),)


class Mention(BaseModel):
    """A member named with @[Name] in a post they can see."""

    post = ForeignKeyField(Post, backref="mentions", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="+", on_delete="CASCADE")
    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("post", "member"), True), (("member", "created_at"), False))
