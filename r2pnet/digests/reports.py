"""The administrators' digest delivery report, per period."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from r2pnet import permissions
from r2pnet.digests import sender

bp = Blueprint("digest_reports", __name__)


@bp.route("/admin/digests")
def delivery_report():
    """Due, sent, skipped (by reason), failed and bounced digests of recent periods."""
    if not permissions.is_administrator(current_user):
        abort(403)
    periods = sender.report()
    return render_template("digests/report.html", periods=list(periods.items())[:20])
