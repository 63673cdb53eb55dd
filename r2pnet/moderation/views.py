"""Moderation pages (placeholder until built)."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)


@bp.route("/moderation")
def queue():
    """The flagged items of the regions the member moderates."""
    return "Moderation"
