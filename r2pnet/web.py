"""Cross-cutting web concerns: sign-in by default, security headers, error pages, health."""
import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (Blueprint, current_app, flash, g, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from markupsafe import Markup
from flask_wtf.csrf import CSRFError
from peewee import InterfaceError, OperationalError
from playhouse.pool import MaxConnectionsExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from r2pnet import pages
from r2pnet.extensions import db, login_manager
from r2pnet.members.reference import country_name, language_name
from r2pnet.taxonomy import EXPERTISE

bp = Blueprint("web", __name__)

# Everything else needs a signed-in member.
PUBLIC_ENDPOINTS = {
    "static", "bootstrap.static", "web.healthz",
    "accounts.login", "accounts.setup", "accounts.accept_invitation",
    "accounts.reset_request", "accounts.reset_password",
    # Public lessons (and the browse page, which then lists only those) for the Compendium.
    "knowledge.browse_lessons", "knowledge.lesson_page",
    # Files of public lessons; the view answers 404 for a lesson the visitor may not read.
    "knowledge.download_attachment",
    # The Atom feed: feed readers have no session; a per-member token stands in for it.
    "knowledge.feed",
    # One-click unsubscribe from the digest (RFC 8058): mail clients post without a session.
    "digests.unsubscribe",
}

# Public endpoints whose answers are pages (never kept by the browser or a proxy).
PUBLIC_PAGES = PUBLIC_ENDPOINTS - {"static", "bootstrap.static"}

RETRY_AFTER_SECONDS = 5  # when the database is unavailable

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")

# Sent with every response unless the view set its own (a lowercase name: checked as it is
# stored). Added in one pass: Headers.setdefault looks each name up by raising KeyError.
SECURITY_HEADERS = (
    ("content-security-policy", "Content-Security-Policy", CSP),
    ("x-content-type-options", "X-Content-Type-Options", "nosniff"),
    ("x-frame-options", "X-Frame-Options", "DENY"),
    ("referrer-policy", "Referrer-Policy", "same-origin"),
    ("permissions-policy", "Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("cross-origin-opener-policy", "Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("strict-transport-security", "Strict-Transport-Security",
        "max-age=31536000; includeSubDomains")

NAVIGATION = (
    # (endpoint, label, who sees it): the sections later features add slot in here.
    ("members.directory", "Directory", "member"),
    ("knowledge.browse_lessons", "Lessons", "member"),
    ("discussions.spaces", "Discussions", "member"),
    ("discussions.whats_new", "What's new", "member"),
    ("deliberations.deliberations", "Deliberations", "member"),
    ("moderation.queue", "Moderation", "moderator"),
    ("accounts.invitations", "Invitations", "inviter"),
    ("members.admin_regions", "Regions", "administrator"),
    ("audit.audit_log", "Audit log", "administrator"),
    ("digest_reports.delivery_report", "Digest deliveries", "administrator"),
)


def client_ip():
    """The client's address (ProxyFix rewrites it when PROXY_COUNT is set)."""
    return request.remote_addr or ""


def safe_next(target, fallback="web.home"):
    """`target` if it is a path on this site, else the fallback page."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) \
            and "\\" not in target and all(ch.isprintable() for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(fallback)


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to what a database id can hold: huge numbers are a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_app(app):
    """Register the hooks, error pages, template helpers and the home and health pages."""
    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(bp)
    app.before_request(_require_sign_in)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(MaxConnectionsExceeded, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)
    app.jinja_env.filters.update(country=country_name, language=language_name,
                                 expertise=lambda key: EXPERTISE.get(key, key),
                                 localtime=localtime, without=_without)
    app.jinja_env.globals.update(options=options, option_tags=options)


def _is_api():
    return request.path.startswith("/api/")


def _require_sign_in():
    if request.blueprint == "api":
        return None  # the API answers 401 itself, with a problem document
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    if request.endpoint is None:
        return None  # let the 404 / 405 handlers answer
    if request.method == "GET" and request.endpoint != "web.home":
        flash("Please sign in to see this page.", "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _security_headers(response):
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    wanted = SECURITY_HEADERS
    if current_app.config["BASE_URL"].startswith("https://"):
        wanted = (*wanted, HSTS)
    for key, name, value in wanted:
        if key not in present:
            headers.add(name, value)
    if current_user.is_authenticated or request.endpoint in PUBLIC_PAGES:
        if "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        elif "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
    return response


def _csrf_error(error):
    if _is_api():
        from r2pnet.api.problems import problem_response
        return problem_response(403, "A call from a browser session needs the X-CSRFToken "
                                     "header (or use a personal access token).")
    return render_template("errors/error.html", code=400, title="The form has expired",
                           message="The page was open too long or came from another site. "
                                   "Go back, reload the page and submit it again."), 400


def _http_error(error):
    if _is_api():
        from r2pnet.api.problems import from_http_exception
        return from_http_exception(error)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=error.name, status=error.code), error.code
    messages = {
        403: "You do not have permission to see this page.",
        404: "There is no page at this address, or you may not see it.",
        405: "This address does not accept that kind of request.",
        413: "What you sent is too large.",
    }
    return render_template("errors/error.html", code=error.code, title=error.name,
                           message=messages.get(error.code, error.description)), error.code


def _database_unavailable(error):
    """The database is down, restarting, or every pooled connection is busy: 503, try again."""
    current_app.logger.warning("database unavailable on %s: %s", request.path, error)
    # Render as nobody: loading the signed-in member would need the database again.
    login_manager._update_request_context_with_user()
    message = ("r2pnet is busy or briefly unavailable. Nothing you sent was lost if you go "
               "back; please try again in a few seconds.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _is_api():
        from r2pnet.api.problems import problem_response
        return problem_response(503, message, headers=headers)
    return render_template("errors/error.html", code=503, title="Service unavailable",
                           message=message), 503, headers


def _unexpected_error(error):
    current_app.logger.exception("unexpected error on %s", request.path)
    if _is_api():
        from r2pnet.api.problems import problem_response
        return problem_response(500)
    return render_template("errors/error.html", code=500, title="Something went wrong",
                           message="The error has been logged. Nothing you sent was lost "
                                   "if you go back; please try again."), 500


def navigation_links():
    """(endpoint, label, "main" or "admin") of each section the signed-in member may open."""
    from r2pnet import permissions
    member = current_user._get_current_object()
    if not member.is_authenticated:
        return []
    shown = []
    for endpoint, label, who in NAVIGATION:
        if who == "administrator" and not permissions.is_administrator(member):
            continue
        if who == "inviter" and not permissions.can_invite(member):
            continue
        if who == "moderator" and not permissions.can_read_moderation(member):
            continue
        # Administration pages share one menu, so the bar keeps to one line.
        shown.append((endpoint, label, "admin" if who in ("administrator", "inviter")
                      else "main"))
    return shown


def _without(mapping, *keys):
    """A copy of a dict without some keys (pagination links keep the other filters)."""
    return {k: v for k, v in mapping.items() if k not in keys and v not in ("", None)}


_built_options = {}  # id(choices) -> (choices, all options' HTML, {value as text: (start, end)})


def options(choices, selected=None):
    """The <option>s of a long-lived {value: label} mapping, `selected` marked.

    Built once per mapping: the directory's lists of countries and languages are 430 options,
    and an outcome form repeats the region's members in every action row.
    """
    built = _built_options.get(id(choices))
    if built is None or built[0] is not choices:
        if len(_built_options) >= 64:
            _built_options.clear()
        built = _built_options[id(choices)] = _build_options(choices)
    _, html, spans = built
    span = None if selected is None else spans.get(str(selected))
    if span is None:
        return Markup(html)
    start, end = span  # the value is escaped: its option's first '">' closes the value
    return Markup(html[:start] + html[start:end].replace('">', '" selected>', 1) + html[end:])


def _build_options(choices):
    parts, spans, length = [], {}, 0
    for value, label in choices.items():
        part = Markup('<option value="{}">{}</option>').format(value, label)
        spans.setdefault(str(value), (length, length + len(part)))
        parts.append(part)
        length += len(part)
    return choices, "".join(parts), spans


def localtime(value, fmt="%d %b %Y %H:%M"):
    """A naive UTC datetime shown in the signed-in member's time zone."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone(viewer_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"


def viewer_zone():
    """The signed-in member's time zone (UTC otherwise), looked up once per request."""
    zone = g.get("viewer_zone")
    if zone is None:
        name = "UTC"
        member = current_user._get_current_object()
        if member and member.is_authenticated:
            name = member.timezone or "UTC"
        try:
            zone = ZoneInfo(name)
        except (KeyError, ValueError):
            zone = dt.UTC
        g.viewer_zone = zone
    return zone


@bp.route("/")
@pages.kept
def home():
    """The signed-in landing page."""
    from r2pnet.members.services import region_cards
    return render_template("home.html", regions=region_cards())


@bp.route("/healthz")
def healthz():
    """200 when the app and its database answer."""
    try:
        db.execute_sql("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
