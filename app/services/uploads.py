"""Files from the phone: straight to object storage through a presigned POST, then checked from
their bytes and normalised before they count; refused files are deleted, never kept."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from app.actors import CITIZEN, Actor
from app.clock import Clock
from app.decode_gate import DecodeGate
from app.errors import NotFound, ValidationFailed
from app.services.unit_of_work import transaction
from models.application import Application, ApplicationMaterial, SubCase
from models.catalogue import region_prefix
from models.material import Upload, UploadStatus
from models.staff import Role
from storage import ObjectNotFound, ObjectStore
from storage.images import FileRefused, Normalised, normalise
from storage.keys import new_key

SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
MAX_PRESIGNED_BYTES = 20 * 1024 * 1024
MAX_DIRECT_BYTES = 10 * 1024 * 1024
UPLOAD_URL_SECONDS = 15 * 60
DOWNLOAD_URL_SECONDS = 5 * 60


def _owner(actor: Actor) -> dict:
    return {"citizen_id": actor.id if actor.kind == CITIZEN else None,
            "staff_id": actor.id if actor.kind == "staff" else None}


def create_upload(*, session: Session, clock: Clock, store: ObjectStore, actor: Actor, filename: str,
                  content_type: str, size: int, purpose: str) -> tuple[Upload, str, dict, datetime]:
    """A presigned POST whose policy pins a server-made key, the declared type and 1..size bytes."""
    with transaction(session):
        if size > MAX_PRESIGNED_BYTES:
            raise ValidationFailed(errors={"size": [f"文件不能超过 {MAX_PRESIGNED_BYTES // 1024 // 1024} MB"]})
        now = clock()
        key = new_key("uploads", now, SUFFIX[content_type])
        url, fields = store.presigned_post(key, content_type, size, UPLOAD_URL_SECONDS)
        upload = Upload(**_owner(actor), purpose=purpose, status=UploadStatus.pending, key=key,
                        filename=filename[:255], declared_type=content_type, declared_size=size, created_at=now)
        session.add(upload)
        return upload, url, fields, now + timedelta(seconds=UPLOAD_URL_SECONDS)


def _keep(session: Session, store: ObjectStore, upload: Upload, result: Normalised, now: datetime) -> str:
    """Store the normalised file and its thumbnail; the upload is ready (inside the caller's
    transaction). Returns the signed key, which the caller empties once the block has committed.

    One use per form (API.md v1.1): the checked file goes under a new key that no form ever
    signed, and the signed key is emptied. A second POST of the same form while it is still
    valid lands on a key nothing serves, so what is served always matches the recorded sha256."""
    signed_key = upload.key
    upload.key = new_key("uploads", now, SUFFIX[result.content_type])
    store.put(upload.key, result.data, result.content_type)
    if result.thumbnail:
        upload.thumbnail_key = upload.key.rsplit(".", 1)[0] + "-thumb.jpg"
        store.put(upload.thumbnail_key, result.thumbnail, "image/jpeg")
    upload.status, upload.completed_at = UploadStatus.ready, now
    upload.content_type, upload.size = result.content_type, len(result.data)
    upload.sha256 = hashlib.sha256(result.data).hexdigest()
    upload.width, upload.height, upload.pages = result.width, result.height, result.pages
    return signed_key


def complete_upload(*, session: Session, clock: Clock, store: ObjectStore, actor: Actor, gate: DecodeGate,
                    upload_id: int) -> Upload:
    """Check and normalise what arrived; a refusal deletes the object and keeps the reason. The
    object is read and decoded inside a gate slot: a process holds only as many files as it can
    decode at once (503 `server_busy` beyond that, the upload still pending)."""
    upload = own_upload(session, actor, upload_id)
    if upload.status == UploadStatus.ready:
        return upload  # a retried complete answers the same
    if upload.status == UploadStatus.rejected:
        raise ValidationFailed("file_refused", errors={"file": [upload.reject_reason]})
    with gate.slot():
        try:
            data = store.get(upload.key)
        except ObjectNotFound as exc:
            raise ValidationFailed("upload_not_arrived") from exc
        try:
            result = normalise(data, upload.declared_type)
        except FileRefused as exc:
            store.delete(upload.key)
            with transaction(session):
                upload.status, upload.reject_reason, upload.completed_at = UploadStatus.rejected, str(exc), clock()
            raise ValidationFailed("file_refused", errors={"file": [str(exc)]}) from exc
        del data
        with transaction(session):
            signed_key = _keep(session, store, upload, result, clock())
        store.delete(signed_key)
        return upload


def direct_upload(*, session: Session, clock: Clock, store: ObjectStore, actor: Actor, gate: DecodeGate,
                  data: bytes, filename: str, declared_type: str, purpose: str) -> Upload:
    """A small file through the API, with the same checks; refused files are never stored."""
    if len(data) > MAX_DIRECT_BYTES:
        raise ValidationFailed("file_refused", errors={"file": [f"文件超过 {MAX_DIRECT_BYTES // 1024 // 1024} MB"]})
    now = clock()
    declared = declared_type if declared_type in SUFFIX else None
    with gate.slot():
        try:
            result = normalise(data, declared)
        except FileRefused as exc:
            raise ValidationFailed("file_refused", errors={"file": [str(exc)]}) from exc
    upload = Upload(**_owner(actor), purpose=purpose, status=UploadStatus.pending,
                    key=new_key("uploads", now, SUFFIX[result.content_type]), filename=filename[:255],
                    declared_type=result.content_type, declared_size=len(data), created_at=now)
    try:
        with transaction(session):
            session.add(upload)
            session.flush()
            signed_key = _keep(session, store, upload, result, now)
    except Exception:
        store.delete(upload.key)  # rolled back: what was stored under the new key belongs to nothing
        raise
    store.delete(signed_key)
    return upload


def own_upload(session: Session, actor: Actor, upload_id: int) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFound()
    owner = upload.citizen_id if actor.kind == CITIZEN else upload.staff_id
    if owner != actor.id:
        raise NotFound()
    return upload


def readable_upload(session: Session, actor: Actor, upload_id: int) -> Upload:
    """The owner, or staff handling an application that uses the file (a clerk of its region, a
    reviewer of a department with a sub-case in it); to anyone else it does not exist."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFound()
    if (actor.kind == CITIZEN and upload.citizen_id == actor.id) or (
            actor.kind == "staff" and upload.staff_id == actor.id):
        return upload
    if actor.kind == "staff" and actor.role not in (Role.clerk, Role.reviewer):
        raise NotFound()
    candidates = session.execute(
        select(Application.id, Application.region_code, ApplicationMaterial.upload_ids, Application.citizen_id,
               Application.submitted_at)
        .join(ApplicationMaterial, ApplicationMaterial.application_id == Application.id)
        .where(_may_hold(upload))).all()
    if actor.kind == CITIZEN:
        # The applicant sees what their agent or the assisting clerk attached to their case.
        if any(upload.id in (ids or []) and applicant == actor.id for _, _, ids, applicant, _ in candidates):
            return upload
        raise NotFound()
    # Staff handle a case from its submission on: a draft's files are the citizen's alone.
    candidates = [(app_id, region, ids, applicant) for app_id, region, ids, applicant, submitted in candidates
                  if submitted is not None]
    using = {app_id for app_id, region, ids, _ in candidates if upload.id in (ids or [])}
    if actor.role == Role.clerk and any(region.startswith(region_prefix(actor.region_code or "------"))
                                     for app_id, region, _, _ in candidates if app_id in using):
        return upload
    if actor.role == Role.reviewer and using and session.scalar(
            select(SubCase.id).where(SubCase.application_id.in_(using),
                                     SubCase.department_id == actor.department_id).limit(1)):
        return upload
    raise NotFound()


