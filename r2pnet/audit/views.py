"""The audit log page for administrators."""
import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from r2pnet import permissions
from r2pnet.audit.models import ACTIONS
from r2pnet.audit.services import events, with_members
from r2pnet.forms import load_form

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50


class AuditQuerySchema(Schema):
    action = fields.String(load_default="", validate=validate.OneOf([""] + list(ACTIONS)))
    member = fields.Integer(load_default=None, allow_none=True,
                            validate=validate.Range(1, 2**63 - 1))
    email = fields.String(load_default="", validate=validate.Length(max=254))
    since = fields.Date(load_default=None, allow_none=True)
    until = fields.Date(load_default=None, allow_none=True)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))

    def load(self, data, *args, **kwargs):
        data = {k: v for k, v in data.items() if v != ""}
        return super().load(data, *args, **kwargs)


@bp.route("/audit")
def audit_log():
    """Account and administration events, filterable by action, member, email and date."""
    if not permissions.can_read_audit(current_user):
        abort(403)
    schema = AuditQuerySchema()
    data, errors, values = load_form(schema, request.args)
    # Only known filters go back into the links; a bad one is reported and the others still apply.
    values = {k: v for k, v in values.items() if k in schema.fields and k not in errors}
    if errors:
        data = schema.load(values)
    since = dt.datetime.combine(data["since"], dt.time()) if data["since"] else None
    # "Until" is inclusive: up to the start of the next day (none after the last date there is).
    until = (dt.datetime.combine(data["until"], dt.time()) + dt.timedelta(days=1)
             if data["until"] and data["until"] < dt.date.max else None)
    query = events(data["action"], data["member"], data["email"], since, until)
    # One row more than a page tells whether there is an older page (paginate() would skip it).
    rows = with_members(list(query.offset((data["page"] - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return render_template("audit/log.html", events=rows[:PAGE_SIZE],
                           has_next=len(rows) > PAGE_SIZE, page=data["page"], values=values,
                           errors=errors, actions=ACTIONS), 400 if errors else 200
