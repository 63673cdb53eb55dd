"""Account actions: invitations, first administrator, login, resets, passwords, roles."""
import datetime as dt
import secrets

from peewee import JOIN, IntegrityError

from r2pnet import mail
from r2pnet.accounts.models import Invitation, PasswordReset, ThrottleEvent
from r2pnet.accounts.passwords import (hash_password, needs_rehash, password_problem,
                                       verify_password)
from r2pnet.accounts.tokens import hash_token, new_token
from r2pnet.audit.services import record
from r2pnet.errors import DomainError, Forbidden
from r2pnet.extensions import db
from r2pnet.members.models import ROLES, Member, ModeratorRegion, Region, utcnow
from r2pnet.members.services import index_member_text, is_email
from r2pnet import permissions

INVITATION_LIFETIME = dt.timedelta(days=7)
RESET_LIFETIME = dt.timedelta(hours=1)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 30
RESET_REQUEST_LIMIT = 3
RESET_REQUEST_WINDOW = dt.timedelta(hours=1)


class InvalidToken(DomainError):
    """A link that is unknown, used, revoked or expired (all answered alike)."""

    def __init__(self):
        super().__init__("This link is invalid or has expired. Ask for a new one.")


class LoginFailed(DomainError):
    """Wrong email or password (the same answer whichever was wrong)."""

    def __init__(self):
        super().__init__("The email address or password is not correct.")


class LoginThrottled(DomainError):
    """Too many failures for this account or address."""

    def __init__(self):
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        super().__init__(f"Too many failed attempts. Wait {minutes} minutes and try again, "
                         "or reset your password.")


def normalise_email(email):
    """Emails are compared trimmed and lower-cased."""
    return (email or "").strip().lower()


def checked_email(email, field="email"):
    """A normalised, plausible email address, or a DomainError naming the field."""
    email = normalise_email(email)
    if not is_email(email):
        raise DomainError("Enter a valid email address, such as name@ministry.gov.", field)
    return email


def new_session_version():
    """A fresh value for Member.session_version."""
    return secrets.token_hex(16)


def rotate_sessions(member):
    """Invalidate every session and remember-me cookie of the member."""
    member.session_version = new_session_version()
    Member.update(session_version=member.session_version).where(Member.id == member.id).execute()
    return member


# --- first administrator -------------------------------------------------------------------

def administrator_exists():
    """True once the network has an administrator."""
    return Member.select().where(Member.role == "administrator").exists()


def create_setup_link():
    """A one-time link that creates the first administrator; earlier ones stop working."""
    now = utcnow()
    with db.atomic():
        (Invitation.update(revoked_at=now)
         .where(Invitation.email.is_null(), Invitation.accepted_at.is_null(),
                Invitation.revoked_at.is_null())
         .execute())
        raw, digest = new_token()
        Invitation.create(email=None, role="administrator", token_hash=digest,
                          expires_at=now + INVITATION_LIFETIME)
    return raw


# --- invitations -----------------------------------------------------------------------------

def invite(email, role, region_id, invited_by=None, ip=""):
    """Invite someone to the network and email them a single-use link; returns the raw token."""
    email = checked_email(email)
    if role not in ("member", "moderator", "administrator"):
        raise DomainError("Choose member, moderator or administrator.", "role")
    region = Region.get_or_none(Region.id == region_id) if region_id else None
    if region_id and region is None:
        raise DomainError("Choose a region from the list.", "region_id")
    if role in ("member", "moderator") and region is None:
        raise DomainError("Choose the region the new member belongs to.", "region_id")
    if invited_by is not None and not permissions.can_invite(invited_by, region.id if region
                                                             else None, role):
        raise Forbidden("You may invite members of your own regions only.", "region_id")
    now = utcnow()
    raw, digest = new_token()
    with db.atomic():
        existing = Member.get_or_none(Member.email == email)
        (Invitation.update(revoked_at=now)
         .where(Invitation.email == email, Invitation.accepted_at.is_null(),
                Invitation.revoked_at.is_null())
         .execute())
        invitation = Invitation.create(email=email, role=role, region=region,
                                       invited_by=invited_by, token_hash=digest,
                                       expires_at=now + INVITATION_LIFETIME)
        record("invited", actor=invited_by, target=existing, email=email, ip=ip,
               detail=f"role {role}" + (f", region {region.name}" if region else ""))
        if existing is not None:
            # Same answer to the inviter, down to the invitation's "pending" status (its link is
            # never sent, so it cannot be used); the member is told how to sign in instead.
            msg = mail.build_message("already_member", email, "You already have an r2pnet account",
                                     member=existing)
        else:
            msg = mail.build_message(
                "invitation", email, "You are invited to join r2pnet",
                invitation=invitation, inviter=invited_by, token=raw,
                expires_at=invitation.expires_at)
        mail.send_after_commit(msg)
    return raw


