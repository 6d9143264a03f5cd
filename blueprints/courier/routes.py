"""Couriers (courier): their carrier's shipments, pick-up, delivery with a photo, failure."""
from __future__ import annotations

from app.blueprint import Blueprint
from app.services import post as svc
from app.web import deps, paged
from blueprints.courier import schemas as s
from blueprints.courier.presenters import courier_view
from models.staff import Role

blp = Blueprint("courier", __name__, description="快递员：揽收、妥投、投递失败")


def shown(shipment) -> dict:
    return courier_view(*svc.with_pickup_hall(**deps(actor=False, clock=False), shipment=shipment))


@blp.route("/courier/shipments")
@blp.auth_required(Role.courier)
@blp.arguments(s.ShipmentQueryArgsSchema, location="query")
@blp.response(200, s.CourierShipmentSchema(many=True))
@blp.paginate()
def shipments(args, pagination_parameters):
    """My carrier's shipments, from the moment the hall has packed them."""
    return [courier_view(shipment, hall) for shipment, hall in
            paged(pagination_parameters, svc.courier_shipments, **deps(clock=False), status=args.get("status"))]


@blp.route("/courier/shipments/<int:shipment_id>/pickup", methods=["POST"])
@blp.command(Role.courier, body=s.PickupSchema, out=s.CourierShipmentSchema)
def pickup(data, shipment_id):
    """揽收: confirm the mail-out with the tracking number."""
    return shown(svc.pickup(**deps(), shipment_id=shipment_id, **data))


@blp.route("/courier/shipments/<int:shipment_id>/deliver", methods=["POST"])
@blp.command(Role.courier, body=s.DeliverSchema, out=s.CourierShipmentSchema)
def deliver(data, shipment_id):
    """妥投: the recipient's name and a photo (an upload id)."""
    return shown(svc.deliver(**deps(), shipment_id=shipment_id, **data))


@blp.route("/courier/shipments/<int:shipment_id>/fail", methods=["POST"])
@blp.command(Role.courier, body=s.FailSchema, out=s.CourierShipmentSchema)
def fail(data, shipment_id):
    """Delivery failed: the envelope goes back to the hall."""
    return shown(svc.fail(**deps(), shipment_id=shipment_id, **data))
