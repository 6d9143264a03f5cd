"""The embedded object store's signed endpoints: what S3 itself answers when OBJECT_STORE=s3://."""
from __future__ import annotations

from flask import current_app, request, send_file

from app.errors import DomainError, NotFound
from app.extensions import services
from app.blueprint import Blueprint
from blueprints.localstore import schemas as s
from storage import ObjectNotFound, PolicyViolation
from storage.local import LocalObjectStore

blp = Blueprint("localstore", __name__, description="内置文件存储的签名上传与下载（仅 local: 存储）")
LARGEST_UPLOAD = 50 * 1024 * 1024 + 64 * 1024


def _store() -> LocalObjectStore:
    store = services().store
    if not isinstance(store, LocalObjectStore):
        raise NotFound()
    return store


def _allow_large_body():
    request.max_content_length = LARGEST_UPLOAD


@blp.route("/local-store/upload", methods=["POST"])
@blp.multipart
@blp.before_parse(_allow_large_body)
@blp.arguments(s.SignedUploadSchema, location="multipart")
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
def signed_upload(data):
    """Receive a presigned form upload; the policy's key, type, size range and expiry are enforced."""
    try:
        _store().accept_post({"key": data["key"], "policy": data["policy"], "signature": data["signature"],
                              "Content-Type": data["content_type"]}, data["file"].read(LARGEST_UPLOAD + 1))
    except PolicyViolation as exc:
        current_app.logger.info("local upload refused: %s", exc)
        raise DomainError("upload_policy_violated", status=403) from exc



@blp.route("/local-store/objects/<path:key>")
@blp.arguments(s.SignedGetArgsSchema, location="query")
@blp.response(200)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def signed_download(args, key):
    """Download an object through a short-lived signed URL."""
    try:
        data = _store().open_signed(key, args["expires"], args["signature"])
    except PolicyViolation as exc:
        raise DomainError("download_link_invalid", status=403) from exc
    except (ObjectNotFound, ValueError) as exc:
        raise NotFound() from exc
    import io

    response = send_file(io.BytesIO(data), mimetype=_guess(key), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"  # served as stored, never sniffed
    return response


def _guess(key: str) -> str:
    return {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}.get(key.rsplit(".", 1)[-1],
                                                                              "application/octet-stream")
