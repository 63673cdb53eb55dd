"""A member's digest settings and one delivery row per member and period."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, utcnow

FREQUENCIES = {"weekly": "Weekly", "daily": "Daily", "off": "Off: send me no digest"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_FREQUENCY, DEFAULT_WEEKDAY, DEFAULT_HOUR = "weekly", 0, 8
# Consecutive permanent failures (5xx) after which digests stop until the member acts.
MAX_BOUNCES = 3
STATUSES = ("pending", "sending", "sent", "skipped", "failed", "bounced")


class DigestSettings(BaseModel):
    """How often and when a member receives the digest (no row: weekly, Monday 08:00)."""

    member = ForeignKeyField(Member, unique=True, backref="+", on_delete="CASCADE")
    frequency = CharField(max_length=10, default=DEFAULT_FREQUENCY)
    weekday = IntegerField(default=DEFAULT_WEEKDAY)  # 0 = Monday, in the member's time zone
    hour = IntegerField(default=DEFAULT_HOUR)  # local hour, 0 to 23
    bounces = IntegerField(default=0)  # consecutive permanent failures
    stopped_at = DateTimeField(null=True)  # set after MAX_BOUNCES; cleared when settings change
    updated_at = DateTimeField(default=utcnow)


class DigestDelivery(BaseModel):
    """One digest for one member and period: planned once, claimed by one sender, sent once."""

    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    period = CharField(max_length=20)  # "2026-W48" (weekly) or "2026-11-30" (daily)
    frequency = CharField(max_length=10)
    due_at = DateTimeField()  # the member's local send time, in UTC
    since = DateTimeField()  # content is what happened from here to the sending
    status = CharField(max_length=10, default="pending")
    reason = CharField(max_length=300, default="")  # why skipped, or the last error
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField()
    claimed_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)
    message_id = CharField(max_length=250, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "period"), True), (("status", "next_attempt_at", "id"), False),
                   (("period", "status"), False), (("member", "due_at"), False))
