"""Exports of the filtered lesson list (CSV, JSON) and its Atom feed.

Every export starts from `browse.filtered`, hence `Lesson.visible_to`: an export or a feed shows
exactly what its reader would see on the browse page for the same filters, in the same order.
"""
import csv
import io
import json
import re
import xml.etree.ElementTree as ET

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadData, URLSafeSerializer
from peewee import JOIN

from r2pnet import search
from r2pnet.audit.services import record
from r2pnet.extensions import db
from r2pnet.knowledge import browse
from r2pnet.knowledge.models import Lesson
from r2pnet.knowledge.views import bp, read_filters
from r2pnet.members.models import Member, Region, utcnow
from r2pnet.members.reference import country_name
from r2pnet.web import client_ip

EXPORT_LIMIT = 5000
FEED_SIZE = 50
FEED_SALT = "lesson-feed"
ATOM = "http://www.w3.org/2005/Atom"
COLUMNS = ("id", "url", "title", "summary", "attribution", "author", "country", "region",
           "visibility", "published_at", "pillars", "crimes", "priorities", "risk_factors",
           "strategy", "tags", "applied_count", "useful_count")
# Browse filter kind -> export column
TERM_COLUMNS = {"pillar": "pillars", "crime": "crimes", "priority": "priorities",
                "risk_factor": "risk_factors", "strategy": "strategy", "tag": "tags"}
# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry at all, even escaped.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- feed tokens -------------------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def feed_token(member):
    """The member's feed token: a signature of their id and current feed version."""
    return _serializer().dumps([member.id, member.feed_version])


def member_for_feed_token(token):
    """The active member whose current feed token this is, else None."""
    try:
        payload = _serializer().loads(token or "")
    except BadData:
        return None
    if (not isinstance(payload, list) or len(payload) != 2
            or not all(type(part) is int and 0 < part < 2**63 for part in payload)):
        return None
    member_id, version = payload
    return (Member.select()
            .where(Member.id == member_id,
                   Member.feed_version == version,
                   Member.disabled_at.is_null())
            .first())


def reset_feed_token(member, ip=""):
    """Invalidate every feed address of `member` by moving their feed version on."""
    with db.atomic():
        (Member.update(feed_version=Member.feed_version + 1)
         .where(Member.id == member.id)
         .execute())
        record("feed_token_reset", actor=member, target=member, ip=ip,
               detail="every earlier lesson feed address stopped working")


# --- rows ----------------------------------------------------------------------------------------

# What an export reads of a lesson: never the sections, which may weigh 200 kB a lesson.
EXPORT_FIELDS = (Lesson.id, Lesson.title, Lesson.summary, Lesson.author, Lesson.country,
                 Lesson.region, Lesson.attribution, Lesson.visibility, Lesson.is_published,
                 Lesson.published_at, Lesson.updated_at, Lesson.applied_count,
                 Lesson.useful_count)


def exported_lessons(viewer, filters, limit):
    """(lessons, total matching): the browse list for the filters, in its order, in 2-3 queries.

    Search-box text narrows the list and ranks it as on the browse page: among the newest
    matches only, and the total is then a search.MatchCount (`capped`: more lessons match).
    """
    query = browse.filtered(viewer, filters)
    found = browse.searched(viewer, filters)
    orders = {"newest": Lesson.published_at.desc(nulls="LAST"),
              "applied": Lesson.applied_count.desc(),
              "useful": Lesson.useful_count.desc()}
    sort = filters.get("sort") or ("relevance" if found is not None else "newest")
    extra = []
    if found is not None:
        hits = found.ranked()
        query = query.join(hits, on=(hits.c.object_id == Lesson.id))
        orders["relevance"] = hits.c.rank
        extra = [hits.c.found.alias("found").bind_to(Lesson)]  # the walk's count rides along
    else:
        total = query.count()
    lessons = list(query.select(*EXPORT_FIELDS, Member.id, Member.name, Member.organization,
                                Region.id, Region.name, *extra)
                   .switch(Lesson)
                   .join(Member, on=(Lesson.author == Member.id))
                   .switch(Lesson)
                   .join(Region, JOIN.LEFT_OUTER, on=(Lesson.region == Region.id))
                   .order_by(orders.get(sort, orders["newest"]), Lesson.id.desc())
                   .limit(limit))
    if found is not None:
        total = found.total(lessons[0].found) if lessons else search.MatchCount(0)
    return browse.attach_terms(lessons), total


def _absolute(endpoint, **values):
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _attribution(lesson):
    """The attribution line; an anonymized lesson names only its region."""
    if lesson.attribution == "anonymous":
        return f"A Member State in {lesson.region.name if lesson.region_id else 'the network'}"
    text = lesson.author.name
    if lesson.author.organization:
        text += f", {lesson.author.organization}"
    if lesson.country:
        text += f" ({country_name(lesson.country)})"
    return text


