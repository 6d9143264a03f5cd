"""Records of the embedded data source (人口、户籍、婚姻、社保): what DATA_SOURCE_URL answers in production."""
from __future__ import annotations

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps


class DataRecord(Timestamps, Base):
    __tablename__ = "data_records"
    __table_args__ = (UniqueConstraint("kind", "id_number_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), comment="population, household, marriage, social_insurance")
    id_number_hash: Mapped[str] = mapped_column(
        String(64), comment="keyed HMAC of the resident ID the record is about (the ID itself is not kept)")
    payload_cipher: Mapped[bytes] = mapped_column(
        LargeBinary, comment="the record as JSON, AES-GCM encrypted with the kind bound as associated data")
