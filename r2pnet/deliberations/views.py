"""Deliberation pages: list, schedule, read, edit, calendar file, attendance, cancel, outcome,
draft lesson; the region dashboard, cadence and the question of the week."""
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user

from r2pnet import pages, permissions
from r2pnet.deliberations import (calendar, dashboard, outcomes, reading, regional, services,
                                  timing)
from r2pnet.deliberations.models import ANSWERS, DEFAULT_CADENCE_DAYS
from r2pnet.deliberations.schemas import (BLANK_ACTION_ROWS, AttendanceSchema, CadenceSchema,
                                          DashboardSchema, DeliberationSchema, QuestionSchema,
                                          action_rows, load_outcome)
from r2pnet.errors import Conflict, DomainError, Forbidden
from r2pnet.forms import load_form
from r2pnet.members.models import Region
from r2pnet.members.reference import timezones
from r2pnet.web import client_ip, safe_next

bp = Blueprint("deliberations", __name__)


def _viewer():
    return current_user._get_current_object()


def readable_deliberation(deliberation_id):
    """The deliberation the current member may read.

    :raise 404: when it does not exist or may not be seen (the two look the same)
    """
    deliberation = reading.get_visible(deliberation_id, _viewer())
    if deliberation is None:
        abort(404)
    return deliberation


def schedulable_deliberation(deliberation_id):
    """The deliberation, if the current member runs its region.

    :raise 404: when it does not exist or may not be seen
    :raise 403: when it may be read but not managed
    """
    deliberation = readable_deliberation(deliberation_id)
    if not permissions.can_schedule_deliberation(_viewer(), deliberation.region_id):
        abort(403)
    return deliberation


def managed_region(region_id):
    """A region the current member runs.

    :raise 404: when there is no such region
    :raise 403: when the member does not moderate it
    """
    region = Region.get_or_none(Region.id == region_id)
    if region is None:
        abort(404)
    if not permissions.can_schedule_deliberation(_viewer(), region.id):
        abort(403)
    return region


@bp.app_template_filter("organiser_time")
def organiser_time(deliberation, fmt="%H:%M"):
    """The start as the organiser set it, such as "14:00 Europe/Berlin"."""
    local = timing.in_zone(deliberation.starts_at, deliberation.timezone)
    return f"{local.strftime(fmt)} {deliberation.timezone}"


@bp.app_template_filter("ends_at")
def ends_at(deliberation):
    """When the deliberation ends (naive UTC, for the `localtime` filter)."""
    return timing.ends_at(deliberation)


# --- list and page ------------------------------------------------------------------------------

def _int_arg(name):
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else None


@bp.route("/deliberations")
@pages.kept
def deliberations():
    """Upcoming then past deliberations of the member's regions, optionally of one region."""
    viewer = _viewer()
    regions = (list(Region.ordered()) if permissions.is_administrator(viewer) else
               list(Region.ordered().where(
                   Region.id.in_(list(permissions.member_region_ids(viewer)) or [0]))))
    region_id, page, error = _int_arg("region"), _int_arg("page") or 1, None
    if request.args.get("region") and region_id not in {r.id for r in regions}:
        region_id, error = None, "Choose a region from the list."
    page = min(page, 100000)
    upcoming, past, total_past = reading.listing(viewer, region_id, page)
    shown = [d.id for d in upcoming + past]
    pages = max(1, -(-total_past // reading.PAST_PAGE_SIZE))
    return render_template("deliberations/list.html", upcoming=upcoming, past=past,
                           regions=regions, region_id=region_id, page=page, pages=pages,
                           counts=reading.attendance_counts(shown),
                           answers=reading.answers_of(viewer, shown), answer_labels=ANSWERS,
                           can_schedule=bool(reading.schedulable_regions(viewer)),
                           error=error), 400 if error else 200


@bp.route("/deliberations/<int:deliberation_id>")
@pages.kept
def deliberation_page(deliberation_id):
    """One deliberation in the viewer's time zone, with what the viewer may see of it."""
    return _page(readable_deliberation(deliberation_id))


def _page(deliberation, errors=None, status=200):
    viewer = _viewer()
    manages = permissions.can_schedule_deliberation(viewer, deliberation.region_id)
    return render_template(
        "deliberations/deliberation.html", deliberation=deliberation, manages=manages,
        threads=reading.linked_threads(deliberation, viewer),
        lessons=reading.linked_lessons(deliberation, viewer),
        counts=reading.attendance_counts([deliberation.id])[deliberation.id],
        answer=reading.answers_of(viewer, [deliberation.id]).get(deliberation.id),
        attendance=reading.attendance_of(deliberation) if manages else [],
        actions=reading.actions_of(deliberation), answer_labels=ANSWERS,
        started=timing.has_started(deliberation), over=timing.is_over(deliberation),
        errors=errors or {}), status


# --- scheduling and editing ---------------------------------------------------------------------

@bp.route("/deliberations/new", methods=["GET", "POST"])
def new_deliberation():
    """Schedule a deliberation for one of the regions the member runs."""
    viewer = _viewer()
    regions = reading.schedulable_regions(viewer)
    if request.args.get("region"):
        region_id = _int_arg("region")
        if region_id is None:
            abort(404)
        managed_region(region_id)
    elif not regions:
        abort(403)
    else:
        region_id = regions[0].id
    zone = viewer.timezone if viewer.timezone in timezones() else "UTC"
    values = {"region_id": str(region_id), "timezone": zone, "duration_minutes": "90"}
    errors = {}
    if request.method == "POST":
        data, errors, values = load_form(DeliberationSchema(), request.form)
        if not errors:
            try:
                deliberation = services.schedule_deliberation(viewer, data, client_ip())
            except Forbidden:
                abort(403)
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Deliberation scheduled; the region's members have been told.", "success")
                return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id))
    return _form_page(None, regions, values, errors)


