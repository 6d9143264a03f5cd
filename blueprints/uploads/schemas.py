"""Upload schemas."""
import marshmallow as ma
from marshmallow import validate

from flask_smorest.fields import Upload

from app.extensions import Schema

F = ma.fields
PURPOSES = ["material", "elicense", "delivery_proof"]


class DirectUploadSchema(Schema):
    purpose = F.String(required=True, validate=validate.OneOf(PURPOSES))
    file = Upload(required=True)


class UploadSchema(Schema):
    id = F.Integer(required=True)
    status = F.String(required=True)
    purpose = F.String(required=True)
    filename = F.String(required=True)
    sha256 = F.String(allow_none=True, required=True)
    content_type = F.String(allow_none=True, required=True)
    size = F.Integer(allow_none=True, required=True)
    width = F.Integer(allow_none=True, required=True)
    height = F.Integer(allow_none=True, required=True)
    pages = F.Integer(allow_none=True, required=True)
