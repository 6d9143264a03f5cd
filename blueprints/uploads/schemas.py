"""Upload schemas."""
import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from app.schemas import Schema

F = ma.fields
from models.material import PURPOSES

PURPOSE_DOC = "what the file is for, which decides what it may be attached to: " + "; ".join(
    f"`{name}`: {use}" for name, use in PURPOSES.items())
TYPES = ["image/jpeg", "image/png", "application/pdf"]


class UploadCreateSchema(Schema):
    filename = F.String(required=True, validate=validate.Length(1, 255), metadata={"description": "display only"})
    content_type = F.String(required=True, validate=validate.OneOf(TYPES))
    size = F.Integer(required=True, validate=validate.Range(1, 20 * 1024 * 1024))
    purpose = F.String(required=True, validate=validate.OneOf(list(PURPOSES)), metadata={"description": PURPOSE_DOC})


class PresignedUploadSchema(Schema):
    id = F.Integer(required=True)
    url = F.String(required=True, metadata={"description": "POST the fields and then `file` here"})
    fields = F.Dict(keys=F.String(), values=F.String(), required=True)
    expires_at = F.DateTime(required=True)


class DirectUploadSchema(Schema):
    purpose = F.String(required=True, validate=validate.OneOf(list(PURPOSES)), metadata={"description": PURPOSE_DOC})
    file = Upload(required=True)


class UploadSchema(Schema):
    id = F.Integer(required=True)
    status = F.String(required=True, validate=validate.OneOf(["pending", "ready", "rejected"]))
    purpose = F.String(required=True, validate=validate.OneOf(list(PURPOSES)), metadata={"description": PURPOSE_DOC})
    filename = F.String(required=True)
    sha256 = F.String(allow_none=True, required=True)
    content_type = F.String(allow_none=True, required=True)
    size = F.Integer(allow_none=True, required=True)
    width = F.Integer(allow_none=True, required=True)
    height = F.Integer(allow_none=True, required=True)
    pages = F.Integer(allow_none=True, required=True)
    reject_reason = F.String(allow_none=True, required=True)
    url = F.String(allow_none=True, required=True, metadata={"description": "short-lived download URL"})
    thumbnail_url = F.String(allow_none=True, required=True)