@bp.route("/deliberations/<int:deliberation_id>/edit", methods=["GET", "POST"])
def edit_deliberation(deliberation_id):
    """Change a deliberation; members are told when its time or place changes."""
    viewer = _viewer()
    deliberation = schedulable_deliberation(deliberation_id)
    values, errors, conflict = reading.form_values(deliberation), {}, False
    if deliberation.cancelled_at is not None and request.method == "GET":
        flash("This deliberation is cancelled: it can no longer change.", "warning")
        return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id))
    if request.method == "POST":
        data, errors, values = load_form(DeliberationSchema(), request.form)
        values["region_id"] = str(deliberation.region_id)
        if not errors:
            try:
                services.update_deliberation(viewer, deliberation, data, client_ip())
            except Conflict as exc:
                errors, conflict = exc.errors, True
                values["version"] = reading.get_visible(deliberation.id, viewer).version
            except Forbidden:
                abort(403)
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Deliberation saved.", "success")
                return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id))
    return _form_page(deliberation, [deliberation.region], values, errors, conflict)


def _form_page(deliberation, regions, values, errors, conflict=False):
    status = 409 if conflict else 400 if errors else 200
    return render_template("deliberations/edit.html", deliberation=deliberation,
                           region_options={r.id: r.name for r in regions}, values=values,
                           errors=errors, conflict=conflict,
                           timezones={z: z.replace("_", " ") for z in timezones()}), status


@bp.route("/deliberations/<int:deliberation_id>.ics")
def deliberation_ics(deliberation_id):
    """The calendar file: the deliberation in its own zone, same UID on every download."""
    deliberation = readable_deliberation(deliberation_id)
    page_url = current_app.config["BASE_URL"].rstrip("/") + url_for(
        ".deliberation_page", deliberation_id=deliberation.id)
    return Response(calendar.ics(deliberation, page_url), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename="
                                                    f"deliberation-{deliberation.id}.ics"})


@bp.route("/deliberations/<int:deliberation_id>/attendance", methods=["POST"])
def attendance(deliberation_id):
    """Answer whether you will attend (and change the answer later)."""
    viewer = _viewer()
    deliberation = readable_deliberation(deliberation_id)
    data, errors, _ = load_form(AttendanceSchema(), request.form)
    if errors:
        return _page(deliberation, errors, 400)
    try:
        services.set_attendance(viewer, deliberation, data["answer"])
    except Forbidden:
        abort(403)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash(f"Your answer is recorded: {ANSWERS[data['answer']]}.", "success")
    return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id)
                    + "#attendance")


@bp.route("/deliberations/<int:deliberation_id>/cancel", methods=["POST"])
def cancel(deliberation_id):
    """Cancel a deliberation; it stays listed as cancelled and its members are told."""
    deliberation = schedulable_deliberation(deliberation_id)
    reason = request.form.get("reason") or ""
    if len(reason) > 500:
        return _page(deliberation, {"reason": ["Keep the reason under 500 characters."]}, 400)
    try:
        services.cancel_deliberation(_viewer(), deliberation, reason, client_ip())
    except Forbidden:
        abort(403)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash("Deliberation cancelled; the region's members have been told.", "success")
    return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id))


