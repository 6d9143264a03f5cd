"""Help at every door: authorisations to an agent (委托代办) and an assisted citizen's consent (帮办)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

SCOPE_KINDS = ("any", "items", "bundles")
CHANNELS = ("mobile", "agent", "assisted")  # how an application came in (stats count them apart)


class Authorization(Base):
    """A principal lets the holder of `agent_phone` apply for them, for some items or bundles or any,
    until `valid_until` (inclusive, Asia/Shanghai) or until revoked — whichever comes first."""

    __tablename__ = "authorizations"
    __table_args__ = (Index("ix_authorizations_agent_phone", "agent_phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True, comment="委托人")
    agent_phone: Mapped[str] = mapped_column(String(20), comment="受托人 (代办人) mobile number")
    scope_kind: Mapped[str] = mapped_column(String(8), comment="any, items or bundles")
    scope_codes: Mapped[list[Any]] = mapped_column(default=list)
    valid_until: Mapped[date] = mapped_column(Date, comment="last day the agent may act")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(comment="revocation takes effect at once")

    def status(self, today: date) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if today > self.valid_until else "active"

    def covers(self, *, item_code: str | None, bundle_code: str | None) -> bool:
        if self.scope_kind == "any":
            return True
        if self.scope_kind == "items":
            return item_code is not None and item_code in self.scope_codes
        return bundle_code is not None and bundle_code in self.scope_codes


class AssistConsent(Base):
    """The SMS code sent to a citizen a clerk is helping: entering it at the desk is their consent."""

    __tablename__ = "assist_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None]
