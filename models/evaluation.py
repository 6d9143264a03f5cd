"""好差评 ratings, their rectifications, complaints (办不成事) and deadline alerts to staff."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

SCORES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
SATISFIED_FROM = 3  # 基本满意 and better count as satisfied
RECTIFY_AT_MOST = 2  # 不满意 and worse open a rectification


class Evaluation(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    score: Mapped[int] = mapped_column(Integer, comment="5 非常满意 .. 1 非常不满意")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    invited: Mapped[bool] = mapped_column(Boolean, comment="given after the invitation (主动评价 vs 邀请评价)")
    created_at: Mapped[datetime]
    dismissed_at: Mapped[datetime | None]
    dismissed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    dismiss_reason: Mapped[str | None] = mapped_column(Text, comment="why a supervisor judged it malicious")


class Rectification(Base):
    """整改: a rating of 2 or less, owned by the hall that accepted the case, or by the department whose
    decision it is about."""

    __tablename__ = "rectifications"
    __table_args__ = (
        Index("ix_rectifications_status_due", "status", "fix_due"),
        # The lists of a hall, a department and a region, soonest due first.
        Index("ix_rectifications_hall_due", "hall_id", "fix_due", "id"),
        Index("ix_rectifications_department_due", "department_id", "fix_due", "id"),
        Index("ix_rectifications_region_due", "region_code", "fix_due", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16), default="open", comment="open, contacted, resolved, dismissed")
    first_contact_due: Mapped[date] = mapped_column(Date, comment="1 working day")
    fix_due: Mapped[date] = mapped_column(Date, comment="configurable working days, 15 by default")
    contacted_at: Mapped[datetime | None]
    contact_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    citizen_score: Mapped[int | None] = mapped_column(Integer, comment="the citizen's rating of the fix")
    light: Mapped[str | None] = mapped_column(String(8), comment="red once a due date passed unmet")
    created_at: Mapped[datetime]


class Complaint(Base):
    """办不成事: a report that something could not be done, answered within a promised time."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_region_status", "region_code", "status"),
                      Index("ix_complaints_region_due", "region_code", "due_on", "id"))  # soonest due first

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    item_code: Mapped[str | None] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", comment="open or answered")
    due_on: Mapped[date] = mapped_column(Date)
    light: Mapped[str] = mapped_column(String(8), default="green")
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    answered_on: Mapped[date | None] = mapped_column(Date, comment="Asia/Shanghai date of the answer (late if after due_on)")
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True,
                                                      comment="转办: the department that answers it")
    assigned_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Alert(Base):
    """电子监察: a deadline turned yellow or red, a pledge or a complaint went overdue, or a supervisor
    urged (督办); the hall or department is told."""

    __tablename__ = "alerts"
    # A hall's and a department's alerts, newest first.
    __table_args__ = (Index("ix_alerts_hall_id", "hall_id", "id"), Index("ix_alerts_department_id", "department_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    subcase_id: Mapped[int | None] = mapped_column(ForeignKey("subcases.id"))
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id"))
    kind: Mapped[str] = mapped_column(String(16), default="deadline", server_default="deadline",
                                      comment="deadline, commitment, complaint, rectification, urge")
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    light: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