def revoke_invitation(invitation_id, actor, ip=""):
    """Stop a pending invitation's link from working."""
    invitation = Invitation.get_or_none(Invitation.id == invitation_id)
    if invitation is None or invitation.is_setup or not permissions.can_invite(
            actor, invitation.region_id, invitation.role):
        raise Forbidden("You cannot revoke this invitation.")
    with db.atomic():
        changed = (Invitation.update(revoked_at=utcnow())
                   .where(Invitation.id == invitation.id, Invitation.accepted_at.is_null(),
                          Invitation.revoked_at.is_null())
                   .execute())
        if changed:
            record("invitation_revoked", actor=actor, email=invitation.email, ip=ip)
    return bool(changed)


def pending_invitation(raw):
    """The invitation a link stands for, if it can still be accepted."""
    invitation = Invitation.get_or_none(Invitation.token_hash == hash_token(raw))
    if invitation is None or invitation.status(utcnow()) != "pending":
        raise InvalidToken()
    if invitation.is_setup and administrator_exists():
        raise InvalidToken()  # the network was set up meanwhile (say, with create-admin)
    return invitation


def accept_invitation(raw, name, password, email=None, ip=""):
    """Redeem an invitation (or the setup link): create the member and return it."""
    invitation = pending_invitation(raw)
    email = checked_email(email) if invitation.is_setup else invitation.email
    problem = password_problem(password, email, name)
    if problem:
        raise DomainError(problem, "password")
    password_hash = hash_password(password)
    with db.atomic():
        # The conditional update lets exactly one of two parallel redemptions through.
        claimed = (Invitation.update(accepted_at=utcnow())
                   .where(Invitation.id == invitation.id, Invitation.accepted_at.is_null(),
                          Invitation.revoked_at.is_null(), Invitation.expires_at > utcnow())
                   .execute())
        if claimed != 1:
            raise InvalidToken()
        if invitation.is_setup and administrator_exists():
            raise InvalidToken()
        region = invitation.region
        member = Member(email=email, name=name.strip(), role=invitation.role, region=region,
                        password_hash=password_hash, session_version=new_session_version(),
                        timezone="UTC")
        if region is not None and region.countries and len(region.countries) == 1:
            member.country = region.countries[0]
        index_member_text(member)
        try:
            with db.atomic():
                member.save()
        except IntegrityError:
            raise DomainError("An account with this email address already exists; sign in "
                              "or reset your password.", "email") from None
        if invitation.role == "moderator" and region is not None:
            ModeratorRegion.create(member=member, region=region)
        Invitation.update(accepted_by=member).where(Invitation.id == invitation.id).execute()
        record("setup" if invitation.is_setup else "joined", actor=member, target=member,
               email=email, ip=ip, detail=f"role {invitation.role}")
    return member


