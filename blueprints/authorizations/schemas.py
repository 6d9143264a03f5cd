"""Authorisation (委托代办) schemas."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from blueprints.auth.schemas import Mobile

F = ma.fields
CODES = F.List(F.String(validate=validate.Length(1, 32)), validate=validate.Length(1, 50))


class ScopeSchema(Schema):
    any = F.Boolean(load_default=False, metadata={"description": "any item or bundle"})
    item_codes = CODES
    bundle_codes = CODES

    @ma.validates_schema
    def _one_kind(self, data, **kwargs):
        given = [k for k in ("item_codes", "bundle_codes") if data.get(k)] + (["any"] if data.get("any") else [])
        if len(given) != 1:
            raise ma.ValidationError("须且只须给出 item_codes、bundle_codes 或 any 之一", "_schema")


class AuthorizationCreateSchema(Schema):
    agent_phone = Mobile(required=True, validate=validate.Length(max=20), metadata={"example": "13900139000"})
    scope = F.Nested(ScopeSchema, required=True, metadata={
        "description": '{"item_codes": [...]}, {"bundle_codes": [...]}, or "any" (also {"any": true})'})
    valid_until = F.Date(required=True, metadata={"description": "last day the agent may act (Asia/Shanghai)"})

    @ma.pre_load
    def _any(self, data, **kwargs):
        if isinstance(data, dict) and data.get("scope") == "any":
            data = {**data, "scope": {"any": True}}
        return data


class ScopeOutSchema(Schema):
    any = F.Boolean(required=True)
    item_codes = F.List(F.String(), required=True)
    bundle_codes = F.List(F.String(), required=True)


class AuthorizationSchema(Schema):
    id = F.Integer(required=True)
    direction = F.String(required=True, validate=validate.OneOf(["granted", "received"]))
    principal_name = F.String(allow_none=True, required=True)
    principal_phone_masked = F.String(allow_none=True, required=True)
    agent_phone_masked = F.String(required=True)
    scope = F.Nested(ScopeOutSchema, required=True)
    valid_until = F.Date(required=True)
    status = F.String(required=True, validate=validate.OneOf(["active", "expired", "revoked"]))
    created_at = F.DateTime(required=True)
    revoked_at = F.DateTime(allow_none=True, required=True)
