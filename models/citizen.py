"""Citizens and their SMS login codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps


class Citizen(Timestamps, Base):
    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, comment="E.164 digits, mainland")
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(50))
    id_number_cipher: Mapped[bytes | None] = mapped_column(
        LargeBinary, comment="GB 11643 resident ID, AES-GCM encrypted (nonce || ciphertext)"
    )
    id_number_hash: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="keyed HMAC of the resident ID for look-ups"
    )
    real_name_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    real_name_method: Mapped[str | None] = mapped_column(
        String(16), comment="实名: population (data source), elicense (居民身份证 in the wallet) or clerk (in person)")
    real_name_verified_at: Mapped[datetime | None]
    real_name_verified_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id"), comment="the clerk who saw the card, for in-person verification")


class IdentityCheck(Base):
    """Every real-name verification attempt, whatever its outcome (who, how, when)."""

    __tablename__ = "identity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(16), comment="population, elicense or clerk")
    outcome: Mapped[str] = mapped_column(String(32), comment="verified or the refusal's error code")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    elicense_id: Mapped[int | None] = mapped_column(ForeignKey("elicenses.id", ondelete="SET NULL"))


class SmsCode(Base):
    """A login code: only its keyed hash is kept; it dies after its TTL or its attempts."""

    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None]