def invitations_for(actor):
    """Invitations the actor may see and revoke, newest first."""
    query = (Invitation.select(Invitation, Region)
             .join(Region, JOIN.LEFT_OUTER, on=(Invitation.region == Region.id))
             .switch(Invitation)
             .where(Invitation.email.is_null(False))
             .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    if not permissions.is_administrator(actor):
        ids = list(permissions.moderated_region_ids(actor)) or [0]
        query = query.where(Invitation.region.in_(ids), Invitation.role == "member")
    return query


# --- login and throttling ------------------------------------------------------------------

def _throttle_keys(email, ip):
    return f"account:{normalise_email(email)}", f"address:{ip or 'unknown'}"


def _failures(key, since):
    return ThrottleEvent.select().where(ThrottleEvent.key == key,
                                        ThrottleEvent.created_at > since).count()


def is_throttled(email, ip):
    """True when the account or the address has failed too often recently."""
    since = utcnow() - THROTTLE_WINDOW
    account_key, address_key = _throttle_keys(email, ip)
    return (_failures(account_key, since) >= ACCOUNT_FAILURE_LIMIT
            or _failures(address_key, since) >= ADDRESS_FAILURE_LIMIT)


def authenticate(email, password, ip=""):
    """The member for these credentials; raises LoginFailed or LoginThrottled (and audits)."""
    email = normalise_email(email)
    if is_throttled(email, ip):
        verify_password(None, password)
        with db.atomic():
            record("login_throttled", email=email, ip=ip)
        raise LoginThrottled()
    member = Member.get_or_none(Member.email == email)
    ok = verify_password(member.password_hash if member else None, password)
    if not ok or member is None or not member.is_active:
        with db.atomic():
            for key in _throttle_keys(email, ip):
                ThrottleEvent.create(key=key)
            record("login_failed", target=member, email=email, ip=ip,
                   detail="" if ok or member is None else "wrong password")
        raise LoginFailed()
    with db.atomic():
        account_key, _ = _throttle_keys(email, ip)
        ThrottleEvent.delete().where(ThrottleEvent.key == account_key).execute()
        updates = {"last_login_at": utcnow()}
        if needs_rehash(member.password_hash):
            updates["password_hash"] = hash_password(password)
        Member.update(**updates).where(Member.id == member.id).execute()
        record("logged_in", actor=member, target=member, email=email, ip=ip)
    return member


def logout(member, ip=""):
    """Sign the member out everywhere."""
    with db.atomic():
        rotate_sessions(member)
        record("logged_out", actor=member, target=member, email=member.email, ip=ip)


def purge_expired():
    """Remove stale throttle counters and long-dead reset links (a scheduler job)."""
    now = utcnow()
    with db.atomic():
        # An hour: the longest window any counter uses (reset requests per email).
        ThrottleEvent.delete().where(ThrottleEvent.created_at < now - RESET_REQUEST_WINDOW
                                     ).execute()
        PasswordReset.delete().where(PasswordReset.expires_at < now - dt.timedelta(days=30)
                                     ).execute()


# --- passwords -------------------------------------------------------------------------------

def request_password_reset(email, ip=""):
    """Email a one-hour reset link when the account exists; the caller answers the same anyway."""
    email = normalise_email(email)
    member = Member.get_or_none(Member.email == email)
    with db.atomic():
        record("reset_requested", target=member, email=email, ip=ip)
        if member is None or not member.is_active:
            return None
        key = f"reset:{email}"
        if _failures(key, utcnow() - RESET_REQUEST_WINDOW) >= RESET_REQUEST_LIMIT:
            return None
        ThrottleEvent.create(key=key)
        raw, digest = new_token()
        reset = PasswordReset.create(member=member, token_hash=digest,
                                     expires_at=utcnow() + RESET_LIFETIME)
        mail.send_after_commit(mail.build_message(
            "password_reset", (member.name, member.email), "Reset your r2pnet password",
            member=member, token=raw, expires_at=reset.expires_at))
    return raw


def pending_reset(raw):
    """The reset a link stands for, if it can still be used."""
    reset = PasswordReset.get_or_none(PasswordReset.token_hash == hash_token(raw))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise InvalidToken()
    return reset


def end_reset_links(member):
    """Unused reset links of the member stop working once the password has changed."""
    (PasswordReset.update(used_at=utcnow())
     .where(PasswordReset.member == member.id, PasswordReset.used_at.is_null())
     .execute())


def reset_password(raw, password, ip=""):
    """Set a new password through a reset link; every other session ends."""
    reset = pending_reset(raw)
    member = reset.member
    problem = password_problem(password, member.email, member.name)
    if problem:
        raise DomainError(problem, "password")
    password_hash = hash_password(password)
    with db.atomic():
        claimed = (PasswordReset.update(used_at=utcnow())
                   .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_null(),
                          PasswordReset.expires_at > utcnow())
                   .execute())
        if claimed != 1 or not member.is_active:
            raise InvalidToken()
        member.password_hash = password_hash
        Member.update(password_hash=password_hash).where(Member.id == member.id).execute()
        rotate_sessions(member)
        end_reset_links(member)
        ThrottleEvent.delete().where(ThrottleEvent.key == f"account:{member.email}").execute()
        record("reset", actor=member, target=member, email=member.email, ip=ip)
    return member


