"""Regions and members: what every feature stands on."""
import datetime as dt
import json

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField,
                    IntegerField, TextField, fn)

from r2pnet.extensions import BaseModel

ROLES = ("member", "moderator", "administrator")
EMAIL_VISIBILITY = {
    "network": "Every member of the network",
    "region": "Members of my region, its moderators and administrators",
    "administrators": "Administrators only",
}


def utcnow():
    """Naive UTC now: every timestamp in the database is UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class JSONListField(TextField):
    """A list kept as JSON text, portable across SQLite and PostgreSQL."""

    def db_value(self, value):
        return json.dumps(list(value or []))

    def python_value(self, value):
        return json.loads(value) if value else []


class Region(BaseModel):
    """A region of the network with its regional organizations and member countries."""

    key = CharField(max_length=40, unique=True)
    name = CharField(max_length=120)
    organizations = JSONListField(default=list)
    countries = JSONListField(default=list)
    created_at = DateTimeField(default=utcnow)
    # Optimistic locking: a save names the version it started from.
    version = IntegerField(default=1)

    @classmethod
    def ordered(cls):
        """All regions by name."""
        return cls.select().order_by(cls.name)

    @classmethod
    def default_for_country(cls, country, regions=None):
        """The first region (by name) that lists the country, or None."""
        for region in regions if regions is not None else cls.ordered():
            if country in region.countries:
                return region
        return None


class Member(BaseModel):
    """A person in the network: focal point, moderator or administrator."""

    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=120)
    title = CharField(max_length=160, default="")
    organization = CharField(max_length=200, default="")
    country = CharField(max_length=2, null=True, index=True)
    region = ForeignKeyField(Region, null=True, backref="members", on_delete="SET NULL")
    is_focal_point = BooleanField(default=False)
    focal_point_since = DateField(null=True)
    bio = TextField(default="")
    timezone = CharField(max_length=64, default="UTC")
    email_visibility = CharField(max_length=20, default="network")
    role = CharField(max_length=20, default="member", index=True)
    password_hash = CharField(max_length=255, null=True)
    # Rotated on logout, password change and disabling: kills every copied cookie.
    session_version = CharField(max_length=64)
    disabled_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)
    # Case-folded name, title and organization for the directory search box.
    search_text = CharField(max_length=600, default="")
    # Optimistic locking of profile edits: a save names the version it started from.
    version = IntegerField(default=1)
    # Part of the signed feed token; bumping it invalidates every feed link of the member.
    feed_version = IntegerField(default=1)

    class Meta:
        # (region, disabled_at): each region's active members counted from the index alone.
        indexes = ((("region", "name"), False), (("disabled_at", "name"), False),
                   (("region", "disabled_at"), False))

    @property
    def is_active(self):
        return self.disabled_at is None

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        """The Flask-Login id: member id and session version, so rotation logs out everywhere."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_administrator(self):
        return self.role == "administrator"

    @property
    def is_moderator(self):
        return self.role == "moderator"

    @classmethod
    def active(cls):
        """Members who are not disabled."""
        return cls.select().where(cls.disabled_at.is_null())


# Members in name order (the directory and the API), whole or by region, without a sort.
Member.add_index(Member.index(fn.LOWER(Member.name), Member.id, name="member_lower_name_id"))
Member.add_index(Member.index(Member.region, fn.LOWER(Member.name), Member.id,
                              name="member_region_id_lower_name_id"))


class MemberLanguage(BaseModel):
    """A language a member works in (ISO 639 code)."""

    member = ForeignKeyField(Member, backref="language_rows", on_delete="CASCADE")
    code = CharField(max_length=3)

    class Meta:
        indexes = ((("member", "code"), True), (("code", "member"), False))


class MemberExpertise(BaseModel):
    """An area of expertise from the taxonomy (pillar, priority or risk factor key)."""

    member = ForeignKeyField(Member, backref="expertise_rows", on_delete="CASCADE")
    key = CharField(max_length=40)

    class Meta:
        indexes = ((("member", "key"), True), (("key", "member"), False))


class ModeratorRegion(BaseModel):
    """A region a moderator runs."""

    member = ForeignKeyField(Member, backref="moderated_rows", on_delete="CASCADE")
    region = ForeignKeyField(Region, backref="moderator_rows", on_delete="CASCADE")

    class Meta:
        indexes = ((("member", "region"), True),)
