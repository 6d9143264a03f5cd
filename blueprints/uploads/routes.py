"""Uploads: straight to object storage with a presigned POST, then checked from their bytes."""
from __future__ import annotations

from flask.views import MethodView

from app.audit import Read, staff_read
from app.actors import CITIZEN
from app.web import deps
from app.blueprint import Blueprint
from app.services import uploads as svc
from blueprints.uploads import schemas as s
from blueprints.uploads.presenters import presigned_view, upload_view
from models.staff import Role

blp = Blueprint("uploads", __name__, description="文件上传：预签名直传、检查与规范化")
ANYONE = (CITIZEN, Role.courier, Role.clerk, Role.reviewer)


@blp.route("/uploads", methods=["POST"])
@blp.auth_required(*ANYONE)
@blp.idempotent
@blp.arguments(s.UploadCreateSchema)
@blp.response(201, s.PresignedUploadSchema)
def create(data):
    """A presigned POST straight to object storage; its policy enforces the type and a size range."""
    upload, url, fields, expires_at = svc.create_upload(**deps(store=True), **data)
    return presigned_view(upload, url, fields, expires_at)


@blp.route("/uploads/<int:upload_id>/complete", methods=["POST"])
@blp.auth_required(*ANYONE)
@blp.response(200, s.UploadSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def complete(upload_id):
    """Check what arrived and normalise it; a refused file is deleted and the reason given."""
    return upload_view(svc.complete_upload(**deps(store=True, gate=True), upload_id=upload_id))


@blp.route("/uploads/direct", methods=["POST"])
@blp.multipart
@blp.auth_required(*ANYONE)
@blp.arguments(s.DirectUploadSchema, location="multipart")
@blp.response(201, s.UploadSchema)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def direct(data):
    """A small file (multipart `file`, `purpose`) through the API, with the same checks."""
    upload = data["file"]
    return upload_view(svc.direct_upload(**deps(store=True, gate=True), data=upload.read(svc.MAX_DIRECT_BYTES + 1),
                                   filename=upload.filename or "", declared_type=upload.mimetype or "",
                                   purpose=data["purpose"]))



@blp.route("/uploads/<int:upload_id>")
class UploadById(MethodView):
    @blp.auth_required(*ANYONE)
    @blp.etag
    @blp.response(200, s.UploadSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, upload_id):
        """Metadata and a short-lived download URL: the owner, or staff handling an application using it."""
        upload = svc.readable_upload(**deps(clock=False), upload_id=upload_id)
        shown = upload_view(upload)
        if upload.citizen_id is not None:
            staff_read([Read(upload.citizen_id, "upload", upload.id, upload.filename[:64])], "查看申请材料")
        return shown
