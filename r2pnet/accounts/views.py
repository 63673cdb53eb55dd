"""Sign-in, invitations, first-administrator setup and password pages."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from peewee import JOIN

from r2pnet import catalogue, permissions, statements
from r2pnet.accounts import schemas, services
from r2pnet.digests.models import DigestSettings
from r2pnet.errors import DomainError
from r2pnet.extensions import login_manager
from r2pnet.forms import load_form
from r2pnet.members.models import Member, Region, utcnow
from r2pnet.members.services import get_member
from r2pnet.web import client_ip, safe_next

bp = Blueprint("accounts", __name__)


def init_app(app):
    """Flask-Login set-up: members are loaded by id *and* session version."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_member(alternative_id):
    """The member whose id and current session version match the cookie."""
    member_id, _, version = (alternative_id or "").partition(":")
    if not member_id.isdigit() or not version or int(member_id) > 2**63 - 1:
        return None
    found = statements.run_kept("signed-in member", _signed_in_member, int(member_id))
    member = found[0] if found else None
    if member is not None:
        catalogue.remember(member.catalogue_versions)
    if member is None or member.session_version != version or not member.is_active:
        return None
    return member


def _signed_in_member(member_id):
    # Every page reads the member and most their region; whether digests stopped after bounces
    # comes in the same query (the banner on every page).
    stopped_at = (DigestSettings.select(DigestSettings.stopped_at)
                  .where(DigestSettings.member == Member.id))
    # The catalogue versions too: most pages read them next (r2pnet/catalogue.py).
    return catalogue.with_versions(
        Member.select(Member, Region, stopped_at.alias("digest_stopped_at"))
        .join(Region, JOIN.LEFT_OUTER, on=(Member.region == Region.id))
        .where(Member.id == member_id))


