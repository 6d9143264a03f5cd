"""Staff accounts, each bound to the place their role works in, and refresh-token families."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, enum_column


class Role(enum.StrEnum):
    """A staff account's role (stored on the account; API.md, Identity)."""
    clerk = "clerk"
    reviewer = "reviewer"
    courier = "courier"
    supervisor = "supervisor"
    admin = "admin"


class Party(enum.StrEnum):
    """Who else acts on a case: never a staff account's role. An Actor's role is a Role or one of these."""
    citizen = "citizen"  # the applicant, or their agent (代办)
    system = "system"  # the app itself: the scan, cascades, completion
    carrier = "carrier"  # a carrier's tracking webhook


# What each role must be bound to (API.md, Identity).
ROLE_BINDING = {
    Role.clerk: "hall",
    Role.reviewer: "department",
    Role.courier: "carrier",
    Role.supervisor: "region",
    Role.admin: None,
}


def binding_problems(role: str, *, hall: object, department: object, carrier: object,
                     region: str | None) -> dict[str, str]:
    """Each role is bound to exactly its own kind of place, and to nothing else."""
    given = {"hall": hall, "department": department, "carrier": carrier, "region": region}
    needed = ROLE_BINDING[Role(role)]
    problems = {}
    for kind, value in given.items():
        if kind == needed and not value:
            problems[kind] = f"角色 {role} 必须指定 {kind}"
        elif kind != needed and value:
            problems[kind] = f"角色 {role} 不能绑定 {kind}"
    return problems


class Staff(Timestamps, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(50), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class RefreshToken(Base):
    """One link of a rotating refresh-token chain; presenting a used link revokes the family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(32), comment="citizen:<id> or staff:<id>")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
