"""Lesson pages: browse with facets and search, read, write, edit, apply, mark useful."""
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from r2pnet import catalogue, pages, permissions, search
from r2pnet.errors import Conflict, DomainError
from r2pnet.forms import load_form, shared_schema
from r2pnet.knowledge import browse, services
from r2pnet.knowledge.cards import lesson_cards, lesson_parts
from r2pnet.knowledge.models import ATTRIBUTION, SECTIONS, VISIBILITY, Lesson
from r2pnet.knowledge.schemas import BROWSE_LISTS, LESSON_LISTS, BrowseSchema, LessonSchema
from r2pnet.members.models import Region
from r2pnet.members.reference import countries, country_name
from r2pnet.taxonomy import CRIMES, PILLARS, PRIORITIES, RISK_FACTORS, STRATEGY_ELEMENTS
from r2pnet.web import client_ip

bp = Blueprint("knowledge", __name__)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def readable_lesson(lesson_id):
    """The lesson the current visitor may read.

    :raise 404: when it does not exist or may not be seen (the two look the same)
    """
    lesson = services.get_visible(lesson_id, _viewer())
    if lesson is None:
        abort(404)
    return lesson


def read_filters(args):
    """Browse filters from a query string: (data, errors, values kept for links)."""
    schema = shared_schema(BrowseSchema)
    data, errors, values = load_form(schema, args, BROWSE_LISTS)
    values = {k: v for k, v in values.items() if k in schema.fields and k not in errors
              and v not in ("", [])}
    if errors:
        data = schema.load(values)
    if data["mine"] and _viewer() is None:
        data["mine"] = False
    return data, errors, values


