"""Idempotency-Key records (app/idempotency.py): the first answer to a creating request, kept for its retries."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class IdempotencyRecord(Base):
    """The first answer to a creating request, replayed for retries with the same key and body."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("subject", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), comment="sha256 of method, path and body")
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime]
