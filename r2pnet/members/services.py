"""Profiles, the member directory and regions."""
import re
import unicodedata
from collections import namedtuple

from peewee import JOIN, Cast, IntegrityError, Select, fn

from r2pnet import catalogue, permissions, statements
from r2pnet.audit.services import record
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.extensions import db, is_postgres
from r2pnet.members.listed import DIRECTORY_COLUMNS, DirectoryMember
from r2pnet.members.models import (Member, MemberExpertise, MemberLanguage, ModeratorRegion,
                                   Region, utcnow)

EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]\\]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DIRECTORY_PAGE_SIZE = 25
CONFLICT_MESSAGE = ("Someone else saved this while you were editing. Your changes are kept "
                    "below but not saved: compare with the current version, then save again.")


def is_email(value):
    """A plausible single email address (no display name, no header tricks)."""
    return bool(value) and len(value) <= 254 and EMAIL_RE.match(value) is not None


def _search_form(text):
    """Text as the search box compares it: Unicode-normalised and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _unaccented(text):
    """The text without accents, so "Lucia" finds "Lucía" and "Nguyen" finds "Nguyễn"."""
    return unicodedata.normalize("NFC", "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)))


def index_member_text(member):
    """Refresh the case-folded, unaccented text the directory search box matches against."""
    member.search_text = _unaccented(_search_form(" ".join(
        part for part in (member.name, member.title, member.organization) if part)))[:600]


# --- profiles --------------------------------------------------------------------------------

def update_profile(actor, member, data, ip=""):
    """Save validated profile fields (ProfileSchema output), unless someone saved meanwhile."""
    if not permissions.can_edit_profile(actor, member):
        raise Forbidden("You may edit your own profile only.")
    fields = ("name", "title", "organization", "country", "is_focal_point",
              "focal_point_since", "bio", "timezone", "email_visibility")
    for field in fields:
        setattr(member, field, data[field])
    if not member.is_focal_point:
        member.focal_point_since = None
    region_id = data.get("region_id")
    if region_id is None and member.country:
        default = Region.default_for_country(member.country)
        region_id = default.id if default else None
    member.region = region_id
    member.updated_at = utcnow()
    index_member_text(member)
    columns = {f: getattr(member, f) for f in fields}
    columns.update(region=member.region_id, updated_at=member.updated_at,
                   search_text=member.search_text, version=Member.version + 1)
    expected = data.get("version") or member.version
    with db.atomic():
        # Only the profile's columns (a disable or password change made meanwhile stays), and
        # only from the version the editor started from: the second of two editors is told.
        saved = (Member.update(**columns)
                 .where(Member.id == member.id, Member.version == expected)
                 .execute())
        if saved != 1:
            raise Conflict(CONFLICT_MESSAGE)
        member.version = expected + 1
        _replace_rows(MemberLanguage, member, "code", data["languages"])
        _replace_rows(MemberExpertise, member, "key", data["expertise"])
        if actor.id != member.id:
            record("profile_edited", actor=actor, target=member, email=member.email, ip=ip)
    return member


def _replace_rows(model, member, column, values):
    model.delete().where(model.member == member.id).execute()
    rows = [{"member": member.id, column: value} for value in dict.fromkeys(values)]
    if rows:
        model.insert_many(rows).execute()


def profile_form_values(member):
    """A profile as the values of its edit form."""
    return {
        "name": member.name, "title": member.title, "organization": member.organization,
        "country": member.country or "", "region_id": str(member.region_id or ""),
        "is_focal_point": "y" if member.is_focal_point else "",
        "focal_point_since": member.focal_point_since.isoformat()
        if member.focal_point_since else "",
        "languages": member_languages(member), "expertise": member_expertise(member),
        "bio": member.bio, "timezone": member.timezone,
        "email_visibility": member.email_visibility, "version": member.version,
    }


def member_languages(member):
    """A member's language codes, in the order given."""
    return [row.code for row in member.language_rows.order_by(MemberLanguage.id)]


def member_expertise(member):
    """A member's expertise keys, in the order given."""
    return [row.key for row in member.expertise_rows.order_by(MemberExpertise.id)]


