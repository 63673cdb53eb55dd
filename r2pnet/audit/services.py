"""Writing and reading the audit log."""
from r2pnet.audit.models import AuditEvent
from r2pnet.members.models import Member


def record(action, *, actor=None, target=None, email="", ip="", detail="", region=None,
           item="", reason=""):
    """Append one event to the audit log (inside the caller's transaction)."""
    return AuditEvent.create(action=action, actor=actor, target=target,
                             email=(email or "")[:254], ip=(ip or "")[:64], detail=detail or "",
                             region=region, item=(item or "")[:40], reason=reason or "")


def events(action=None, member_id=None, email=None, since=None, until=None):
    """Audit events, newest first, filtered by action, member (as actor or target) and dates."""
    query = AuditEvent.select().order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if member_id:
        query = query.where((AuditEvent.actor == member_id) | (AuditEvent.target == member_id))
    if email:
        query = query.where(AuditEvent.email.contains(email.strip().lower()))
    if since:
        query = query.where(AuditEvent.created_at >= since)
    if until:
        query = query.where(AuditEvent.created_at < until)
    return query


def with_members(page):
    """Attach actor and target members to a page of events in one query."""
    ids = {e.actor_id for e in page} | {e.target_id for e in page}
    ids.discard(None)
    members = {m.id: m for m in Member.select(Member.id, Member.name, Member.email)
               .where(Member.id.in_(list(ids)))} if ids else {}
    for event in page:
        event.actor_member = members.get(event.actor_id)
        event.target_member = members.get(event.target_id)
    return page
