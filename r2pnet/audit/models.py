"""The audit log: who did what, to whom, when and why."""
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, utcnow

ACTIONS = {
    "setup": "First administrator set up",
    "invited": "Invited",
    "invitation_revoked": "Invitation revoked",
    "joined": "Joined",
    "logged_in": "Logged in",
    "login_failed": "Failed login",
    "login_throttled": "Login throttled",
    "logged_out": "Logged out",
    "reset_requested": "Password reset requested",
    "reset": "Password reset",
    "password_changed": "Password changed",
    "role_changed": "Role changed",
    "moderator_regions_changed": "Moderator regions changed",
    "disabled": "Disabled",
    "enabled": "Re-enabled",
    "profile_edited": "Profile edited by an administrator",
    "region_created": "Region created",
    "region_edited": "Region edited",
    "lesson_created": "Lesson created",
    "lesson_edited": "Lesson edited",
    "lesson_visibility_changed": "Lesson visibility changed",
    "attachment_added": "Lesson attachment added",
    "attachment_removed": "Lesson attachment removed",
    "feed_token_reset": "Lesson feed addresses reset",
}


class AuditEvent(BaseModel):
    """One security-relevant event."""

    created_at = DateTimeField(default=utcnow, index=True)
    action = CharField(max_length=40)
    actor = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    target = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    email = CharField(max_length=254, default="")
    ip = CharField(max_length=64, default="")
    detail = TextField(default="")

    class Meta:
        indexes = ((("action", "created_at"), False), (("actor", "created_at"), False),
                   (("target", "created_at"), False))
