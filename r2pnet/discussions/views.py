"""Discussion pages (placeholder until built)."""
from flask import Blueprint

bp = Blueprint("discussions", __name__)


@bp.route("/discussions")
def spaces():
    """The spaces the member may read."""
    return "Discussions"


@bp.route("/new")
def whats_new():
    """Followed activity and mentions."""
    return "What's new"
