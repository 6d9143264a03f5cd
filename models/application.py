"""Applications for "one thing", their sub-cases per department, events, visits and pauses."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, enum_column
from models.citizen import Citizen
from models.workflow import AppStatus, SubStatus


EXEMPTING = ("elicense", "data")  # 免提交: the government already holds it


class Application(Timestamps, Base):
    __tablename__ = "applications"
    __table_args__ = (
        # The hall inbox: a region's cases in one status, oldest submitted first (a page is an index range).
        Index("ix_applications_region_status_submitted", "region_code", "status", "submitted_at", "id"),
        Index("ix_applications_citizen_created", "citizen_id", "created_at"),
        # Covering index for the statistics: one county-month is an index-only range scan.
        Index("ix_applications_region_submitted", "region_code", "submitted_at",
              postgresql_include=["status", "channel", "accepted_at", "completed_at", "on_time",
                                  "working_days_taken", "promised_days", "statutory_days", "promised_date",
                                  "delivery_method", "visit_count", "item_count", "exempted_count",
                                  "rating_score", "rectification_state", "rating_invited",
                                  "evaluation_invited_at", "commitment_overdue", "escalated_at"]),
        Index("ix_applications_status_light", "status", "light"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, comment="办件编号, with a Damm check digit")
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id"))
    item_code: Mapped[str | None] = mapped_column(String(32), comment="snapshot, like title and form_spec")
    bundle_code: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), comment="whose halls accept it (无差别全科受理)")
    status: Mapped[AppStatus] = mapped_column(enum_column(AppStatus), default=AppStatus.draft)
    version: Mapped[int] = mapped_column(Integer, default=1)
    form: Mapped[dict[str, Any]] = mapped_column(default=dict)
    form_spec: Mapped[list[Any]] = mapped_column(default=list, comment="merged form at creation")
    channel: Mapped[str] = mapped_column(String(16), default="mobile",
                                         comment="mobile (the applicant's phone), agent (代办) or assisted (帮办)")
    delivery_method: Mapped[str | None] = mapped_column(String(16))
    delivery_address: Mapped[dict[str, Any] | None] = mapped_column()
    pickup_hall_id: Mapped[int | None] = mapped_column(
        ForeignKey("halls.id"), comment="window pickup: where the result waits (chosen before submitting)")
    promised_days: Mapped[int] = mapped_column(Integer, comment="承诺时限, working days from acceptance")
    statutory_days: Mapped[int] = mapped_column(Integer, default=0, comment="法定时限 of the case")
    promised_date: Mapped[date | None] = mapped_column(Date, comment="kept by the deadline scan and at completion")
    light: Mapped[str | None] = mapped_column(String(8), comment="电子监察: green, yellow, red, paused")
    working_days_taken: Mapped[int | None] = mapped_column(Integer, comment="acceptance to completion, pauses out")
    on_time: Mapped[bool | None] = mapped_column(Boolean, comment="completed by the promised date")
    evaluation_invited_at: Mapped[datetime | None]
    visit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                             comment="recorded visits (kept with every Visit row written)")
    item_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                            comment="sub-cases opened at acceptance")
    # Facts the statistics read from one index, each written in the transaction that changes its source:
    exempted_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                                comment="materials filled from the e-license wallet")
    rating_score: Mapped[int | None] = mapped_column(Integer, comment="好差评 score; null if none or dismissed")
    rectification_state: Mapped[str | None] = mapped_column(String(16), comment="of its bad rating, if any")

    # v1.1 promises kept (issue 14): facts the scans and the statistics read.
    commitment_reminded: Mapped[str | None] = mapped_column(String(8), comment="容缺 reminder sent: before or due")
    commitment_overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0",
                                                     comment="a pledge went past its due date (stays true)")
    form_sources: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}", comment="一次录入: where prefilled fields came from")
    profile_flags: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}",
                                                       comment="form fields that differ from the verified profile")
    red_on: Mapped[date | None] = mapped_column(Date, comment="the day the deadline turned red")
    escalated_to: Mapped[str | None] = mapped_column(String(6), comment="督办: parent region that watches it")
    escalated_at: Mapped[datetime | None]
    rating_invited: Mapped[bool | None] = mapped_column(Boolean, comment="its counted rating followed an invitation")

    def recount_exempted(self) -> None:
        self.exempted_count = self.materials_exempted
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    accepted_on: Mapped[date | None] = mapped_column(Date, comment="acceptance date, Asia/Shanghai")
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    commitment_due: Mapped[date | None] = mapped_column(Date, comment="容缺: pending materials due")
    completed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    return_count: Mapped[int] = mapped_column(Integer, default=0, comment="一次性告知: times returned")
    changed_since_return: Mapped[bool] = mapped_column(Boolean, default=False)
    # --- Help at every door (代办 · 帮办 · 就近办 · 异地可办) ---
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True,
                                                        comment="the agent (代办人) who applies for the applicant")
    authorization_id: Mapped[int | None] = mapped_column(ForeignKey("authorizations.id"), index=True)
    assisted_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), comment="帮办: the clerk")
    assisted_hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"), comment="帮办: where")
    consented_at: Mapped[datetime | None] = mapped_column(comment="帮办: the citizen's SMS code entered")
    competent_region_code: Mapped[str | None] = mapped_column(
        String(6), comment="异地可办: whose departments decide (household or social insurance registration)")

    __mapper_args__ = {"version_id_col": version}

    # Who applies (the principal) and who files for them (the agent); read from the identity map.
    applicant: Mapped[Citizen] = relationship(foreign_keys=[citizen_id], viewonly=True, lazy="select")
    submitted_by: Mapped[Citizen | None] = relationship(foreign_keys=[submitted_by_id], viewonly=True,
                                                        lazy="select")

    @property
    def on_behalf_of(self) -> int | None:
        return self.authorization_id

    materials: Mapped[list[ApplicationMaterial]] = relationship(
        cascade="all, delete-orphan", order_by="ApplicationMaterial.position", lazy="selectin")
    @property
    def materials_exempted(self) -> int:
        return sum(1 for m in self.materials if m.satisfied_by in EXEMPTING)

    subcases: Mapped[list[SubCase]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="SubCase.position",
        lazy="raise")


class ApplicationMaterial(Base):
    __tablename__ = "application_materials"
    __table_args__ = (UniqueConstraint("application_id", "code"),
                      Index("ix_application_materials_commitment_state", "commitment_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean)
    commitment_allowed: Mapped[bool] = mapped_column(Boolean)
    elicense_type: Mapped[str | None] = mapped_column(String(32))
    formats: Mapped[list[Any]] = mapped_column(default=list)
    max_size_mb: Mapped[int] = mapped_column(Integer, default=10)
    items: Mapped[list[Any]] = mapped_column(default=list, comment="item codes that need it")
    satisfied_by: Mapped[str | None] = mapped_column(String(16), comment="upload, elicense or commitment")
    upload_ids: Mapped[list[Any]] = mapped_column(default=list)
    elicense_id: Mapped[int | None] = mapped_column(Integer)
    pending: Mapped[bool] = mapped_column(Boolean, default=False, comment="容缺: owed after acceptance")
    commitment_state: Mapped[str | None] = mapped_column(String(16), comment="容缺: pending, supplied, checked, overdue")
    check_note: Mapped[str | None] = mapped_column(Text, comment="the clerk's reason when a supplied material failed")
    data_check: Mapped[str | None] = mapped_column(String(32), comment="无证明: data source kind that proves it")
    data_note: Mapped[str | None] = mapped_column(Text, comment="why the data check did not prove it")


class SubCase(Base):
    """One item of an application in its department's back office (并联审批)."""

    __tablename__ = "subcases"
    __table_args__ = (
        # The department inbox, all or in one status, in id order; warnings: the yellow and red ones.
        Index("ix_subcases_department_id", "department_id", "id"),
        Index("ix_subcases_department_status_id", "department_id", "status", "id"),
        Index("ix_subcases_light_status", "light", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    item_code: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[SubStatus] = mapped_column(enum_column(SubStatus))
    version: Mapped[int] = mapped_column(Integer, default=1)
    depends_on: Mapped[list[Any]] = mapped_column(default=list)
    promised_days: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[date | None] = mapped_column(Date, comment="its own deadline counts from here")
    light: Mapped[str | None] = mapped_column(String(8), comment="电子监察 of this department's part")
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    request_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                               comment="一次性告知: times this department asked for materials")
    changed_since_request: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), comment="the citizen changed a material it uses since")

    __mapper_args__ = {"version_id_col": version}

    application: Mapped[Application] = relationship(back_populates="subcases", lazy="raise")


class Event(Base):
    """Immutable history: who moved what, when, what the citizen is told, what staff noted."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_application_at", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    subcase_id: Mapped[int | None] = mapped_column(ForeignKey("subcases.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    event: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="", comment="shown to the citizen")
    note: Mapped[str | None] = mapped_column(Text, comment="internal, staff only")
    details: Mapped[dict[str, Any] | None] = mapped_column()


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _events_are_immutable(mapper, connection, target):
    raise RuntimeError("events are immutable")


def add_visit(session, application: Application, **fields) -> Visit:
    """Record a trip: the row, and the application's count of them, in one transaction."""
    visit = Visit(application_id=application.id, **fields)
    session.add(visit)
    application.visit_count = (application.visit_count or 0) + 1
    return visit


class Visit(Base):
    """A trip the citizen made in person: the only source of trip counts (最多跑一次率)."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    purpose: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class Pause(Base):
    """The deadline stands still: the citizen owes materials, or the result is in the post."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    subcase_id: Mapped[int | None] = mapped_column(ForeignKey("subcases.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
