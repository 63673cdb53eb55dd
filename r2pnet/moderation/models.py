"""Flags raised by members on threads and posts."""
from peewee import CharField, DateTimeField, ForeignKeyField

from r2pnet.discussions.models import Post, Thread
from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, utcnow

FLAG_REASONS = {
    "spam": "Spam",
    "off_topic": "Off-topic",
    "confidentiality": "Breach of confidentiality",
    "abusive": "Abusive",
    "other": "Other (say why)",
}


class Flag(BaseModel):
    """One member's flag on a thread (post null) or a post; open until dismissed or acted on."""

    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="flags", on_delete="CASCADE")
    post = ForeignKeyField(Post, null=True, backref="flags", on_delete="CASCADE")
    # "thread:<id>" or "post:<id>": one flag per member per item.
    item = CharField(max_length=40)
    reason = CharField(max_length=20)
    note = CharField(max_length=500, default="")
    created_at = DateTimeField(default=utcnow)
    resolved_at = DateTimeField(null=True)
    resolved_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    resolution = CharField(max_length=20, default="")  # dismissed, hidden, ...

    class Meta:
        indexes = ((("item", "member"), True), (("resolved_at", "thread"), False),
                   (("thread", "resolved_at"), False))