def _sign_in(member, remember=False):
    session.clear()  # a fresh session: no fixation across sign-in
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without activity
    login_user(member, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    errors, values = {}, {}
    if request.method == "POST":
        data, errors, values = load_form(schemas.LoginSchema(), request.form)
        if not errors:
            try:
                member = services.authenticate(data["email"], data["password"], client_ip())
            except DomainError as exc:
                errors = {"_form": [exc.message]}
            else:
                _sign_in(member, data["remember"])
                return redirect(safe_next(request.args.get("next")))
        values.pop("password", None)
    status = 200 if not errors else 400
    return render_template("accounts/login.html", errors=errors, values=values,
                           setup_needed=not services.administrator_exists()), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out everywhere: every session and remember-me cookie of the member ends."""
    services.logout(current_user._get_current_object(), client_ip())
    logout_user()
    session.clear()
    flash("You are signed out on every device.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token):
    """The first administrator's account, from the link printed at start-up."""
    return _accept(token, setup=True)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    """Accept an invitation: choose a name and password, and sign in."""
    return _accept(token, setup=False)


def _accept(token, setup):
    try:
        invitation = services.pending_invitation(token)
        if invitation.is_setup != setup:
            raise services.InvalidToken()
    except DomainError as exc:
        return render_template("accounts/invalid_link.html", message=exc.message), 404
    errors, values = {}, {}
    if request.method == "POST":
        schema = schemas.SetupSchema() if setup else schemas.AcceptInvitationSchema()
        data, errors, values = load_form(schema, request.form)
        if not errors:
            try:
                member = services.accept_invitation(token, data["name"], data["password"],
                                                    data.get("email"), client_ip())
            except services.InvalidToken as exc:
                return render_template("accounts/invalid_link.html", message=exc.message), 404
            except DomainError as exc:
                errors = exc.errors
            else:
                _sign_in(member)
                flash("Welcome to r2pnet. Complete your profile so peers can find you.",
                      "success")
                return redirect(url_for("members.edit_profile"))
        values.pop("password", None)
        values.pop("password_confirm", None)
    return render_template("accounts/accept.html", invitation=invitation, setup=setup,
                           errors=errors, values=values), 400 if errors else 200


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a password reset link; the answer is the same for every address."""
    errors, values = {}, {}
    if request.method == "POST":
        data, errors, values = load_form(schemas.ResetRequestSchema(), request.form)
        if not errors:
            services.request_password_reset(data["email"], client_ip())
            return render_template("accounts/reset_sent.html", email=data["email"])
    return render_template("accounts/reset_request.html", errors=errors,
                           values=values), 400 if errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password through a reset link."""
    try:
        services.pending_reset(token)
    except DomainError as exc:
        return render_template("accounts/invalid_link.html", message=exc.message), 404
    errors = {}
    if request.method == "POST":
        data, errors, _ = load_form(schemas.NewPasswordSchema(), request.form)
        if not errors:
            try:
                member = services.reset_password(token, data["password"], client_ip())
            except services.InvalidToken as exc:
                return render_template("accounts/invalid_link.html", message=exc.message), 404
            except DomainError as exc:
                errors = exc.errors
            else:
                _sign_in(member)
                flash("Your password is changed; other devices are signed out.", "success")
                return redirect(url_for("web.home"))
    return render_template("accounts/reset_password.html", errors=errors,
                           values={}), 400 if errors else 200


@bp.route("/profile/password", methods=["GET", "POST"])
def change_password():
    """Change the password (the current one is required); other devices are signed out."""
    errors = {}
    if request.method == "POST":
        data, errors, _ = load_form(schemas.ChangePasswordSchema(), request.form)
        if not errors:
            member = current_user._get_current_object()
            try:
                services.change_password(member, data["current_password"],
                                         data["new_password"], client_ip())
            except DomainError as exc:
                errors = exc.errors
            else:
                _sign_in(member)
                flash("Your password is changed; other devices are signed out.", "success")
                return redirect(url_for("members.profile", member_id=member.id))
    return render_template("accounts/change_password.html", errors=errors,
                           values={}), 400 if errors else 200


@bp.route("/admin/invitations", methods=["GET", "POST"])
def invitations():
    """Invite new members and see, or revoke, pending invitations."""
    actor = current_user._get_current_object()
    if not permissions.can_invite(actor):
        abort(403)
    errors, values = {}, {}
    if request.method == "POST":
        data, errors, values = load_form(schemas.InviteSchema(), request.form)
        if not errors:
            try:
                services.invite(data["email"], data["role"], data["region_id"], actor,
                                client_ip())
            except DomainError as exc:
                errors = exc.errors
            else:
                flash(f"Invitation sent to {data['email'].strip().lower()}.", "success")
                return redirect(url_for("accounts.invitations"))
    if permissions.is_administrator(actor):
        regions = list(Region.ordered())
    else:
        regions = list(Region.ordered().where(
            Region.id.in_(list(permissions.moderated_region_ids(actor)))))
    rows = list(services.invitations_for(actor).limit(200))
    return render_template("accounts/invitations.html", errors=errors, values=values,
                           regions=regions, invitations=rows, now=utcnow()), \
        400 if errors else 200


@bp.route("/admin/invitations/<int:invitation_id>/revoke", methods=["POST"])
def revoke_invitation(invitation_id):
    """Revoke a pending invitation."""
    try:
        revoked = services.revoke_invitation(invitation_id, current_user._get_current_object(),
                                             client_ip())
    except DomainError:
        abort(404)
    flash("Invitation revoked." if revoked else "That invitation was no longer pending.",
          "success" if revoked else "warning")
    return redirect(url_for("accounts.invitations"))


def _managed_member(member_id):
    """(administrator, member) for the member-management actions.

    :raise 403: when the signed-in member is not an administrator
    :raise 404: when there is no such member
    """
    actor = current_user._get_current_object()
    if not permissions.can_manage_members(actor):
        abort(403)
    member = get_member(member_id, actor)
    if member is None:
        abort(404)
    return actor, member


@bp.route("/admin/members/<int:member_id>/role", methods=["POST"])
def set_role(member_id):
    """Change a member's role and moderated regions."""
    actor, member = _managed_member(member_id)
    data, errors, _ = load_form(schemas.RoleSchema(), request.form, list_fields=("region_ids",))
    if not errors:
        try:
            services.set_role(actor, member, data["role"], data["region_ids"], client_ip())
        except DomainError as exc:
            errors = exc.errors
    if errors:
        for messages in errors.values():
            for message in messages:
                flash(message, "danger")
    else:
        flash("Role saved.", "success")
    return redirect(url_for("members.admin_member", member_id=member.id))


@bp.route("/admin/members/<int:member_id>/status", methods=["POST"])
def set_status(member_id):
    """Disable or re-enable a member."""
    actor, member = _managed_member(member_id)
    data, errors, _ = load_form(schemas.DisableSchema(), request.form)
    if errors:
        abort(400)
    try:
        services.set_disabled(actor, member, data["disabled"], data["reason"], client_ip())
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash("Member disabled; every session ended." if data["disabled"]
              else "Member re-enabled.", "success")
    return redirect(url_for("members.admin_member", member_id=member.id))