def get_member(member_id, viewer):
    """A member visible in the directory; disabled members only to administrators."""
    member = (Member.select(Member, Region)
              .join(Region, JOIN.LEFT_OUTER)
              .where(Member.id == member_id)
              .first())
    if member is None or (not member.is_active and not permissions.is_administrator(viewer)):
        return None
    return member


# --- directory -------------------------------------------------------------------------------

def directory(filters, viewer):
    """The directory query for validated DirectoryQuerySchema filters (not yet paginated)."""
    query = (Member.select(Member, Region)
             .join(Region, JOIN.LEFT_OUTER)
             .switch(Member))
    if filters.get("role") == "disabled" and permissions.is_administrator(viewer):
        query = query.where(Member.disabled_at.is_null(False))
    else:
        query = query.where(Member.disabled_at.is_null())
    if filters.get("region"):
        query = query.where(Region.key == filters["region"])
    if filters.get("country"):
        query = query.where(Member.country == filters["country"])
    if filters.get("language"):
        query = query.where(Member.id.in_(
            MemberLanguage.select(MemberLanguage.member)
            .where(MemberLanguage.code == filters["language"])))
    if filters.get("expertise"):
        query = query.where(Member.id.in_(
            MemberExpertise.select(MemberExpertise.member)
            .where(MemberExpertise.key == filters["expertise"])))
    role = filters.get("role")
    if role in ("member", "moderator", "administrator"):
        query = query.where(Member.role == role)
    elif role == "focal_point":
        query = query.where(Member.is_focal_point == True)  # noqa: E712
    if filters.get("q"):
        for word in _unaccented(_search_form(filters["q"])).split()[:8]:
            query = query.where(Member.search_text.contains(word))
    return query.order_by(fn.LOWER(Member.name), Member.id)




def directory_page(filters, viewer, page=1, per_page=DIRECTORY_PAGE_SIZE, keep=None):
    """One page of the directory with the total and languages, in two queries.

    `keep(key, compute)`, when given, may keep the page's choice and total (see
    r2pnet/catalogue.py): its members are then read again by id.
    """
    def choose():
        query = directory(filters, viewer)
        total = query.select(Member.id).order_by().count()  # no sort inside the count
        return [DirectoryMember(row) for row in query.select(*DIRECTORY_COLUMNS,
                                                             *member_lists("languages"))
                .paginate(page, per_page).tuples()], total

    members, total = catalogue.kept_items(keep, ("directory", page, per_page), choose,
                                          listed_members)
    return members, total


def listed_members(ids):
    """The DirectoryMembers of these ids, in no order (one statement, built once per number of
    ids)."""
    def build(ids):
        return (Member.select(*DIRECTORY_COLUMNS, *member_lists("languages"))
                .join(Region, JOIN.LEFT_OUTER, on=(Member.region == Region.id))
                .where(Member.id.in_(ids)))

    return [DirectoryMember(row)
            for row in statements.run("listed members", build, tuple(ids), raw=True)]


# A member's lists, attached (`_attach`) or read as columns (`member_lists`): (their table's
# column, its order).
MEMBER_LISTS = {"languages": (MemberLanguage.code, MemberLanguage.id),
                "expertise": (MemberExpertise.key, MemberExpertise.id),
                "moderated_region_ids": (ModeratorRegion.region, ModeratorRegion.region)}


def _attach(members, attribute):
    """Give each member its list `attribute` (MEMBER_LISTS), in one query for the page."""
    column, order = MEMBER_LISTS[attribute]
    by_id = {m.id: m for m in members}
    for member in members:
        setattr(member, attribute, [])
    owner = column.model.member

    def build(member_ids):  # (member id, value); a foreign key's value is its id
        return (column.model.select(owner, column).where(owner.in_(member_ids))
                .order_by(order).tuples())

    # A page's statement is built once per length (statements.run); a longer list's each time.
    # Its rows are ids and plain text as the driver gives them: nothing to convert.
    rows = (statements.run(("attach", attribute), build, tuple(by_id), raw=True)
            if 0 < len(by_id) <= statements.MAX_LISTED else build(list(by_id)) if by_id else ())
    for member_id, value in rows:
        getattr(by_id[member_id], attribute).append(value)
    return members


