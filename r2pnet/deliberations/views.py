"""Deliberation pages (placeholder until built)."""
from flask import Blueprint

bp = Blueprint("deliberations", __name__)


@bp.route("/deliberations")
def deliberations():
    """Upcoming and past deliberations of the member's regions."""
    return "Deliberations"
