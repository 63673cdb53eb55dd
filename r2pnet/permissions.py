"""Who may do what: one set of predicates for views and templates (also Jinja tests)."""


def is_administrator(member):
    """An active, signed-in administrator."""
    return bool(member and getattr(member, "is_authenticated", False)
                and member.is_active and member.role == "administrator")


def moderated_region_ids(member):
    """Ids of the regions a moderator runs (cached on the member for the request)."""
    if not member or getattr(member, "is_anonymous", True) or member.role != "moderator":
        return frozenset()
    cached = getattr(member, "_moderated_region_ids", None)
    if cached is None:
        cached = frozenset(row.region_id for row in member.moderated_rows)
        member._moderated_region_ids = cached
    return cached


def member_region_ids(member):
    """The regions whose members-only content `member` may read: their own and those they run."""
    if not member or getattr(member, "is_anonymous", True):
        return frozenset()
    own = {member.region_id} if member.region_id else set()
    return frozenset(own) | moderated_region_ids(member)


def can_moderate_region(member, region_id):
    """Administrators everywhere; moderators in their own regions."""
    return is_administrator(member) or region_id in moderated_region_ids(member)


def can_invite(member, region_id=None, role="member"):
    """Administrators invite anyone; moderators invite members of their regions."""
    if is_administrator(member):
        return True
    if role != "member":
        return False
    if region_id is None:
        return bool(moderated_region_ids(member))
    return region_id in moderated_region_ids(member)


def can_edit_profile(member, profile):
    """Members edit their own profile; administrators edit any."""
    return is_administrator(member) or (member is not None and member.id == profile.id)


def can_see_email(member, profile):
    """Whether `member` may read `profile`'s email address, as the profile owner chose."""
    if member is None or getattr(member, "is_anonymous", True):
        return False
    if member.id == profile.id or is_administrator(member):
        return True
    if profile.email_visibility == "network":
        return True
    if profile.email_visibility == "region":
        return profile.region_id is not None and (
            member.region_id == profile.region_id
            or profile.region_id in moderated_region_ids(member))
    return False


def can_manage_members(member):
    """Roles, moderator regions, disabling: administrators only."""
    return is_administrator(member)


def can_manage_regions(member):
    """Creating and editing regions: administrators only."""
    return is_administrator(member)


def can_read_audit(member):
    """The audit log: administrators only."""
    return is_administrator(member)


def can_edit_lesson(member, lesson):
    """The author, administrators, and moderators of the lesson's region."""
    if not member or getattr(member, "is_anonymous", True) or not member.is_active:
        return False
    return (lesson.author_id == member.id or is_administrator(member)
            or (lesson.region_id is not None
                and lesson.region_id in moderated_region_ids(member)))


def can_write_lessons(member):
    """Every active member may share lessons."""
    return bool(member and getattr(member, "is_authenticated", False) and member.is_active)


def register(app):
    """Expose the predicates to templates as Jinja tests and globals."""
    for fn in (is_administrator, can_moderate_region, can_invite, can_edit_profile,
               can_see_email, can_manage_members, can_manage_regions, can_read_audit,
               can_edit_lesson, can_write_lessons):
        app.jinja_env.globals[fn.__name__] = fn
