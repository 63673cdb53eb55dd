"""The audit log: who did what, to whom, when and why."""
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from r2pnet.extensions import BaseModel
from r2pnet.members.models import Member, Region, utcnow

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
    "api_token_created": "API token created",
    "api_token_revoked": "API token revoked",
    "thread_hidden": "Thread hidden",
    "thread_unhidden": "Thread unhidden",
    "post_hidden": "Post hidden",
    "post_unhidden": "Post unhidden",
    "thread_auto_hidden": "Thread hidden by flags, pending review",
    "post_auto_hidden": "Post hidden by flags, pending review",
    "thread_locked": "Thread locked",
    "thread_unlocked": "Thread unlocked",
    "thread_pinned": "Thread pinned",
    "thread_unpinned": "Thread unpinned",
    "thread_moved": "Thread moved to another space",
    "thread_closed": "Thread closed with a conclusion",
    "thread_reopened": "Thread reopened",
    "post_edited_by_moderator": "Post edited by a moderator",
    "flags_dismissed": "Flags dismissed",
    "deliberation_scheduled": "Deliberation scheduled",
    "deliberation_changed": "Deliberation changed",
    "deliberation_cancelled": "Deliberation cancelled",
    "deliberation_outcome": "Deliberation outcome recorded",
    "cadence_changed": "Deliberation cadence changed",
    "question_set": "Question of the week set",
}
# The moderation actions: the log moderators read for their regions.
MODERATION_ACTIONS = tuple(action for action in ACTIONS if action.startswith(
    ("thread_", "post_", "flags_", "deliberation_", "cadence_", "question_")))


class AuditEvent(BaseModel):
    """One security-relevant event."""

    created_at = DateTimeField(default=utcnow, index=True)
    action = CharField(max_length=40)
    actor = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    target = ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
    email = CharField(max_length=254, default="")
    ip = CharField(max_length=64, default="")
    detail = TextField(default="")
    # Moderation events: the region whose space it happened in, the item and the reason given.
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="SET NULL")
    item = CharField(max_length=40, default="")
    reason = TextField(default="")

    class Meta:
        indexes = ((("action", "created_at"), False), (("actor", "created_at"), False),
                   (("target", "created_at"), False), (("region", "created_at"), False))
