"""Identity schemas: login requests, token pairs, the citizen profile."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from app.web import today
from models.validation import normalize_id_number, normalize_mobile
from models.staff import Role

F = ma.fields


class Mobile(F.String):
    """A mainland mobile number, normalised to 11 digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_mobile(raw)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


class ResidentId(F.String):
    """A GB 11643 resident ID number: check digit, birth date, a region code that ever existed."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_id_number(raw, today=today())
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


class SmsCodeRequestSchema(Schema):
    phone = Mobile(required=True, validate=validate.Length(max=20), metadata={"example": "13800138000"})


class SmsCodeSentSchema(Schema):
    expires_in = F.Integer(required=True, metadata={"description": "seconds the code stays valid"})


class CitizenTokenRequestSchema(Schema):
    phone = Mobile(required=True)
    code = F.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="验证码应为 6 位数字"))


class WechatTokenRequestSchema(Schema):
    code = F.String(required=True, validate=validate.Length(1, 128),
                    metadata={"description": "wx.login() code"})


class StaffTokenRequestSchema(Schema):
    username = F.String(required=True, validate=validate.Length(1, 64))
    password = F.String(required=True, validate=validate.Length(1, 128), load_only=True)


class RefreshRequestSchema(Schema):
    refresh_token = F.String(required=True, validate=validate.Length(1, 128))


class CitizenSchema(Schema):
    id = F.Integer(required=True)
    phone_masked = F.String(allow_none=True, required=True, metadata={"example": "138****0000"})
    name = F.String(allow_none=True, required=True)
    id_number_masked = F.String(allow_none=True, required=True, metadata={"example": "3301**********1234"})
    real_name_verified = F.Boolean(required=True, metadata={
        "description": "实名: confirmed against the population data source, a verified 居民身份证 e-license, "
                       "or in person by a clerk; a case is decided only on a verified applicant"})
    real_name_method = F.String(allow_none=True, required=True, validate=validate.OneOf(
        ["population", "elicense", "clerk"]))
    real_name_verified_at = F.DateTime(allow_none=True, required=True)
    wechat_linked = F.Boolean(required=True)


class CitizenUpdateSchema(Schema):
    name = F.String(validate=validate.Length(1, 50))
    id_number = ResidentId(metadata={"description": "GB 11643, 18 characters"})


class VerifyIdentitySchema(Schema):
    elicense_id = F.Integer(metadata={"description": "a verified 居民身份证 e-license in the wallet; "
                                                     "without it, the population data source is asked"})


class StaffSchema(Schema):
    id = F.Integer(required=True)
    username = F.String(required=True)
    display_name = F.String(required=True)
    role = F.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    hall_id = F.Integer(allow_none=True, required=True)
    department_id = F.Integer(allow_none=True, required=True)
    carrier_id = F.Integer(allow_none=True, required=True)
    region_code = F.String(allow_none=True, required=True)


class TokenPairSchema(Schema):
    access_token = F.String(required=True)
    refresh_token = F.String(required=True)
    token_type = F.String(required=True, metadata={"example": "Bearer"})
    expires_in = F.Integer(required=True, metadata={"description": "access token lifetime, seconds"})


class CitizenTokensSchema(TokenPairSchema):
    citizen = F.Nested(CitizenSchema, required=True)


class StaffTokensSchema(TokenPairSchema):
    staff = F.Nested(StaffSchema, required=True)


class RefreshedTokensSchema(TokenPairSchema):
    citizen = F.Nested(CitizenSchema)
    staff = F.Nested(StaffSchema)
