"""Saving a member's digest settings, for the settings page and the API alike."""
from r2pnet.digests.models import DigestSettings
from r2pnet.extensions import db
from r2pnet.members.models import utcnow


def save_settings(member, data):
    """Save the settings; a member who acts after bounces gets digests again."""
    now = utcnow()
    values = {DigestSettings.frequency: data["frequency"], DigestSettings.weekday: data["weekday"],
              DigestSettings.hour: data["hour"], DigestSettings.bounces: 0,
              DigestSettings.stopped_at: None, DigestSettings.updated_at: now}
    with db.atomic():
        (DigestSettings.insert({**values, DigestSettings.member: member.id})
         .on_conflict(conflict_target=[DigestSettings.member], update=values)
         .execute())
