"""Profiles, the directory and the administration of members and regions."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from r2pnet import catalogue, pages, permissions
from r2pnet.errors import Conflict, DomainError
from r2pnet.forms import load_form, shared_schema
from r2pnet.members import services
from r2pnet.members.cards import member_cards
from r2pnet.members.models import EMAIL_VISIBILITY, Member, Region
from r2pnet.members.reference import countries, language_groups, languages, timezones
from r2pnet.members.schemas import DirectoryQuerySchema, ProfileSchema, RegionSchema
from r2pnet.taxonomy import EXPERTISE_GROUPS
from r2pnet.web import client_ip

bp = Blueprint("members", __name__)
PROFILE_LISTS = ("languages", "expertise")


def _choices():
    return {"countries": countries(), "languages": languages(),
            "language_groups": language_groups(),
            "timezone_choices": {z: z for z in timezones()}, "regions": list(Region.ordered()),
            "expertise_groups": EXPERTISE_GROUPS, "email_visibility": EMAIL_VISIBILITY}


@bp.route("/members")
@pages.kept
def directory():
    """Find members by region, country, language, expertise, role and name."""
    schema = shared_schema(DirectoryQuerySchema)
    data, errors, values = load_form(schema, request.args)
    # Only known filters go back into the links; a bad one is reported and the others still apply.
    values = {k: v for k, v in values.items() if k in schema.fields and k not in errors}
    if errors:
        data = schema.load(values)
    key = ("directory", catalogue.frozen(data), permissions.is_administrator(current_user))
    members, total = services.directory_page(
        data, current_user, data["page"],
        keep=lambda part, compute: catalogue.kept(("members",), (*key, *part), compute))
    pages = max(1, -(-total // services.DIRECTORY_PAGE_SIZE))
    return render_template("members/directory.html", cards=member_cards(members), total=total,
                           page=data["page"], pages=pages, filters=data, errors=errors,
                           values=values, countries=countries(), languages=languages(),
                           regions=services.regions_in_order(),
                           expertise_groups=EXPERTISE_GROUPS), 400 if errors else 200


@bp.route("/members/<int:member_id>")
@pages.kept
def profile(member_id):
    """A member's profile page."""
    member = services.get_member(member_id, current_user)
    if member is None:
        abort(404)
    return render_template("members/profile.html", member=member,
                           languages_of=services.member_languages(member),
                           expertise_of=services.member_expertise(member),
                           moderates=services.moderators_of(member))


@bp.route("/profile", methods=["GET", "POST"])
def edit_profile():
    """Edit your own profile."""
    return _edit(current_user._get_current_object())


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id):
    """An administrator edits any member's profile."""
    member = services.get_member(member_id, current_user)
    if member is None:
        abort(404)
    if not permissions.can_edit_profile(current_user, member):
        abort(403)
    return _edit(member)


def _edit(member):
    errors, conflict = {}, False
    values = services.profile_form_values(member)
    if request.method == "POST":
        data, errors, values = load_form(ProfileSchema(), request.form, PROFILE_LISTS)
        values.setdefault("is_focal_point", "")
        if not errors:
            try:
                services.update_profile(current_user._get_current_object(), member, data,
                                        client_ip())
            except Conflict as exc:
                # Keep every typed value; the next deliberate save applies over the new version.
                errors, conflict = exc.errors, True
                values["version"] = Member.get_by_id(member.id).version
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Profile saved.", "success")
                return redirect(url_for("members.profile", member_id=member.id))
    return render_template("members/edit.html", member=member, values=values, errors=errors,
                           conflict=conflict, own=member.id == current_user.id,
                           **_choices()), \
        409 if conflict else 400 if errors else 200


@bp.route("/admin/members/<int:member_id>")
def admin_member(member_id):
    """Role, moderated regions and status of one member."""
    if not permissions.can_manage_members(current_user):
        abort(403)
    member = services.get_member(member_id, current_user)
    if member is None:
        abort(404)
    moderated = {r.id for r in services.moderators_of(member)}
    return render_template("members/admin_member.html", member=member, moderated=moderated,
                           region_choices={r.id: r.name for r in Region.ordered()})


@bp.route("/admin/regions")
def admin_regions():
    """Regions, their organizations, countries and member counts."""
    if not permissions.can_manage_regions(current_user):
        abort(403)
    return render_template("members/regions.html", regions=list(services.regions_with_counts()))


@bp.route("/admin/regions/new", methods=["GET", "POST"])
def new_region():
    """Create a region."""
    return _edit_region(None)


@bp.route("/admin/regions/<int:region_id>", methods=["GET", "POST"])
def edit_region(region_id):
    """Edit a region's name, organizations and countries."""
    region = Region.get_or_none(Region.id == region_id)
    if region is None:
        abort(404)
    return _edit_region(region)


def _edit_region(region):
    if not permissions.can_manage_regions(current_user):
        abort(403)
    errors = {}
    if region is not None:
        values = {"key": region.key, "name": region.name,
                  "organizations": "\n".join(region.organizations),
                  "countries": region.countries, "version": region.version}
    else:
        values = {"key": "", "name": "", "organizations": "", "countries": []}
    conflict = False
    if request.method == "POST":
        data, errors, values = load_form(RegionSchema(), request.form, ("countries",))
        if not errors:
            try:
                region = services.save_region(current_user._get_current_object(), region, data,
                                              client_ip())
            except Conflict as exc:
                errors, conflict = exc.errors, True
                values["version"] = Region.get_by_id(region.id).version
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Region saved.", "success")
                return redirect(url_for("members.admin_regions"))
    return render_template("members/region_edit.html", region=region, values=values,
                           errors=errors, conflict=conflict,
                           countries=countries()), 409 if conflict else 400 if errors else 200


