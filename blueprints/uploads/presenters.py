"""How an upload is shown (UploadSchema): its checked metadata and short-lived download URLs."""
from __future__ import annotations

from app.extensions import services
from app.services import uploads
from app.web import public_url
from models.material import Upload


def upload_view(upload: Upload) -> dict:
    url, thumb = uploads.download_urls(services().store, upload)
    return {"id": upload.id, "status": str(upload.status), "purpose": upload.purpose, "filename": upload.filename,
            "sha256": upload.sha256, "content_type": upload.content_type, "size": upload.size,
            "width": upload.width, "height": upload.height, "pages": upload.pages,
            "reject_reason": upload.reject_reason, "url": public_url(url), "thumbnail_url": public_url(thumb)}


def presigned_view(upload: Upload, url: str, fields: dict, expires_at) -> dict:
    """Where and how the phone posts the file (PresignedUploadSchema)."""
    return {"id": upload.id, "url": public_url(url), "fields": fields, "expires_at": expires_at}
