"""The moderation log: moderation events of the viewer's spaces, their details, the CSV time."""
import datetime as dt

from r2pnet import permissions
from r2pnet.audit.models import MODERATION_ACTIONS, AuditEvent
from r2pnet.discussions.models import NETWORK, Post
from r2pnet.errors import Forbidden
from r2pnet.members.models import Member, Region
from r2pnet.moderation.items import space_name


def moderation_log(viewer, filters=None):
    """Moderation events of the spaces `viewer` moderates, newest first (network-space events:
    administrators only). Filters: action, space ("network" or a region key), since, until
    (datetimes, until exclusive), item ("thread:12")."""
    if not permissions.can_read_moderation(viewer):
        raise Forbidden("The moderation log is for moderators.")
    filters = filters or {}
    query = (AuditEvent.select()
             .where(AuditEvent.action.in_(MODERATION_ACTIONS))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if not permissions.is_administrator(viewer):
        query = query.where(AuditEvent.region << (
            list(permissions.moderated_region_ids(viewer)) or [0]))
    if filters.get("action"):
        query = query.where(AuditEvent.action == filters["action"])
    space = filters.get("space")
    if space == NETWORK:
        query = query.where(AuditEvent.region.is_null())
    elif space:
        query = query.where(AuditEvent.region == Region.select(Region.id).where(
            Region.key == space))
    if filters.get("item"):
        query = query.where(AuditEvent.item == filters["item"])
    if filters.get("since"):
        query = query.where(AuditEvent.created_at >= filters["since"])
    if filters.get("until"):
        query = query.where(AuditEvent.created_at < filters["until"])
    return query


def log_spaces(viewer):
    """The spaces whose log `viewer` reads, as {key: name}, for the filter."""
    if permissions.is_administrator(viewer):
        regions = Region.ordered()
        return {NETWORK: "Network", **{r.key: r.name for r in regions}}
    ids = list(permissions.moderated_region_ids(viewer)) or [0]
    return {r.key: r.name for r in Region.ordered().where(Region.id.in_(ids))}


def with_details(events):
    """Attach actor, region and the thread of the item to a page of events (3 queries)."""
    member_ids = {e.actor_id for e in events if e.actor_id}
    members = ({m.id: m for m in Member.select(Member.id, Member.name, Member.email)
                .where(Member.id.in_(list(member_ids)))} if member_ids else {})
    regions = {r.id: r for r in Region.select(Region.id, Region.key, Region.name)}
    post_ids = {int(e.item.split(":", 1)[1]) for e in events
                if e.item.startswith("post:") and e.item[5:].isdigit()}
    posts = ({p.id: p for p in Post.select(Post.id, Post.thread, Post.number)
              .where(Post.id.in_(list(post_ids)))} if post_ids else {})
    for event in events:
        event.actor_member = members.get(event.actor_id)
        event.space_name = space_name(event.region_id, regions)
        event.thread_id, event.post_number = None, None
        kind, _, ident = event.item.partition(":")
        if kind == "thread" and ident.isdigit():
            event.thread_id = int(ident)
        elif kind == "post" and ident.isdigit() and int(ident) in posts:
            event.thread_id = posts[int(ident)].thread_id
            event.post_number = posts[int(ident)].number
    return events


def iso_utc(value):
    """A naive UTC datetime as ISO 8601 with its zone."""
    return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds") if value else ""
