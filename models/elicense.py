"""The e-license wallet (电子证照): licenses a citizen holds, uploaded or issued by a department."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps
from models.catalogue import ElicenseType


def license_status(valid_until: date | None, revoked_at: datetime | None, today: date) -> str:
    """revoked wins over expired; a license without an end date stays valid until revoked."""
    if revoked_at is not None:
        return "revoked"
    if valid_until is not None and valid_until < today:
        return "expired"
    return "valid"


class Elicense(Timestamps, Base):
    __tablename__ = "elicenses"
    __table_args__ = (Index("ix_elicenses_citizen_type", "citizen_id", "type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("elicense_types.id"))
    number: Mapped[str] = mapped_column(String(64), comment="证照编号")
    holder_name: Mapped[str] = mapped_column(String(50))
    issuer: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text, comment="why the issuing department revoked it")
    verified: Mapped[bool] = mapped_column(Boolean, default=False, comment="checked against the original")
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    source: Mapped[str] = mapped_column(String(16), comment="uploaded or issued")
    upload_ids: Mapped[list[Any]] = mapped_column(default=list)
    verification_code: Mapped[str | None] = mapped_column(String(64), unique=True,
                                                          comment="unguessable, for public QR verification")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    subcase_id: Mapped[int | None] = mapped_column(ForeignKey("subcases.id"))

    type: Mapped[ElicenseType] = relationship(lazy="joined")
