"""Members as the directory page and the API's directory list them, read from plain rows:
peewee made two model objects per row (of every column of a member, for the API), most of a
list's time."""
from typing import NamedTuple

from r2pnet.members.models import Member, Region

# What the API shows of a listed member (and decides its email address by), then the region.
COLUMNS = (Member.id, Member.name, Member.title, Member.organization, Member.country,
           Member.region, Member.role, Member.is_focal_point, Member.focal_point_since,
           Member.bio, Member.timezone, Member.email, Member.email_visibility,
           Member.disabled_at, Region.id, Region.key, Region.name)
# The member's lists that follow COLUMNS (members.services.member_lists).
LISTS = ("languages", "expertise", "moderated_region_ids")
# Every value a ListedMember holds from its row (with its region).
ROW_VALUES = ("id", "name", "title", "organization", "country", "region_id", "role",
              "is_focal_point", "focal_point_since", "bio", "timezone", "email",
              "email_visibility", "disabled_at", "region")


def read_list(text, kind=str):
    """A list column of `members.services.member_lists` as a list of `kind`."""
    return [kind(value) for value in text.split(",")] if text else []


class ListedRegion(NamedTuple):
    """A listed member's region."""

    id: int
    key: str
    name: str


class ListedMember:
    """One row of COLUMNS and the member's lists (LISTS, then, on the API's first page choice,
    its sort name), with what the API adds (members.api._describe); `row`, the row itself."""

    __slots__ = (*ROW_VALUES, "sort_name", "languages", "expertise", "moderated_region_ids",
                 "region_ref", "shown_email", "is_disabled", "url", "row")

    def __init__(self, row):
        (self.id, self.name, self.title, self.organization, self.country, self.region_id,
         self.role, is_focal_point, focal_point_since, self.bio, self.timezone, self.email,
         self.email_visibility, disabled_at, region_id, region_key, region_name,
         languages, expertise, moderated_region_ids, *extra) = row
        self.is_focal_point = bool(is_focal_point)
        self.focal_point_since = Member.focal_point_since.python_value(focal_point_since)
        self.disabled_at = Member.disabled_at.python_value(disabled_at)
        self.region = None if region_id is None else ListedRegion(region_id, region_key,
                                                                   region_name)
        self.sort_name = extra[0] if extra else None
        self.languages, self.expertise = read_list(languages), read_list(expertise)
        self.moderated_region_ids = read_list(moderated_region_ids, int)
        self.region_ref = self.shown_email = self.is_disabled = self.url = None
        # The row as read (without the sort name): it decides every value above, for keys.
        self.row = row[:len(COLUMNS) + len(LISTS)] if extra else row

    @property
    def is_active(self):
        return self.disabled_at is None


# What a directory card shows of a member (not their biography, password hash or search text),
# then the region.
DIRECTORY_COLUMNS = (Member.id, Member.name, Member.title, Member.organization, Member.country,
                     Member.region, Member.is_focal_point, Member.role, Member.disabled_at,
                     Region.id, Region.key, Region.name)


class DirectoryMember:
    """One row of DIRECTORY_COLUMNS and the member's languages (members.services.member_lists)."""

    __slots__ = ("id", "name", "title", "organization", "country", "region_id",
                 "is_focal_point", "role", "disabled_at", "region", "languages")

    def __init__(self, row):
        (self.id, self.name, self.title, self.organization, self.country, self.region_id,
         is_focal_point, self.role, disabled_at, region_id, region_key, region_name,
         languages) = row
        self.is_focal_point = bool(is_focal_point)
        self.disabled_at = Member.disabled_at.python_value(disabled_at)
        self.region = None if region_id is None else ListedRegion(region_id, region_key,
                                                                   region_name)
        self.languages = read_list(languages)

    @property
    def is_active(self):
        return self.disabled_at is None