def member_lists(*names):
    """Columns giving each member's lists (MEMBER_LISTS) in a list's own statement, each one
    text of the values in order, joined by commas (None for none): `listed.read_list` reads
    it. A page then needs no statement per list."""
    columns = []
    for name in names:
        column, order = MEMBER_LISTS[name]
        table = column.model
        if is_postgres():
            columns.append(table.select(fn.string_agg(Cast(column, "text"), ",").order_by(order))
                           .where(table.member == Member.id).alias(name))
        else:
            ordered = (table.select(column.alias("value")).where(table.member == Member.id)
                       .order_by(order).alias(f"{name}_in_order"))
            columns.append(Select([ordered], [fn.group_concat(ordered.c.value, ",")])
                           .alias(name))
    return columns


def attach_languages(members):
    """Give each member a `languages` list, in one query for the whole page."""
    return _attach(members, "languages")


def attach_expertise(members):
    """Give each member an `expertise` list, in one query for the whole page."""
    return _attach(members, "expertise")


def attach_moderated_region_ids(members):
    """Give each member `moderated_region_ids` (the regions they run), in one query."""
    return _attach(members, "moderated_region_ids")


def regions_in_order():
    """Every region by name (its statement built once, its rows converted once while they
    stay the same)."""
    return statements.run_kept("regions in order", Region.ordered)


def regions_with_counts():
    """Every region with its number of active members, in one query."""
    return (Region.select(Region, fn.COUNT(Member.id).alias("member_count"))
            .join(Member, JOIN.LEFT_OUTER, on=((Member.region == Region.id)
                                               & Member.disabled_at.is_null()))
            .group_by(Region.id)
            .order_by(Region.name))


RegionCard = namedtuple("RegionCard", "id key name member_count")


def region_cards():
    """Every region's key and name with its number of active members (the home page's
    cards), kept until the members or regions change (r2pnet/catalogue.py)."""
    return catalogue.kept(("members",), ("region cards",), lambda: [
        RegionCard(*row) for row in statements.run("region cards", lambda: (
            Region.select(Region.id, Region.key, Region.name,
                          fn.COUNT(Member.id).alias("member_count"))
            .join(Member, JOIN.LEFT_OUTER, on=((Member.region == Region.id)
                                               & Member.disabled_at.is_null()))
            .group_by(Region.id, Region.key, Region.name)
            .order_by(Region.name)
            .tuples()))])


def moderators_of(member):
    """The regions a moderator runs."""
    return list(Region.select().join(ModeratorRegion)
                .where(ModeratorRegion.member == member.id).order_by(Region.name))


# --- regions ---------------------------------------------------------------------------------

def _organizations(text):
    return [line.strip() for line in re.split(r"[\n;]", text or "") if line.strip()][:30]


def save_region(actor, region, data, ip=""):
    """Create (region None) or update a region from validated RegionSchema data."""
    if not permissions.can_manage_regions(actor):
        raise Forbidden("Only administrators manage regions.")
    creating = region is None
    region = region or Region()
    region.key = data["key"]
    region.name = data["name"]
    region.organizations = _organizations(data["organizations"])
    region.countries = sorted(set(data["countries"]))
    try:
        with db.atomic():
            if creating:
                region.save()
            else:
                expected = data.get("version") or region.version
                saved = (Region.update(key=region.key, name=region.name,
                                       organizations=region.organizations,
                                       countries=region.countries, version=Region.version + 1)
                         .where(Region.id == region.id, Region.version == expected)
                         .execute())
                if saved != 1:
                    raise Conflict(CONFLICT_MESSAGE)
                region.version = expected + 1
            record("region_created" if creating else "region_edited", actor=actor, ip=ip,
                   detail=f"{region.key}: {region.name}")
    except IntegrityError:
        raise DomainError("Another region already uses this key.", "key") from None
    return region


def seed_regions(regions):
    """Insert default regions that are missing (by key)."""
    existing = {r.key for r in Region.select(Region.key)}
    with db.atomic():
        for data in regions:
            if data["key"] not in existing:
                Region.create(key=data["key"], name=data["name"],
                              organizations=list(data["organizations"]),
                              countries=list(data["countries"]))
