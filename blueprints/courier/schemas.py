"""What a courier sees: only what delivering needs (no application content, phone masked)."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from models.shipment import ShipmentStatus

F = ma.fields
STATUSES = [s.value for s in ShipmentStatus]


class ShipmentQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(STATUSES))


class CourierAddressSchema(Schema):
    recipient = F.String(required=True)
    phone_masked = F.String(required=True, metadata={"example": "138****0000"})
    region_code = F.String(required=True)
    detail = F.String(required=True)
    postcode = F.String(required=True)


class PickupPointSchema(Schema):
    name = F.String(required=True)
    address = F.String(required=True)
    hours = F.String(required=True)


class CourierShipmentSchema(Schema):
    id = F.Integer(required=True)
    number = F.String(required=True)
    status = F.String(required=True, validate=validate.OneOf(STATUSES))
    tracking_number = F.String(allow_none=True, required=True)
    deliver_to = F.Nested(CourierAddressSchema, required=True)
    pick_up_from = F.Nested(PickupPointSchema, required=True)
    packed_at = F.DateTime(allow_none=True, required=True)
    picked_up_at = F.DateTime(allow_none=True, required=True)
    delivered_at = F.DateTime(allow_none=True, required=True)


class PickupSchema(Schema):
    tracking_number = F.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{6,40}$",
                                                                       error="运单号为 6 到 40 位字母数字"))


class DeliverSchema(Schema):
    recipient_name = F.String(required=True, validate=validate.Length(1, 50))
    proof_upload_id = F.Integer(required=True)


class FailSchema(Schema):
    reason = F.String(required=True, validate=validate.Length(1, 500))
