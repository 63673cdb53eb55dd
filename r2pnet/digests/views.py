"""Digest pages: one-click unsubscribe, the settings form, the preview, the bounce banner."""
import datetime as dt

from flask import (Blueprint, abort, flash, g, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from r2pnet import permissions
from r2pnet.audit.services import record
from r2pnet.digests.compose import compose
from r2pnet.digests.message import digest_message
from r2pnet.digests.models import (DEFAULT_FREQUENCY, DEFAULT_HOUR, DEFAULT_WEEKDAY, FREQUENCIES,
                                   WEEKDAYS, DigestDelivery, DigestSettings)
from r2pnet.digests.planner import PERIOD_DAYS
from r2pnet.digests.schemas import DigestSettingsSchema
from r2pnet.digests.settings import save_settings
from r2pnet.digests.tokens import member_for_unsubscribe_token
from r2pnet.extensions import csrf, db
from r2pnet.forms import load_form
from r2pnet.members.models import Member, utcnow
from r2pnet.web import client_ip

bp = Blueprint("digests", __name__)
HOURS = {str(hour): f"{hour:02d}:00" for hour in range(24)}


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """GET asks (link scanners open links); POST, one click from the mail client, turns off.

    :raise 404: when the token is not a valid unsubscribe token of an existing member
    """
    member = member_for_unsubscribe_token(token)
    if member is None:
        abort(404)
    if request.method == "GET":
        return render_template("digests/unsubscribe.html", token=token)
    turn_off(member, client_ip())
    return render_template("digests/unsubscribed.html")


def turn_off(member, ip=""):
    """Send `member` no more digests (their other settings are kept)."""
    now = utcnow()
    with db.atomic():
        (DigestSettings.insert(member=member.id, frequency="off", updated_at=now)
         .on_conflict(conflict_target=[DigestSettings.member],
                      update={DigestSettings.frequency: "off", DigestSettings.updated_at: now})
         .execute())
        record("digest_unsubscribed", actor=member, target=member, ip=ip,
               detail="unsubscribed from the digest by its link")


def settings_values(member):
    row = DigestSettings.get_or_none(DigestSettings.member == member.id)
    return {"frequency": row.frequency if row else DEFAULT_FREQUENCY,
            "weekday": str(row.weekday if row else DEFAULT_WEEKDAY),
            "hour": str(row.hour if row else DEFAULT_HOUR)}


@bp.route("/settings/digest", methods=["GET", "POST"])
def settings():
    """How often and when the member's digest comes."""
    member = current_user._get_current_object()
    errors, values = {}, None
    if request.method == "POST":
        data, errors, values = load_form(DigestSettingsSchema(), request.form)
        if not errors:
            save_settings(member, data)
            flash("Digest settings saved.", "success")
            return redirect(url_for("digests.settings"))
    return render_template("digests/settings.html", values=values or settings_values(member),
                           errors=errors, frequencies=FREQUENCIES,
                           weekdays=dict(enumerate(WEEKDAYS)), hours=HOURS,
                           zone=member.timezone or "UTC"), 400 if errors else 200


def preview_html(member, now=None):
    """The HTML part of `member`'s next digest, exactly as the sender would build it now."""
    now = now or utcnow()
    row = DigestSettings.get_or_none(DigestSettings.member == member.id)
    frequency = row.frequency if row and row.frequency in PERIOD_DAYS else DEFAULT_FREQUENCY
    last = (DigestDelivery.select(DigestDelivery.due_at)
            .where(DigestDelivery.member == member.id)
            .order_by(DigestDelivery.due_at.desc())
            .scalar())
    since = last or now - dt.timedelta(days=7)
    delivery = DigestDelivery(member=member.id, period="preview", frequency=frequency,
                              due_at=now, since=since, next_attempt_at=now)
    digest = compose(member, since, now)
    msg = digest_message(member, digest, delivery)
    return msg.get_body(("html",)).get_content(), digest


@bp.route("/digest/preview")
def preview():
    """The member's next digest as it would be sent; administrators may preview anyone's.

    :raise 404: when someone other than an administrator asks for another member's digest
    """
    member = current_user._get_current_object()
    asked = request.args.get("member", "")
    if asked and asked != str(member.id):
        if not permissions.is_administrator(member) or not (asked.isascii() and asked.isdigit()) \
                or not 0 < int(asked) < 2**63:
            abort(404)
        member = Member.get_or_none(Member.id == int(asked))
        if member is None:
            abort(404)
    html, _ = preview_html(member)
    response = make_response(html)
    # The email's CSS is inlined in style attributes; nothing else is allowed, no script at all.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; "
        "frame-ancestors 'none'; base-uri 'none'")
    return response


@bp.app_template_global()
def digest_stopped_address():
    """The signed-in member's address if their digests stopped after bounces.

    The sign-in loader reads `digest_stopped_at` with the member: no query of its own.
    """
    member = current_user._get_current_object()
    if not member or not member.is_authenticated:
        return None
    if not hasattr(member, "digest_stopped_at"):
        if "digest_stopped_at" not in g:
            g.digest_stopped_at = (DigestSettings.select(DigestSettings.stopped_at)
                                   .where(DigestSettings.member == member.id)
                                   .scalar())
        stopped = g.digest_stopped_at
    else:
        stopped = member.digest_stopped_at
    return member.email if stopped else None
