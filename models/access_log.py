"""Staff reads of personal data (API.md v1.1): who, role, when, what, why. Append-only, like events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AccessLogEntry(Base):
    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_citizen_at", "citizen_id", "at"),
        Index("ix_access_log_region_at", "region_code", "at"),
        Index("ix_access_log_staff_at", "staff_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), comment="whose data was read")
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), comment="who read it")
    staff_role: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(16), comment="application, upload, elicense or profile")
    resource_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(64), comment="e.g. the application number")
    purpose: Mapped[str] = mapped_column(String(200), comment="X-Purpose header or the endpoint's default")
    region_code: Mapped[str] = mapped_column(String(6), comment="whose supervisors see this entry")
    request_id: Mapped[str | None] = mapped_column(String(64))


@event.listens_for(AccessLogEntry, "before_update")
@event.listens_for(AccessLogEntry, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("the access log is append-only")
