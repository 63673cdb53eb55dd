"""Regional deliberations, attendance, outcomes, cadence and the question of the week."""
from peewee import (CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from r2pnet import permissions
from r2pnet.discussions.models import Thread
from r2pnet.extensions import BaseModel
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member, Region, utcnow

ANSWERS = {"yes": "I will attend", "maybe": "Maybe", "no": "I cannot attend"}
DEFAULT_CADENCE_DAYS = 28


class Deliberation(BaseModel):
    """A scheduled regional deliberation; times stored in UTC with the zone it was set in."""

    region = ForeignKeyField(Region, backref="deliberations", on_delete="RESTRICT")
    title = CharField(max_length=200)
    agenda_md = TextField(default="")
    agenda_html = TextField(default="")
    starts_at = DateTimeField()  # naive UTC
    timezone = CharField(max_length=64)  # the zone the moderator scheduled it in
    duration_minutes = IntegerField(default=90)
    join_url = CharField(max_length=500, default="")
    location = CharField(max_length=300, default="")
    created_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Stable calendar identity: UID never changes, SEQUENCE grows on every change.
    uid = CharField(max_length=120, unique=True)
    sequence = IntegerField(default=0)
    cancelled_at = DateTimeField(null=True)
    outcome_md = TextField(default="")
    outcome_html = TextField(default="")
    outcome_recorded_at = DateTimeField(null=True)
    outcome_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("region", "starts_at"), False), (("starts_at",), False))

    @classmethod
    def visible_to(cls, member):
        """Deliberations of the regions `member` belongs to or runs (administrators: all)."""
        if member is None or not getattr(member, "is_authenticated", False) \
                or not member.is_active:
            return cls.select().where(cls.id == 0)
        if permissions.is_administrator(member):
            return cls.select()
        return cls.select().where(cls.region << (list(permissions.member_region_ids(member))
                                                  or [0]))


class DeliberationAction(BaseModel):
    """A follow-up action from a deliberation's outcome, with its owner and due date."""

    deliberation = ForeignKeyField(Deliberation, backref="actions", on_delete="CASCADE")
    description = CharField(max_length=500)
    owner = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    owner_name = CharField(max_length=120, default="")  # someone outside the network
    due_on = DateField(null=True)
    done_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("deliberation",), False), (("owner", "due_on"), False))


class DeliberationThread(BaseModel):
    """A thread on a deliberation's agenda."""

    deliberation = ForeignKeyField(Deliberation, backref="thread_links", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="+", on_delete="CASCADE")

    class Meta:
        indexes = ((("deliberation", "thread"), True),)


class DeliberationLesson(BaseModel):
    """A lesson on a deliberation's agenda."""

    deliberation = ForeignKeyField(Deliberation, backref="lesson_links", on_delete="CASCADE")
    lesson = ForeignKeyField(Lesson, backref="+", on_delete="CASCADE")

    class Meta:
        indexes = ((("deliberation", "lesson"), True),)


class Attendance(BaseModel):
    """A member's answer: will they attend?"""

    deliberation = ForeignKeyField(Deliberation, backref="attendance", on_delete="CASCADE")
    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    answer = CharField(max_length=8)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("deliberation", "member"), True),)


class Cadence(BaseModel):
    """How often a region aims to deliberate, set by its moderators."""

    region = ForeignKeyField(Region, backref="+", unique=True, on_delete="CASCADE")
    every_days = IntegerField(default=DEFAULT_CADENCE_DAYS)
    updated_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)


class WeeklyQuestion(BaseModel):
    """A region's question of the week; the latest one is current."""

    region = ForeignKeyField(Region, backref="+", on_delete="CASCADE")
    text = CharField(max_length=500)
    thread = ForeignKeyField(Thread, null=True, backref="+", on_delete="SET NULL")
    asked_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("region", "created_at"), False),)
