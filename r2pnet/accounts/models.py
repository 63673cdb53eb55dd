"""Invitations, password resets and login throttling."""
from peewee import CharField, DateTimeField, ForeignKeyField

from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, Region, utcnow


class Invitation(BaseModel):
    """A single-use link into the network; without an email it is the first-administrator setup."""

    email = CharField(max_length=254, null=True, index=True)
    role = CharField(max_length=20, default="member")
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="SET NULL")
    invited_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    accepted_at = DateTimeField(null=True)
    accepted_by = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    revoked_at = DateTimeField(null=True)

    @property
    def is_setup(self):
        return self.email is None

    def status(self, now):
        """pending, accepted, revoked or expired."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class PasswordReset(BaseModel):
    """A single-use, one-hour password reset link."""

    member = ForeignKeyField(Member, backref="+", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)


class ThrottleEvent(BaseModel):
    """A failed login, counted per account and per address by every worker."""

    key = CharField(max_length=300)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "created_at"), False),)
