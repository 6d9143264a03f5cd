"""Carrier tracking events."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from models.shipment import CARRIER_STATUSES

F = ma.fields


class CarrierEventSchema(Schema):
    event_id = F.String(required=True, validate=validate.Length(1, 100))
    tracking_number = F.String(required=True, validate=validate.Length(1, 64))
    status = F.String(required=True, validate=validate.OneOf(CARRIER_STATUSES))
    at = F.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})
    detail = F.String(load_default="", validate=validate.Length(max=1000))


class CarrierEventAnswerSchema(Schema):
    event_id = F.String(required=True)
    applied = F.Boolean(required=True)
    outcome = F.String(required=True, metadata={"description": "applied, stale, unknown_tracking_number"})