def lesson_record(lesson):
    """One exported lesson: who wrote it only when it is attributed to the author's office."""
    attributed = lesson.attribution == "office"
    row = {
        "id": lesson.id,
        "url": _absolute("knowledge.lesson_page", lesson_id=lesson.id),
        "title": lesson.title,
        "summary": lesson.summary,
        "attribution": _attribution(lesson),
        "author": lesson.author.name if attributed else None,
        "country": lesson.country if attributed else None,
        "region": lesson.region.name if lesson.region_id else None,
        "visibility": lesson.visibility,
        "published_at": _iso(lesson.published_at),
    }
    for kind, column in TERM_COLUMNS.items():
        keys = lesson.classified[kind]
        row[column] = [int(key) for key in keys] if kind == "risk_factor" else list(keys)
    row["applied_count"] = lesson.applied_count
    row["useful_count"] = lesson.useful_count
    return row


def _signed_in():
    return current_user._get_current_object()


def _export_filters():
    data, errors, _ = read_filters(request.args)
    if errors:
        abort(400)
    return data


def _download(body, mimetype, extension):
    response = Response(body, mimetype=mimetype)
    day = utcnow().date().isoformat()
    response.headers["Content-Disposition"] = f"attachment; filename=lessons-{day}.{extension}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _cell(value):
    """A CSV cell: lists joined, and text a spreadsheet would run as a formula defused."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@bp.route("/lessons.csv")
def export_csv():
    """The filtered list as CSV (UTF-8 with a byte-order mark, so Excel reads it right)."""
    lessons, _ = exported_lessons(_signed_in(), _export_filters(), EXPORT_LIMIT)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for lesson in lessons:
        row = lesson_record(lesson)
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return _download(out.getvalue().encode("utf-8"), "text/csv", "csv")


@bp.route("/lessons.json")
def export_json():
    """The filtered list as JSON: {"count": n, "total": matching, "total_is_lower_bound": bool,
    "lessons": [...]}; a search that matches more than its candidates gives their number."""
    lessons, total = exported_lessons(_signed_in(), _export_filters(), EXPORT_LIMIT)
    rows = [lesson_record(lesson) for lesson in lessons]
    body = json.dumps({"count": len(rows), "total": int(total),
                       "total_is_lower_bound": getattr(total, "capped", False),
                       "lessons": rows}, ensure_ascii=False, indent=1)
    return _download(body.encode("utf-8"), "application/json", "json")


# --- the Atom feed -------------------------------------------------------------------------------

def _feed_args(values):
    """The filters a feed follows: no page, no order, no "my lessons"."""
    return {k: v for k, v in values.items() if k not in ("page", "sort", "mine")}


def _text(parent, tag, text, **attrs):
    element = ET.SubElement(parent, tag, attrs)
    element.text = NOT_XML.sub("", text)
    return element


def atom_feed(lessons, filters, values):
    """Atom 1.0 XML for the lessons, newest first."""
    browse_url = _absolute("knowledge.browse_lessons", **_feed_args(values))
    feed = ET.Element("feed", xmlns=ATOM)
    title = "r2pnet: lessons learned"
    if filters.get("q"):
        title += f" matching “{filters['q']}”"
    _text(feed, "title", title)
    _text(feed, "id", browse_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=browse_url)
    newest = max((max(lesson.updated_at, lesson.published_at) for lesson in lessons),
                 default=None)
    _text(feed, "updated", _iso(newest or utcnow()))
    # Entries of anonymized lessons carry no author of their own: they fall back to this one.
    _text(ET.SubElement(feed, "author"), "name", "r2pnet")
    for lesson in lessons:
        url = _absolute("knowledge.lesson_page", lesson_id=lesson.id)
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", url)
        _text(entry, "title", lesson.title, type="text")
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=url)
        _text(entry, "published", _iso(lesson.published_at))
        _text(entry, "updated", _iso(max(lesson.updated_at, lesson.published_at)))
        if lesson.attribution == "office":
            _text(ET.SubElement(entry, "author"), "name", lesson.author.name)
        _text(entry, "summary", lesson.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.route("/lessons.atom")
def feed():
    """The newest lessons for a filter, for a feed reader: the token stands in for the session."""
    member = member_for_feed_token(request.args.get("token"))
    if member is None:
        abort(404)
    data, errors, values = read_filters(request.args)
    if errors:
        abort(400)
    filters = dict(data, mine=False, sort="newest")
    lessons, _ = exported_lessons(member, filters, FEED_SIZE)
    return Response(atom_feed(lessons, filters, values),
                    content_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


@bp.route("/lessons/feed")
def feed_link():
    """The member's personal Atom feed address for the current filters."""
    _, errors, values = read_filters(request.args)
    args = _feed_args(values)
    feed_url = _absolute("knowledge.feed", token=feed_token(_signed_in()), **args)
    return render_template("knowledge/feed.html", feed_url=feed_url, args=args, errors=errors)


@bp.route("/lessons/feed/reset", methods=["POST"])
def reset_feed():
    """Give the member a new feed token: every address they copied before stops working."""
    reset_feed_token(_signed_in(), client_ip())
    flash("Your feed addresses are reset: the old ones no longer work. Copy the new address "
          "into your feed reader.", "success")
    _, _, values = read_filters(request.args)
    return redirect(url_for("knowledge.feed_link", **_feed_args(values)))
