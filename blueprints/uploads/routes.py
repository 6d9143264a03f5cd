"""Uploads: files from the phone, checked from their bytes before they count as materials."""
from __future__ import annotations

from app.auth import current_actor
from app.clock import utcnow
from app.extensions import Blueprint, db, services
from app.services import uploads as svc
from blueprints.uploads import schemas as s

blp = Blueprint("uploads", __name__, description="文件上传（群众）")


@blp.route("/uploads/direct", methods=["POST"])
@blp.auth_required("citizen")
@blp.arguments(s.DirectUploadSchema, location="multipart")
@blp.response(201, s.UploadSchema)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
def direct(data):
    """A small file (multipart `file`, `purpose`) through the API, with the same checks."""
    upload = data["file"]
    return svc.direct_upload(session=db.session, clock=utcnow, store=services().store, actor=current_actor(),
                             data=upload.read(svc.MAX_DIRECT_BYTES + 1), filename=upload.filename or "",
                             declared_type=upload.mimetype or "", purpose=data["purpose"])


direct.accepts_multipart = True


@blp.route("/uploads/<int:upload_id>")
@blp.auth_required("citizen")
@blp.etag
@blp.response(200, s.UploadSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_upload(upload_id):
    """One of my uploads."""
    return svc.own_upload(db.session, current_actor(), upload_id)
