"""Pages for personal access tokens: make one (shown once), list them, revoke one."""
import secrets

from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user
from marshmallow import Schema, fields, validate

from r2pnet.api.models import SCOPES, ApiToken
from r2pnet.api.tokens import EXPIRY_DAYS, create_token, revoke_token, tokens_of
from r2pnet.errors import DomainError, NotFound
from r2pnet.forms import REQUIRED, load_form, one_line
from r2pnet.members.models import utcnow
from r2pnet.web import client_ip

bp = Blueprint("api_tokens", __name__)

EXPIRY_CHOICES = {str(days): f"{days} days" for days in EXPIRY_DAYS}
# Forms already used to make a token: reloading the answer page must not make another one.
USED_FORMS_KEPT = 20
DEFAULT_VALUES = {"name": "", "scope": "read", "days": "90"}


class TokenFormSchema(Schema):
    """The new-token form: a name, a scope and an expiry from the lists."""

    name = fields.String(required=True, error_messages=REQUIRED, validate=[
        validate.Length(1, 80, error="Give the token a name of 1 to 80 characters."), one_line])
    scope = fields.String(required=True, validate=validate.OneOf(
        list(SCOPES), error="Choose read only, or read and write."),
        error_messages={"required": "Choose read only, or read and write."})
    days = fields.Integer(required=True, strict=False, validate=validate.OneOf(
        EXPIRY_DAYS, error="Choose when the token expires."),
        error_messages={"required": "Choose when the token expires.",
                        "invalid": "Choose when the token expires."})


def _page(values, errors=None, created=None, token=None, status=200):
    member = current_user._get_current_object()
    response = make_response(render_template(
        "api/tokens.html", tokens=tokens_of(member), now=utcnow(), values=values,
        errors=errors or {}, created=created, token=token, scopes=SCOPES,
        expiry_choices=EXPIRY_CHOICES, form_id=secrets.token_urlsafe(16)), status)
    # The page may carry a token in clear: no cache, no history copy anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings/tokens", methods=["GET", "POST"])
def tokens_page():
    """The member's tokens and the form for a new one; a new token is shown in this answer only."""
    if request.method == "GET":
        return _page(DEFAULT_VALUES)
    form_id = request.form.get("form_id", "")[:64]
    used = session.get("token_forms_used", [])
    if form_id and form_id in used:
        flash("That form was already sent, and the token it made was shown once: it is in the "
              "list below. Make a new token if you need one.", "warning")
        return redirect(url_for("api_tokens.tokens_page"))
    data, errors, values = load_form(TokenFormSchema(), request.form)
    if not errors:
        try:
            row, token = create_token(current_user._get_current_object(), data["name"],
                                      data["scope"], data["days"], client_ip())
        except DomainError as error:
            errors = error.errors
        else:
            if form_id:
                session["token_forms_used"] = [*used, form_id][-USED_FORMS_KEPT:]
            return _page(DEFAULT_VALUES, created=row, token=token)
    return _page(values, errors, status=400)


def _own_token(token_id):
    """:raise 404: when the token is not the signed-in member's"""
    row = ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.member == current_user.id)
    if row is None:
        abort(404)
    return row


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id):
    """Ask, then revoke one of the member's tokens: it stops working at once.

    :raise 404: when the token is another member's (or does not exist)
    """
    row = _own_token(token_id)
    if request.method == "GET":
        return render_template("api/revoke.html", token=row, now=utcnow(), scopes=SCOPES)
    try:
        revoke_token(current_user._get_current_object(), row.id, client_ip())
    except NotFound:
        abort(404)
    flash(f"The token “{row.name}” is revoked: programs using it are refused from now on.",
          "success")
    return redirect(url_for("api_tokens.tokens_page"))
