"""Couriers (courier): their carrier's shipments, pick-up, delivery with a photo, failure."""
from __future__ import annotations

from app.auth import current_actor
from app.web import deps
from app.crypto import mask_phone
from app.extensions import Blueprint, db, paged
from app.services import post as svc
from blueprints.courier import schemas as s
from models.catalogue import Hall

blp = Blueprint("courier", __name__, description="快递员：揽收、妥投、投递失败")
COURIER = "courier"


def courier_view(shipment) -> dict:
    hall = db.session.get(Hall, shipment.hall_id)
    a = shipment.address
    return {"id": shipment.id, "number": shipment.number, "status": str(shipment.status),
            "tracking_number": shipment.tracking_number,
            "deliver_to": {"recipient": a["recipient"], "phone_masked": mask_phone(a["phone"]),
                           "region_code": a["region_code"], "detail": a["detail"], "postcode": a["postcode"]},
            "pick_up_from": {"name": hall.name, "address": hall.address, "hours": hall.hours},
            "packed_at": shipment.packed_at, "picked_up_at": shipment.picked_up_at,
            "delivered_at": shipment.delivered_at}


@blp.route("/courier/shipments")
@blp.auth_required(COURIER)
@blp.arguments(s.ShipmentQueryArgsSchema, location="query")
@blp.response(200, s.CourierShipmentSchema(many=True))
@blp.paginate()
def shipments(args, pagination_parameters):
    """My carrier's shipments, from the moment the hall has packed them."""
    return [courier_view(x) for x in paged(pagination_parameters, svc.courier_shipments, db.session,
                                           current_actor(), status=args.get("status"))]


def _command(path: str, schema, func, doc: str):
    @blp.auth_required(COURIER)
    @blp.idempotent
    @blp.arguments(schema)
    @blp.response(200, s.CourierShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, shipment_id):
        return courier_view(func(**deps(actor=False), actor=current_actor(),
                                 shipment_id=shipment_id, **data))

    view.__name__, view.__doc__ = path, doc
    blp.route(f"/courier/shipments/<int:shipment_id>/{path}", methods=["POST"])(view)


_command("pickup", s.PickupSchema, svc.pickup, "揽收: confirm the mail-out with the tracking number.")
_command("deliver", s.DeliverSchema, svc.deliver, "妥投: the recipient's name and a photo (an upload id).")
_command("fail", s.FailSchema, svc.fail, "Delivery failed: the envelope goes back to the hall.")
