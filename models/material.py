"""Uploaded files: stored under server-made keys, checked before they count as materials."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column


# What an upload is for decides what it may be attached to (API.md: POST /uploads `purpose`).
PURPOSES = {
    "material": "an application's material: PUT /applications/{id}/materials/{code} {upload_ids} (citizen)",
    "elicense": "the photo of a certificate added to the wallet: POST /elicenses {upload_ids} (citizen)",
    "delivery_proof": "the courier's photo of the handover: POST /courier/shipments/{id}/deliver "
                      "{proof_upload_id} (courier)",
}
PURPOSE_NAMES = {"material": "申请材料", "elicense": "电子证照", "delivery_proof": "妥投照片"}


def wrong_purpose(upload: Upload, expected: str) -> str | None:
    """The reason an upload cannot be used here, or None."""
    if upload.purpose != expected:
        return f"此文件是为「{PURPOSE_NAMES.get(upload.purpose, upload.purpose)}」上传的，不能用作{PURPOSE_NAMES[expected]}"
    return None


class UploadStatus(enum.StrEnum):
    pending = "pending"  # presigned, bytes not yet checked
    ready = "ready"
    rejected = "rejected"


class Upload(Base):
    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    status: Mapped[UploadStatus] = mapped_column(enum_column(UploadStatus), default=UploadStatus.pending)
    key: Mapped[str] = mapped_column(String(255), unique=True, comment="server-made, never the filename")
    filename: Mapped[str] = mapped_column(String(255), comment="for display only")
    declared_type: Mapped[str] = mapped_column(String(100))
    declared_size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100), comment="sniffed from the bytes")
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    thumbnail_key: Mapped[str | None] = mapped_column(String(255))
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
