"""Couriers (courier): their carrier's shipments, pick-up, delivery with a photo, failure."""
from __future__ import annotations

from app.auth import current_actor
from app.crypto import mask_phone
from app.extensions import db
from app.blueprint import Blueprint
from app.web import deps, paged
from app.services import post as svc
from blueprints.courier import schemas as s

blp = Blueprint("courier", __name__, description="快递员：揽收、妥投、投递失败")
COURIER = "courier"


def courier_view(shipment, hall) -> dict:
    """Only what delivering needs: no application content, the phone masked."""
    a = shipment.address
    return {"id": shipment.id, "number": shipment.number, "status": str(shipment.status),
            "tracking_number": shipment.tracking_number,
            "deliver_to": {"recipient": a["recipient"], "phone_masked": mask_phone(a["phone"]),
                           "region_code": a["region_code"], "detail": a["detail"], "postcode": a["postcode"]},
            "pick_up_from": {"name": hall.name, "address": hall.address, "hours": hall.hours},
            "packed_at": shipment.packed_at, "picked_up_at": shipment.picked_up_at,
            "delivered_at": shipment.delivered_at}


def _moved(shipment) -> dict:
    return courier_view(*svc.with_pickup_hall(db.session, shipment))


@blp.route("/courier/shipments")
@blp.auth_required(COURIER)
@blp.arguments(s.ShipmentQueryArgsSchema, location="query")
@blp.response(200, s.CourierShipmentSchema(many=True))
@blp.paginate()
def shipments(args, pagination_parameters):
    """My carrier's shipments, from the moment the hall has packed them."""
    return [courier_view(shipment, hall) for shipment, hall in
            paged(pagination_parameters, svc.courier_shipments, db.session, current_actor(), status=args.get("status"))]


@blp.route("/courier/shipments/<int:shipment_id>/pickup", methods=["POST"])
@blp.command(COURIER, s.PickupSchema, s.CourierShipmentSchema)
def pickup(data, shipment_id):
    """揽收: confirm the mail-out with the tracking number."""
    return _moved(svc.pickup(**deps(), shipment_id=shipment_id, **data))


@blp.route("/courier/shipments/<int:shipment_id>/deliver", methods=["POST"])
@blp.command(COURIER, s.DeliverSchema, s.CourierShipmentSchema)
def deliver(data, shipment_id):
    """妥投: the recipient's name and a photo (an upload id)."""
    return _moved(svc.deliver(**deps(), shipment_id=shipment_id, **data))


@blp.route("/courier/shipments/<int:shipment_id>/fail", methods=["POST"])
@blp.command(COURIER, s.FailSchema, s.CourierShipmentSchema)
def fail(data, shipment_id):
    """Delivery failed: the envelope goes back to the hall."""
    return _moved(svc.fail(**deps(), shipment_id=shipment_id, **data))
