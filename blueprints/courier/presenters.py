"""How a shipment is shown to the courier (CourierShipmentSchema)."""
from __future__ import annotations

from app.crypto import mask_phone
from models.catalogue import Hall
from models.shipment import Shipment


def courier_view(shipment: Shipment, hall: Hall) -> dict:
    """Only what delivering needs: no application content, the phone masked."""
    a = shipment.address
    return {"id": shipment.id, "number": shipment.number, "status": str(shipment.status),
            "tracking_number": shipment.tracking_number,
            "deliver_to": {"recipient": a["recipient"], "phone_masked": mask_phone(a["phone"]),
                           "region_code": a["region_code"], "detail": a["detail"], "postcode": a["postcode"]},
            "pick_up_from": {"name": hall.name, "address": hall.address, "hours": hall.hours},
            "packed_at": shipment.packed_at, "picked_up_at": shipment.picked_up_at,
            "delivered_at": shipment.delivered_at}
