"""API: the member directory, profiles and regions (with their cadence for moderators)."""

from flask import current_app
from flask_login import current_user
from peewee import JOIN, fn

from r2pnet import catalogue, fragments, permissions, statements
from r2pnet.api.core import deployment_address, etag_of, operation, web_url, with_etag
from r2pnet.api.dumping import dumper
from r2pnet.api.paging import Key, Page, keyset_page, paginate
from r2pnet.api.problems import Problem
from r2pnet.deliberations import dashboard
from r2pnet.discussions.models import Thread
from r2pnet.forms import shared_schema
from r2pnet.members import listed, services
from r2pnet.members.api_schemas import (MemberListQuery, MemberOut, RegionListQuery, RegionOut,
                                        RegionQuery)
from r2pnet.members.models import Member, Region
from r2pnet.moderation.models import Flag

def region_ref(region):
    return {"id": region.id, "key": region.key, "name": region.name}


def describe_members(members, viewer):
    """Everything MemberOut shows, for a whole page of members in three queries."""
    _attach_lists(members)
    for member in members:
        _describe(member, permissions.can_see_email(viewer, member))
    return members


def _attach_lists(members):
    services.attach_languages(members)
    services.attach_expertise(members)
    services.attach_moderated_region_ids(members)


def _describe(member, shows_email):
    member.region_ref = region_ref(member.region) if member.region_id else None
    member.shown_email = member.email if shows_email else None
    member.is_disabled = not member.is_active
    member.url = web_url("members.profile", member_id=member.id)
    return member


def _listed_item(member, viewer, address):
    """A listed member's item as MemberOut dumps it, kept per process under a key of
    everything it shows (r2pnet/fragments.py): its row, lists, whether the caller may read
    its email address, and the deployment's address. Kept items are shared: never change one."""
    shows_email = permissions.can_see_email(viewer, member)
    key = ("api member item", *address,
           member.row, tuple(member.languages),
           tuple(member.expertise), tuple(member.moderated_region_ids), shows_email)
    return fragments.kept(key, _dumped_member, member, shows_email)


def _dumped_member(member, shows_email):
    return dumper(MemberOut).dump(_describe(member, shows_email))


def _listed_by_id(ids):
    """The listed members of these ids, in no order (one statement, built once per length)."""
    def build(ids):
        return (Member.select(*listed.COLUMNS, *services.member_lists(*listed.LISTS))
                .join(Region, JOIN.LEFT_OUTER, on=(Member.region == Region.id))
                .where(Member.id.in_(ids)))

    return [listed.ListedMember(row)
            for row in statements.run("api listed members", build, tuple(ids), raw=True)]


# --- members ---------------------------------------------------------------------------------

def _by_name(query, limit, cursor):
    """Keyset pagination in the directory's order: case-folded name, then id (ListedMembers)."""
    sort = fn.LOWER(Member.name)
    keys = [Key(sort, False, "str", name="sort_name"), Key(Member.id, False)]
    rows, next_cursor = keyset_page(query.select(*listed.COLUMNS,
                                                 *services.member_lists(*listed.LISTS),
                                                 sort.alias("sort_name")),
                                    keys, "name", limit, cursor, row=listed.ListedMember)
    return Page(rows, next_cursor)


@operation("/members", summary="The member directory", tag="members", query=MemberListQuery,
           response=MemberOut, paginated=True, kept=True, description=(
               "Active members by name, with the directory's filters (disabled members: "
               "administrators only, with role=disabled). Email addresses only where their "
               "owner shares them with you."))