def change_password(member, current, new, ip=""):
    """Change a password after checking the current one; every other session ends."""
    # Guesses count like failed logins, so a stolen session cannot brute-force the password.
    if is_throttled(member.email, ip):
        raise DomainError(LoginThrottled().message, "current_password")
    if not verify_password(member.password_hash, current):
        with db.atomic():
            for key in _throttle_keys(member.email, ip):
                ThrottleEvent.create(key=key)
            record("login_failed", actor=member, target=member, email=member.email, ip=ip,
                   detail="wrong current password on the change-password form")
        raise DomainError("The current password is not correct.", "current_password")
    problem = password_problem(new, member.email, member.name)
    if problem:
        raise DomainError(problem, "new_password")
    with db.atomic():
        member.password_hash = hash_password(new)
        Member.update(password_hash=member.password_hash).where(Member.id == member.id).execute()
        rotate_sessions(member)
        end_reset_links(member)
        record("password_changed", actor=member, target=member, email=member.email, ip=ip)
    return member


# --- roles and disabling ---------------------------------------------------------------------

def set_role(actor, member, role, region_ids, ip=""):
    """Change a member's role and moderated regions (administrators only)."""
    if not permissions.can_manage_members(actor):
        raise Forbidden("Only administrators change roles.")
    if role not in ROLES:
        raise DomainError("Choose member, moderator or administrator.", "role")
    region_ids = sorted({int(i) for i in region_ids or []})
    if role == "moderator" and not region_ids:
        raise DomainError("A moderator needs at least one region.", "region_ids")
    if region_ids and Region.select().where(Region.id.in_(region_ids)).count() != len(region_ids):
        raise DomainError("Choose regions from the list.", "region_ids")
    if member.id == actor.id and role != "administrator":
        raise DomainError("You cannot remove your own administrator role.", "role")
    if role != "moderator":
        region_ids = []
    with db.atomic():
        before_role = member.role
        before_regions = sorted(r.region_id for r in member.moderated_rows)
        if before_role != role:
            Member.update(role=role, updated_at=utcnow()).where(Member.id == member.id).execute()
            record("role_changed", actor=actor, target=member, email=member.email, ip=ip,
                   detail=f"{before_role} -> {role}")
        if before_regions != region_ids:
            ModeratorRegion.delete().where(ModeratorRegion.member == member.id).execute()
            for region_id in region_ids:
                ModeratorRegion.create(member=member.id, region=region_id)
            names = [r.name for r in Region.select().where(Region.id.in_(region_ids))]
            record("moderator_regions_changed", actor=actor, target=member, email=member.email,
                   ip=ip, detail=", ".join(names) or "none")
        member.role = role
    return member


def set_disabled(actor, member, disabled, reason="", ip=""):
    """Disable (ending every session at once) or re-enable a member (administrators only)."""
    if not permissions.can_manage_members(actor):
        raise Forbidden("Only administrators disable members.")
    if member.id == actor.id:
        raise DomainError("You cannot disable your own account.")
    with db.atomic():
        if disabled and member.disabled_at is None:
            member.disabled_at = utcnow()
            Member.update(disabled_at=member.disabled_at).where(Member.id == member.id).execute()
            rotate_sessions(member)
            record("disabled", actor=actor, target=member, email=member.email, ip=ip,
                   detail=reason)
        elif not disabled and member.disabled_at is not None:
            member.disabled_at = None
            Member.update(disabled_at=None).where(Member.id == member.id).execute()
            record("enabled", actor=actor, target=member, email=member.email, ip=ip,
                   detail=reason)
    return member


def create_administrator(email, name, password):
    """Create an administrator from the command line, or promote an existing member."""
    email = checked_email(email)
    member = Member.get_or_none(Member.email == email)
    with db.atomic():
        if member is not None:
            if member.role != "administrator":
                Member.update(role="administrator").where(Member.id == member.id).execute()
                ModeratorRegion.delete().where(ModeratorRegion.member == member.id).execute()
                record("role_changed", target=member, email=email,
                       detail=f"{member.role} -> administrator (command line)")
            return member, False
        problem = password_problem(password, email, name)
        if problem:
            raise DomainError(problem, "password")
        member = Member(email=email, name=name.strip(), role="administrator",
                        password_hash=hash_password(password),
                        session_version=new_session_version())
        index_member_text(member)
        member.save()
        record("joined", target=member, email=email, detail="administrator (command line)")
    return member, True
