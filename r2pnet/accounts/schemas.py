"""Validation of sign-in, invitation and password forms."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from r2pnet.accounts.passwords import MAX_LENGTH
from r2pnet.forms import REQUIRED, one_line


class LoginSchema(Schema):
    email = fields.String(required=True, error_messages=REQUIRED,
                          validate=validate.Length(1, 254, error="Enter your email address."))
    password = fields.String(required=True, error_messages=REQUIRED,
                             validate=validate.Length(1, 1024, error="Enter your password."))
    remember = fields.Boolean(load_default=False)


class NewPasswordSchema(Schema):
    password = fields.String(required=True, error_messages=REQUIRED,
                             validate=validate.Length(max=MAX_LENGTH))
    password_confirm = fields.String(required=True, error_messages=REQUIRED)

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError("The two passwords differ.", "password_confirm")


class AcceptInvitationSchema(NewPasswordSchema):
    name = fields.String(required=True, error_messages=REQUIRED,
                         validate=[validate.Length(1, 120, error="Enter your name."), one_line])


class SetupSchema(AcceptInvitationSchema):
    email = fields.String(required=True, error_messages=REQUIRED,
                          validate=validate.Length(3, 254))


class ResetRequestSchema(Schema):
    email = fields.String(required=True, error_messages=REQUIRED,
                          validate=validate.Length(1, 254, error="Enter your email address."))


class ChangePasswordSchema(Schema):
    current_password = fields.String(required=True, error_messages=REQUIRED,
                                     validate=validate.Length(1, 1024))
    new_password = fields.String(required=True, error_messages=REQUIRED,
                                 validate=validate.Length(max=MAX_LENGTH))
    new_password_confirm = fields.String(required=True, error_messages=REQUIRED)

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("new_password") != data.get("new_password_confirm"):
            raise ValidationError("The two passwords differ.", "new_password_confirm")


class InviteSchema(Schema):
    email = fields.String(required=True, error_messages=REQUIRED,
                          validate=validate.Length(1, 254))
    role = fields.String(load_default="member", validate=validate.OneOf(
        ["member", "moderator", "administrator"], error="Choose a role from the list."))
    region_id = fields.Integer(load_default=None, allow_none=True,
                               error_messages={"invalid": "Choose a region from the list."})

    def load(self, data, *args, **kwargs):
        data = dict(data)
        if data.get("region_id") == "":
            data["region_id"] = None
        return super().load(data, *args, **kwargs)


class RoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(
        ["member", "moderator", "administrator"], error="Choose a role from the list."))
    region_ids = fields.List(fields.Integer(error_messages={
        "invalid": "Choose regions from the list."}, validate=validate.Range(
            1, 2**63 - 1, error="Choose regions from the list.")), load_default=list)


class DisableSchema(Schema):
    disabled = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))