def list_members(query):
    """The directory, one page at a time, in its order (name, then id)."""
    viewer = current_user._get_current_object()
    def choose():
        page = _by_name(services.directory(query, viewer), query["limit"], query["cursor"])
        return page.items, page.next_cursor

    # The page's choice is kept until the directory changes (r2pnet/catalogue.py); its
    # members are then read again by id.
    items, next_cursor = catalogue.kept_items(
        lambda key, compute: catalogue.kept(("members",), key, compute),
        ("api members", catalogue.frozen(query), permissions.is_administrator(viewer)),
        choose, _listed_by_id)
    address = deployment_address()
    return Page([_listed_item(member, viewer, address) for member in items], next_cursor,
                dumped=True)


@operation("/members/<int:member_id>", summary="A member's profile", tag="members",
           response=MemberOut, etag=True)
def get_member(member_id):
    """One member, as their profile page shows them to you."""
    viewer = current_user._get_current_object()
    member = services.get_member(member_id, viewer)
    if member is None:
        raise Problem(404)
    payload = shared_schema(MemberOut).dump(describe_members([member], viewer)[0])
    return with_etag(payload, etag_of("member", member.id, payload))


# --- regions ---------------------------------------------------------------------------------

def _unanswered_after(query):
    return query.get("unanswered_after_days") or current_app.config["UNANSWERED_AFTER_DAYS"]


def _open_flags(region_ids):
    """{region id: open flags on its threads and posts}, in one query."""
    if not region_ids:
        return {}
    return dict(Flag.select(Thread.region, fn.COUNT(Flag.id))
                .join(Thread, on=(Flag.thread == Thread.id))
                .where(Flag.resolved_at.is_null(), Thread.region.in_(region_ids))
                .group_by(Thread.region)
                .tuples())


def _cadence(row, days, flags):
    nxt, question = row.next, row.question
    return {
        "cadence_days": row.cadence_days, "last_held_at": row.last_held_at,
        "days_since_last": row.days_since, "overdue": row.overdue,
        "next_deliberation": None if nxt is None else {
            "id": nxt.id, "title": nxt.title, "starts_at": nxt.starts_at,
            "url": web_url("deliberations.deliberation_page", deliberation_id=nxt.id)},
        "threads_last_30_days": row.threads, "replies_last_30_days": row.replies,
        "unanswered_threads": row.unanswered, "unanswered_after_days": days,
        "open_flags": flags.get(row.region.id, 0),
        "question_of_the_week": None if question is None else {
            "text": question.text, "asked_at": question.created_at,
            "thread_id": question.thread_id},
    }


def describe_regions(regions, viewer, days):
    """Links, and the dashboard's figures for the regions `viewer` moderates (else None)."""
    rows = {row.region.id: row for row in dashboard.region_rows(viewer, days)}
    flags = _open_flags(list(rows))
    for region in regions:
        row = rows.get(region.id)
        region.cadence = _cadence(row, days, flags) if row is not None else None
        region.url = web_url("discussions.region_space", key=region.key)
    return regions


@operation("/regions", summary="Regions", tag="regions", query=RegionListQuery,
           response=RegionOut, paginated=True, description=(
               "Every region with its number of active members, and its cadence figures "
               "where you moderate it (administrators: every region; others: null)."))
def list_regions(query):
    """Regions in a stable order (by id)."""
    viewer = current_user._get_current_object()
    page = paginate(services.regions_with_counts(), Region.id, query["limit"], query["cursor"],
                    descending=False)
    describe_regions(page.items, viewer, _unanswered_after(query))
    return page


@operation("/regions/<int:region_id>", summary="A region", tag="regions", query=RegionQuery,
           response=RegionOut, etag=True, description=(
               "One region; its cadence figures where you moderate it (administrators: every "
               "region; others: null)."))
def get_region(region_id, query):
    """One region, with its cadence figures for its moderators."""
    viewer = current_user._get_current_object()
    region = services.regions_with_counts().where(Region.id == region_id).first()
    if region is None:
        raise Problem(404)
    described = describe_regions([region], viewer, _unanswered_after(query))[0]
    payload = shared_schema(RegionOut).dump(described)
    return with_etag(payload, etag_of("region", region.id, payload))
