"""Personal access tokens for the JSON API."""
from peewee import CharField, DateTimeField, ForeignKeyField

from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, utcnow

SCOPES = {
    "read": "Read only",
    "read-write": "Read and write",
}


class ApiToken(BaseModel):
    """A token a member made for a program: only its SHA-256 is stored, never the token."""

    member = ForeignKeyField(Member, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=80)
    scope = CharField(max_length=10)
    prefix = CharField(max_length=16)
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    last_used_at = DateTimeField(null=True)
    last_used_ip = CharField(max_length=64, default="")
    revoked_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("member", "created_at"), False),)

    @property
    def can_write(self):
        return self.scope == "read-write"

    def status(self, now=None):
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "active"
