"""Who may do what: one set of predicates for views and templates (also Jinja tests)."""
from werkzeug.local import LocalProxy


def _real(member):
    """The member behind Flask-Login's `current_user`: each use of the proxy looks the member
    up again (a dozen steps), and a page asks these predicates dozens of times."""
    return member._get_current_object() if type(member) is LocalProxy else member


def is_administrator(member):
    """An active, signed-in administrator."""
    member = _real(member)
    return bool(member and getattr(member, "is_authenticated", False)
                and member.is_active and member.role == "administrator")


def moderated_region_ids(member):
    """Ids of the regions a moderator runs (cached on the member for the request)."""
    member = _real(member)
    if not member or getattr(member, "is_anonymous", True) or member.role != "moderator":
        return frozenset()
    cached = getattr(member, "_moderated_region_ids", None)
    if cached is None:
        cached = frozenset(row.region_id for row in member.moderated_rows)
        member._moderated_region_ids = cached
    return cached


def member_region_ids(member):
    """The regions whose members-only content `member` may read: their own and those they run."""
    member = _real(member)
    if not member or getattr(member, "is_anonymous", True):
        return frozenset()
    own = {member.region_id} if member.region_id else set()
    return frozenset(own) | moderated_region_ids(member)


def can_moderate_region(member, region_id):
    """Administrators everywhere; moderators in their own regions."""
    return is_administrator(member) or region_id in moderated_region_ids(member)


def can_invite(member, region_id=None, role="member"):
    """Administrators invite anyone; moderators invite members of their regions."""
    member = _real(member)
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
    member = _real(member)
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
    member = _real(member)
    if not member or getattr(member, "is_anonymous", True) or not member.is_active:
        return False
    return (lesson.author_id == member.id or is_administrator(member)
            or (lesson.region_id is not None
                and lesson.region_id in moderated_region_ids(member)))


def can_write_lessons(member):
    """Every active member may share lessons."""
    member = _real(member)
    return bool(member and getattr(member, "is_authenticated", False) and member.is_active)


def _active(member):
    member = _real(member)
    return bool(member and getattr(member, "is_authenticated", False) and member.is_active)


# --- discussions: a space is a region id, or None for the network-wide space --------------

def can_read_space(member, region_id):
    """Network space: every member; a region's space: its members, moderators, administrators."""
    member = _real(member)
    if not _active(member):
        return False
    return region_id is None or is_administrator(member) or region_id in member_region_ids(member)


def can_post_in_space(member, region_id):
    """Whoever may read a space may start threads in it."""
    return can_read_space(member, region_id)


def can_moderate_space(member, region_id):
    """A region's moderators (and administrators); the network space: administrators only."""
    return _active(member) and can_moderate_region(member, region_id)


def can_read_thread(member, thread):
    """The thread's space, and not hidden unless `member` moderates that space."""
    return can_read_space(member, thread.region_id) and (
        not thread.is_hidden or can_moderate_space(member, thread.region_id))


def can_reply(member, thread):
    """Readers reply while the thread is neither locked nor closed."""
    return can_read_thread(member, thread) and not thread.is_locked and thread.closed_at is None


class ThreadRights:
    """What `member` may do with the posts of one thread, the thread decided once (a thread
    page asks for each of its 50 posts)."""

    def __init__(self, member, thread):
        member = _real(member)
        self.thread = thread
        self.reads = can_read_thread(member, thread)
        self.member_id = member.id if self.reads else None
        self.moderates = self.reads and can_moderate_space(member, thread.region_id)
        self.open = not thread.is_locked and thread.closed_at is None

    def can_edit_post(self, post):
        """Authors edit their visible posts in open threads; moderators of the space edit any."""
        return self.moderates or (self.reads and post.author_id == self.member_id
                                  and not post.is_hidden and self.open)

    def can_flag(self, post=None):
        """Readers flag what others wrote."""
        author_id = post.author_id if post is not None else self.thread.author_id
        return self.reads and author_id != self.member_id


def can_edit_post(member, post, thread):
    """Authors edit their visible posts in open threads; moderators of the space edit any."""
    return ThreadRights(member, thread).can_edit_post(post)


def can_flag(member, thread, post=None):
    """Readers flag what others wrote."""
    return ThreadRights(member, thread).can_flag(post)


def can_close_thread(member, thread):
    """The thread's author and the space's moderators record a conclusion."""
    member = _real(member)
    return can_read_thread(member, thread) and (
        thread.author_id == member.id or can_moderate_space(member, thread.region_id))


def can_moderate_thread(member, thread):
    """Hide, lock, pin, move, edit with a reason, dismiss flags: the space's moderators."""
    return can_moderate_space(member, thread.region_id)


def can_read_moderation(member):
    """The moderation queue, log and region dashboard: moderators and administrators."""
    member = _real(member)
    return _active(member) and (is_administrator(member) or bool(moderated_region_ids(member)))


# --- deliberations -----------------------------------------------------------------------

def can_read_deliberation(member, deliberation):
    """The region's members, moderators and administrators."""
    return can_read_space(member, deliberation.region_id)


def can_schedule_deliberation(member, region_id):
    """The region's moderators and administrators (also outcomes, cadence, weekly question)."""
    return region_id is not None and can_moderate_space(member, region_id)


def register(app):
    """Expose the predicates to templates as Jinja tests and globals."""
    for fn in (is_administrator, can_moderate_region, can_invite, can_edit_profile,
               can_see_email, can_manage_members, can_manage_regions, can_read_audit,
               can_edit_lesson, can_write_lessons, can_read_space, can_post_in_space,
               can_moderate_space, can_read_thread, can_reply, can_edit_post, can_flag,
               can_close_thread, can_moderate_thread, can_read_moderation,
               can_read_deliberation, can_schedule_deliberation):
        app.jinja_env.globals[fn.__name__] = fn
