"""The local store's signed upload form (the same fields an S3 presigned POST carries)."""
import marshmallow as ma
from flask_smorest.fields import Upload

from app.schemas import Schema

F = ma.fields


class SignedUploadSchema(Schema):
    key = F.String(required=True)
    policy = F.String(required=True)
    signature = F.String(required=True)
    content_type = F.String(required=True, data_key="Content-Type")
    file = Upload(required=True)


class SignedGetArgsSchema(Schema):
    expires = F.String(required=True)
    signature = F.String(required=True)