# --- outcome ------------------------------------------------------------------------------------

@bp.route("/deliberations/<int:deliberation_id>/outcome", methods=["GET", "POST"])
def outcome(deliberation_id):
    """Record or edit the outcome: a summary and follow-up actions with owners and dates."""
    viewer = _viewer()
    deliberation = schedulable_deliberation(deliberation_id)
    values, errors, conflict = reading.outcome_values(deliberation), {}, False
    if request.method == "POST":
        data, errors, values = load_outcome(request.form)
        if not errors:
            try:
                outcomes.record_outcome(viewer, deliberation, data, client_ip())
            except Conflict as exc:
                errors, conflict = exc.errors, True
                values["version"] = reading.get_visible(deliberation.id, viewer).version
            except Forbidden:
                abort(403)
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Outcome saved.", "success")
                return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id)
                                + "#outcome")
    rows = len(action_rows(values)) + BLANK_ACTION_ROWS
    status = 409 if conflict else 400 if errors else 200
    return render_template("deliberations/outcome.html", deliberation=deliberation,
                           values=values, errors=errors, conflict=conflict, rows=rows,
                           members={m.id: m.name for m in
                                    reading.region_members(deliberation.region_id)}), status


@bp.route("/deliberations/<int:deliberation_id>/lesson", methods=["POST"])
def outcome_lesson(deliberation_id):
    """Turn the outcome into a draft lesson and open it for editing."""
    deliberation = schedulable_deliberation(deliberation_id)
    try:
        lesson = outcomes.lesson_from_outcome(_viewer(), deliberation, client_ip())
    except Forbidden:
        abort(403)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".deliberation_page", deliberation_id=deliberation.id))
    flash("Draft lesson created from the outcome: complete it, then publish.", "success")
    return redirect(url_for("knowledge.edit_lesson", lesson_id=lesson.id))


# --- dashboard, cadence, question of the week ---------------------------------------------------

@bp.route("/moderation/regions", endpoint="dashboard")
def dashboard_page():
    """Per region: days since the last deliberation, the next one, discussion activity."""
    return _dashboard()


def _dashboard(region_errors=None, region_values=None):
    viewer = _viewer()
    if not permissions.can_read_moderation(viewer):
        abort(403)
    data, errors, _ = load_form(DashboardSchema(), request.args)
    days = (data or {}).get("days") or current_app.config["UNANSWERED_AFTER_DAYS"]
    rows = dashboard.region_rows(viewer, days)
    failed = bool(errors or region_errors)
    return render_template("deliberations/dashboard.html", rows=rows, days=days,
                           errors=errors, region_errors=region_errors or {},
                           region_values=region_values or {},
                           activity_days=dashboard.ACTIVITY_DAYS,
                           default_cadence=DEFAULT_CADENCE_DAYS), 400 if failed else 200


@bp.route("/regions/<int:region_id>/cadence", methods=["POST"])
def set_cadence(region_id):
    """Set how often the region aims to deliberate."""
    region = managed_region(region_id)
    data, errors, values = load_form(CadenceSchema(), request.form)
    if not errors:
        try:
            regional.set_cadence(_viewer(), region.id, data["every_days"], client_ip())
        except Forbidden:
            abort(403)
        except DomainError as exc:
            errors = exc.errors
    if errors:
        return _dashboard({region.id: errors}, {region.id: values})
    flash(f"{region.name} aims to deliberate every {data['every_days']} days.", "success")
    return redirect(safe_next(request.form.get("next"), "deliberations.dashboard"))


@bp.route("/regions/<int:region_id>/question", methods=["POST"])
def set_question(region_id):
    """Ask the region's question of the week."""
    region = managed_region(region_id)
    data, errors, values = load_form(QuestionSchema(), request.form)
    if not errors:
        try:
            regional.set_weekly_question(_viewer(), region.id, data["text"], data["thread_id"],
                                         client_ip())
        except Forbidden:
            abort(403)
        except DomainError as exc:
            errors = exc.errors
    if errors:
        return _dashboard({region.id: errors}, {region.id: values})
    flash(f"Question of the week set for {region.name}.", "success")
    return redirect(safe_next(request.form.get("next"), "deliberations.dashboard"))
