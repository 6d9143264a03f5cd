"""The citizen's messages."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema

F = ma.fields


class MessageSchema(Schema):
    id = F.Integer(required=True)
    application_id = F.Integer(allow_none=True, required=True)
    template = F.String(required=True)
    text = F.String(required=True)
    channel = F.String(required=True, validate=validate.OneOf(["sms", "wechat", "app"]),
                       metadata={"description": "how it was (or will be) delivered; app until a channel is chosen"})
    status = F.String(required=True, validate=validate.OneOf(["queued", "sent", "failed"]))
    created_at = F.DateTime(required=True)
    sent_at = F.DateTime(allow_none=True, required=True)
    read_at = F.DateTime(allow_none=True, required=True)


class MessageQueryArgsSchema(Schema):
    unread = F.Boolean(metadata={"description": "true: only unread; false: only read"})
