"""E-license wallet schemas."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema

F = ma.fields
STATUSES = ["valid", "expired", "revoked"]


class ElicenseCreateSchema(Schema):
    type = F.String(required=True, metadata={"description": "e-license type code, e.g. ID_CARD"})
    number = F.String(required=True, validate=validate.Length(1, 64))
    holder_name = F.String(required=True, validate=validate.Length(1, 50))
    issuer = F.String(load_default=None, validate=validate.Length(1, 100))
    issued_on = F.Date(required=True)
    valid_until = F.Date(load_default=None, allow_none=True)
    upload_ids = F.List(F.Integer(), required=True, validate=validate.Length(1, 10))


class ElicenseFileSchema(Schema):
    upload_id = F.Integer(required=True)


class ElicenseSchema(Schema):
    id = F.Integer(required=True)
    type = F.String(required=True)
    type_name = F.String(required=True)
    number = F.String(required=True)
    holder_name = F.String(required=True)
    issuer = F.String(required=True)
    issued_on = F.Date(required=True)
    valid_until = F.Date(allow_none=True, required=True)
    status = F.String(required=True, validate=validate.OneOf(STATUSES))
    verified = F.Boolean(required=True)
    source = F.String(required=True, validate=validate.OneOf(["uploaded", "issued"]))
    files = F.List(F.Nested(ElicenseFileSchema), required=True)
    verification_url = F.String(allow_none=True, required=True)


class PublicVerificationSchema(Schema):
    type = F.String(required=True)
    type_name = F.String(required=True)
    holder_name_masked = F.String(required=True)
    issuer = F.String(required=True)
    issued_on = F.Date(required=True)
    valid_until = F.Date(allow_none=True, required=True)
    status = F.String(required=True, validate=validate.OneOf(STATUSES))
