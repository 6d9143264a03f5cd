"""Results sent by post: shipments, their one-way status, and carrier tracking events."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, enum_column


class ShipmentStatus(enum.StrEnum):
    requested = "requested"
    packed = "packed"
    picked_up = "picked_up"
    in_transit = "in_transit"
    delivered = "delivered"
    failed = "failed"
    returned = "returned"


_S = ShipmentStatus
# How far along a shipment is: a carrier event never moves it backwards. (The moves themselves
# are models/workflow.py's TRANSITIONS; only app/services/workflow.move writes a status.)
RANK = {_S.requested: 0, _S.packed: 1, _S.picked_up: 2, _S.in_transit: 3, _S.delivered: 4, _S.failed: 4,
        _S.returned: 5}
CARRIER_STATUSES = tuple(s.value for s in (_S.picked_up, _S.in_transit, _S.delivered, _S.failed))


def moves_forward(current: str, reported: str) -> bool:
    """A carrier's report applies only if it is further along than what we know (out-of-order safe)."""
    current, reported = ShipmentStatus(current), ShipmentStatus(reported)
    return RANK[reported] > RANK[current] or (current == reported == ShipmentStatus.in_transit)


class Shipment(Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier_id", "tracking_number"),
        # The hall's and the courier's lists, all or in one status, newest first.
        Index("ix_shipments_hall_id_id", "hall_id", "id"),
        Index("ix_shipments_hall_status_id", "hall_id", "status", "id"),
        Index("ix_shipments_carrier_id_id", "carrier_id", "id"),
        Index("ix_shipments_carrier_status_id", "carrier_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True, comment="printed on the label")
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"))
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus), default=ShipmentStatus.requested)
    version: Mapped[int] = mapped_column(Integer, default=1)
    address: Mapped[dict[str, Any]] = mapped_column(comment="recipient, phone, region_code, detail, postcode")
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    packed_at: Mapped[datetime | None]
    picked_up_at: Mapped[datetime | None]
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    delivered_at: Mapped[datetime | None]
    recipient_name: Mapped[str | None] = mapped_column(String(50), comment="who signed for it")
    proof_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"), comment="妥投 photo")
    failed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)
    last_event_at: Mapped[datetime | None] = mapped_column(comment="time of the latest carrier report applied")

    __mapper_args__ = {"version_id_col": version}


class CarrierEvent(Base):
    """Every webhook event received, once: a repeated event id changes nothing."""

    __tablename__ = "carrier_events"
    __table_args__ = (UniqueConstraint("carrier_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    detail: Mapped[str] = mapped_column(Text, default="")
    applied: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(32), comment="applied, stale, unknown_tracking_number ...")
    received_at: Mapped[datetime]
