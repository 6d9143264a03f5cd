"""Results sent by post: one shipment per issued application."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
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


class Shipment(Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("carrier_id", "tracking_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"), index=True)
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus), default=ShipmentStatus.requested)
    version: Mapped[int] = mapped_column(Integer, default=1)
    address: Mapped[dict[str, Any]] = mapped_column(comment="recipient, phone, region_code, detail, postcode")
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    proof_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"), comment="妥投 photo")

    __mapper_args__ = {"version_id_col": version}