def _may_hold(upload: Upload):
    """Applications the file can be attached to: its owner's, those its owner files as an agent,
    and those its owner (a clerk) assists (帮办)."""
    if upload.citizen_id is not None:
        return or_(Application.citizen_id == upload.citizen_id, Application.submitted_by_id == upload.citizen_id)
    if upload.staff_id is not None:
        return Application.assisted_by == upload.staff_id
    return false()


def download_urls(store: ObjectStore, upload: Upload) -> tuple[str | None, str | None]:
    if upload.status != UploadStatus.ready:
        return None, None
    thumb = store.presigned_get(upload.thumbnail_key, DOWNLOAD_URL_SECONDS) if upload.thumbnail_key else None
    return store.presigned_get(upload.key, DOWNLOAD_URL_SECONDS), thumb


def purge(*, session: Session, clock: Clock, store: ObjectStore, pending_hours: int, unattached_days: int) -> int:
    """Remove uploads never completed (after `pending_hours`) or never attached to anything (after
    `unattached_days`), objects first, then rows."""
    with transaction(session):
        now = clock()
        stale = session.scalars(select(Upload).where(
            ((Upload.status != UploadStatus.ready) & (Upload.created_at < now - timedelta(hours=pending_hours)))
            | ((Upload.status == UploadStatus.ready) & (Upload.created_at < now - timedelta(days=unattached_days))))).all()
        if not stale:
            return 0
        attached = attached_upload_ids(session)
        removed = 0
        for upload in stale:
            if upload.id in attached:
                continue
            store.delete(upload.key)
            if upload.thumbnail_key:
                store.delete(upload.thumbnail_key)
            session.delete(upload)
            removed += 1
        return removed


def attached_upload_ids(session: Session) -> set[int]:
    from models.elicense import Elicense
    from models.shipment import Shipment

    ids: set[int] = set()
    for (upload_ids,) in session.execute(select(ApplicationMaterial.upload_ids)):
        ids.update(upload_ids or [])
    for (upload_ids,) in session.execute(select(Elicense.upload_ids)):
        ids.update(upload_ids or [])
    ids.update(x for (x,) in session.execute(select(Shipment.proof_upload_id)) if x)
    return ids