@bp.route("/lessons")
@pages.kept
def browse_lessons():
    """Browse and search lessons with facets; the whole state is in the URL."""
    data, errors, values = read_filters(request.args)
    viewer = _viewer()
    linked = {k: v for k, v in values.items() if k != "page"}
    # The column's links start with the app's path (script_root).
    key = (Lesson.reader_scope(viewer), catalogue.frozen(linked), search.candidate_cap(),
           request.script_root)
    total, facet_column = catalogue.kept(("lessons",), ("facet column", *key),
                                         lambda: _facet_column(viewer, data, linked))
    lessons, total = browse.results(viewer, data, data["page"], known_total=total,
                                    keep=lambda part, compute: catalogue.kept(
                                        ("lessons",), (*key, *part), compute))
    pages = max(1, -(-total // browse.PAGE_SIZE))
    return render_template("knowledge/browse.html", cards=lesson_cards(lessons, _taxonomy()),
                           total=total, facet_column=facet_column, filters=data,
                           values=values, errors=errors, page=data["page"],
                           pages=pages), 400 if errors else 200


def _facet_column(viewer, filters, values):
    """(how many lessons the filters find, the filter column's HTML with counts)."""
    counts = browse.facets(viewer, filters)
    total = counts.pop("total")
    return total, Markup(render_template(
        "knowledge/_facets.html", counts=counts, filters=filters, values=values,
        facet_options=_facet_options(counts, filters)))


def _facet_options(counts, filters):
    """Each facet's values and labels, in the order they are listed."""
    options = dict(_taxonomy())
    options["region"] = {r.key: r.name for r in Region.ordered()}
    chosen_countries = set(counts["country"]) | ({filters["country"]} if filters["country"]
                                                 else set())
    options["country"] = {code: country_name(code) for code in
                          sorted(chosen_countries, key=country_name)}
    years = set(counts["year"]) | ({filters["year"]} if filters["year"] else set())
    options["year"] = {year: str(year) for year in sorted(years, reverse=True)}
    top = sorted(counts["tag"], key=lambda tag: (-counts["tag"][tag], tag))[:25]
    options["tag"] = {tag: f"#{tag}" for tag in top + [t for t in filters["tag"] if t not in top]}
    return options


@bp.app_template_filter("toggle")
def toggle(values, name, key):
    """Link arguments with one facet value switched on or off (and back to the first page)."""
    args = {k: v for k, v in values.items() if k != "page"}
    if name in BROWSE_LISTS:
        current = [str(v) for v in args.get(name, [])]
        key = str(key)
        args[name] = [v for v in current if v != key] if key in current else current + [key]
    else:
        args[name] = None if str(args.get(name, "")) == str(key) else key
    return {k: v for k, v in args.items() if v not in (None, "", [])}


@bp.app_template_filter("toggle_href")
def toggle_href(values, name, key):
    """The browse page's address with one facet value switched: a page lists hundreds of these,
    so the path is built once per request and only the query string per link."""
    if "browse_path" not in g:
        g.browse_path = url_for("knowledge.browse_lessons")
    query = urlencode(toggle(values, name, key), doseq=True)
    return f"{g.browse_path}?{query}" if query else g.browse_path


def _taxonomy():
    return {"pillar": PILLARS, "crime": CRIMES, "priority": PRIORITIES,
            "risk_factor": {str(n): f"{n}. {label}" for n, label in RISK_FACTORS.items()},
            "strategy": STRATEGY_ELEMENTS}


@bp.route("/lessons/<int:lesson_id>")
@pages.kept
def lesson_page(lesson_id):
    """One lesson, as its reader may see it."""
    viewer = _viewer()
    lesson = readable_lesson(lesson_id)
    # Who applied it is for members only, even on a public lesson.
    applications = services.applications_of(lesson) if viewer else []
    mine = next((a for a in applications if viewer and a.member_id == viewer.id), None)
    useful = bool(viewer) and services.is_useful(viewer, lesson)
    parts = lesson_parts(lesson, services.terms_of(lesson), _taxonomy(),
                         permissions.can_edit_lesson(viewer, lesson), viewer is not None)
    return render_template("knowledge/lesson.html", lesson=lesson, parts=parts,
                           sections=SECTIONS,
                           applications=applications, my_application=mine, useful=useful,
                           attachments=services.attachments_of(lesson))


@bp.route("/lessons/new", methods=["GET", "POST"])
def new_lesson():
    """Write a lesson: save it as a draft or publish it."""
    viewer = current_user._get_current_object()
    values = {"country": viewer.country or "", "region_id": str(viewer.region_id or ""),
              "attribution": "office", "visibility": "network"}
    errors = {}
    if request.method == "POST":
        data, errors, values = load_form(LessonSchema(), request.form, LESSON_LISTS)
        if not errors:
            try:
                lesson = services.create_lesson(viewer, data, client_ip())
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Lesson published." if lesson.is_published else
                      "Draft saved: only you (and administrators) can see it.", "success")
                return redirect(url_for("knowledge.lesson_page", lesson_id=lesson.id))
    return _form_page(None, values, errors)


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
def edit_lesson(lesson_id):
    """Edit a lesson (author, administrators, the region's moderators)."""
    viewer = current_user._get_current_object()
    lesson = readable_lesson(lesson_id)
    if not permissions.can_edit_lesson(viewer, lesson):
        abort(403)
    values, errors, conflict = services.form_values(lesson), {}, False
    was_published = lesson.is_published
    if request.method == "POST":
        data, errors, values = load_form(LessonSchema(), request.form, LESSON_LISTS)
        if not errors:
            try:
                services.update_lesson(viewer, lesson, data, client_ip())
            except Conflict as exc:
                errors, conflict = exc.errors, True
                values["version"] = Lesson.get_by_id(lesson.id).version
            except DomainError as exc:
                errors = exc.errors
            else:
                flash("Lesson published." if lesson.is_published and not was_published
                      else "Lesson saved.", "success")
                return redirect(url_for("knowledge.lesson_page", lesson_id=lesson.id))
    return _form_page(lesson, values, errors, conflict)


def _form_page(lesson, values, errors, conflict=False):
    status = 409 if conflict else 400 if errors else 200
    return render_template("knowledge/edit.html", lesson=lesson, values=values, errors=errors,
                           conflict=conflict, sections=SECTIONS, taxonomy=_taxonomy(),
                           regions=list(Region.ordered()), countries=countries(),
                           visibility=VISIBILITY, attribution=ATTRIBUTION,
                           tag_suggestions=services.popular_tags(_viewer())), status


@bp.route("/lessons/<int:lesson_id>/apply", methods=["POST"])
def apply_lesson(lesson_id):
    """Record that your country applied or adapted the lesson."""
    viewer = current_user._get_current_object()
    lesson = readable_lesson(lesson_id)
    note = (request.form.get("note") or "")[:500]
    try:
        created = services.record_application(viewer, lesson, note)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash("Thank you: your application is recorded." if created else
              "Your note is updated.", "success")
    return redirect(url_for("knowledge.lesson_page", lesson_id=lesson.id) + "#uptake")


@bp.route("/lessons/<int:lesson_id>/useful", methods=["POST"])
def mark_useful(lesson_id):
    """Mark (or unmark) a lesson as useful."""
    viewer = current_user._get_current_object()
    lesson = readable_lesson(lesson_id)
    services.set_useful(viewer, lesson, request.form.get("useful") == "1")
    return redirect(url_for("knowledge.lesson_page", lesson_id=lesson.id) + "#uptake")


# Routes defined beside the views, on the same blueprint.
from r2pnet.knowledge import attachments, exports, revisions  # noqa: E402, F401
