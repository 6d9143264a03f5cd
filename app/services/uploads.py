"""Files from the phone: checked from their bytes, stored under a server-made key, owned by one citizen."""
from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock
from app.errors import NotFound, ValidationFailed
from models.material import Upload, UploadStatus
from storage import ObjectStore
from storage.images import FileRefused, inspect
from storage.keys import new_key

SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
MAX_DIRECT_BYTES = 10 * 1024 * 1024


def direct_upload(*, session: Session, clock: Clock, store: ObjectStore, actor: Actor, data: bytes,
                  filename: str, declared_type: str, purpose: str) -> Upload:
    """A small file through the API: refused files are never stored."""
    if len(data) > MAX_DIRECT_BYTES:
        raise ValidationFailed("file_refused", errors={"file": ["文件超过 10 MB"]})
    try:
        found = inspect(data)
    except FileRefused as exc:
        raise ValidationFailed("file_refused", errors={"file": [str(exc)]}) from exc
    now = clock()
    key = new_key("uploads", now, SUFFIX[found.content_type])
    store.put(key, data, found.content_type)
    upload = Upload(citizen_id=actor.id if actor.kind == "citizen" else None,
                    staff_id=actor.id if actor.kind == "staff" else None, purpose=purpose,
                    status=UploadStatus.ready, key=key, filename=filename[:255], declared_type=declared_type[:100],
                    declared_size=len(data), content_type=found.content_type, size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), width=found.width, height=found.height,
                    pages=found.pages, created_at=now, completed_at=now)
    session.add(upload)
    try:
        session.commit()
    except Exception:
        session.rollback()
        store.delete(key)
        raise
    return upload


def own_upload(session: Session, actor: Actor, upload_id: int) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None or upload.citizen_id != actor.id:
        raise NotFound()
    return upload
