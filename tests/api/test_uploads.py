"""Uploads from the phone: presigned POST to storage, checks from the bytes, normalisation, access."""
from __future__ import annotations

import functools
import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from sqlalchemy import update

from models.material import Upload
from tests.corpus import a4_scan, hostile_corpus, image, pdf
from tests.factories import submitted_and_accepted
from tests.helpers import app_now, assert_error, login_citizen, login_staff, post_presigned


@pytest.fixture
def store(app_store):
    return app_store


def presigned_upload(client, store, headers, data: bytes, content_type: str, name: str = "scan"):
    created = client.post("/api/v1/uploads", headers=headers, json={
        "filename": name, "content_type": content_type, "size": max(1, len(data)), "purpose": "material"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["expires_at"] and body["fields"]
    if data:
        assert post_presigned(client, store, body["url"], body["fields"], data, content_type) in (200, 201, 204)
    return body["id"], client.post(f"/api/v1/uploads/{body['id']}/complete", headers=headers)


def phone_photo() -> bytes:
    """A 4000x3000 photo stored sideways (EXIF orientation 6) with GPS: left half red, right half blue."""
    img = Image.new("RGB", (4000, 3000), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 2000, 3000))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (29.0, 2.0, 0.0), "E", (119.0, 10.0, 0.0)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_phone_photo_comes_back_upright_without_exif(client, sms, store):
    headers = login_citizen(client, sms)["headers"]
    original = phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    upload_id, done = presigned_upload(client, store, headers, original, "image/jpeg", "IMG_0001.jpg")
    assert done.status_code == 200, done.json
    meta = done.json
    assert meta["status"] == "ready" and (meta["width"], meta["height"]) == (1500, 2000)
    assert len(meta["sha256"]) == 64 and meta["thumbnail_url"]
    stored_key = store.keys("uploads")
    assert len(stored_key) == 2  # the normalised photo and its thumbnail
    photo = Image.open(io.BytesIO(store.get(next(k for k in stored_key if not k.endswith("-thumb.jpg")))))
    assert photo.size == (1500, 2000)
    assert "exif" not in photo.info and len(photo.getexif()) == 0 and "icc_profile" not in photo.info
    top, bottom = photo.getpixel((750, 100)), photo.getpixel((750, 1900))
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60  # red now on top
    import hashlib

    assert hashlib.sha256(store.get(next(k for k in stored_key if not k.endswith("-thumb.jpg")))).hexdigest() \
        == meta["sha256"]
    again = client.post(f"/api/v1/uploads/{upload_id}/complete", headers=headers)
    assert again.status_code == 200 and again.json["sha256"] == meta["sha256"]


def test_hostile_files_are_refused_and_nothing_remains(client, sms, store):
    headers = login_citizen(client, sms)["headers"]
    reasons = {}
    for name, declared, data in hostile_corpus():
        if not data:
            created = client.post("/api/v1/uploads", headers=headers, json={
                "filename": name, "content_type": declared, "size": 0, "purpose": "material"})
            assert_error(created, 422, "validation_failed")
            reasons[name] = "size"
            continue
        upload_id, done = presigned_upload(client, store, headers, data, declared, name)
        body = assert_error(done, 422, "file_refused")
        reasons[name] = body["errors"]["file"][0]
        assert client.get(f"/api/v1/uploads/{upload_id}", headers=headers).json["status"] == "rejected"
        assert store.keys("uploads") == [], name
    assert len(reasons) >= 25 and all(reasons.values())


def test_hostile_files_through_direct_upload(client, sms, app):
    headers = login_citizen(client, sms)["headers"]
    store = app.extensions["onetrip"].store
    before = set(store.keys("uploads"))
    for name, declared, data in hostile_corpus():
        answer = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                             data={"purpose": "material", "file": (io.BytesIO(data), name, declared)})
        body = assert_error(answer, 422, "file_refused")
        assert body["errors"]["file"][0], name
    assert set(store.keys("uploads")) == before


def test_good_files_pass(client, sms, store):
    headers = login_citizen(client, sms)["headers"]
    for data, kind in ((image("PNG", (300, 200)), "image/png"), (pdf(3), "application/pdf"),
                       (image("JPEG", (800, 600)), "image/jpeg")):
        _, done = presigned_upload(client, store, headers, data, kind)
        assert done.status_code == 200, done.json
        assert done.json["content_type"] == kind
    assert done.json["width"] == 800


def test_direct_upload_limits(client, sms, app):
    headers = login_citizen(client, sms)["headers"]
    big = b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024)
    answer = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                         data={"purpose": "material", "file": (io.BytesIO(big), "big.jpg", "image/jpeg")})
    assert_error(answer, 413, "payload_too_large")
    assert_error(client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                             data={"purpose": "selfie", "file": (io.BytesIO(image("JPEG")), "a.jpg")}),
                 422, "validation_failed")


def test_downloads_only_for_the_owner_and_staff_handling_it(client, sms):
    citizen, application, clerk = submitted_and_accepted(client, sms)
    upload_id = next(m["upload_ids"][0] for m in application["materials"] if m["upload_ids"]) \
        if any(m["upload_ids"] for m in application["materials"]) else None
    if upload_id is None:
        detail = client.get(f"/api/v1/applications/{application['id']}", headers=citizen["headers"]).json
        upload_id = detail["materials"][0]["upload_ids"][0]
    mine = client.get(f"/api/v1/uploads/{upload_id}", headers=citizen["headers"])
    assert mine.status_code == 200 and mine.json["url"]
    path = mine.json["url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    other = login_citizen(client, sms, "13900139000")
    assert_error(client.get(f"/api/v1/uploads/{upload_id}", headers=other["headers"]), 404, "not_found")
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=clerk["headers"]).status_code == 200
    rsj = login_staff(client, "reviewer-rsj")["headers"]
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=rsj).status_code == 200
    mzj = login_staff(client, "reviewer-mzj")["headers"]
    assert_error(client.get(f"/api/v1/uploads/{upload_id}", headers=mzj), 404, "not_found")
    clerk_dh = login_staff(client, "clerk-dh")["headers"]  # same county: the region covers it
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=clerk_dh).status_code == 200


def test_purge_removes_abandoned_uploads_only(client, sms, app, db_session):
    from tests.factories import ready_application

    citizen, application = ready_application(client, sms)
    headers = citizen["headers"]
    store = app.extensions["onetrip"].store
    abandoned = client.post("/api/v1/uploads", headers=headers, json={
        "filename": "a.jpg", "content_type": "image/jpeg", "size": 1000, "purpose": "material"}).json["id"]
    loose = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                        data={"purpose": "material", "file": (io.BytesIO(image("JPEG")), "b.jpg")}).json
    old = app_now() - timedelta(days=30)
    db_session.execute(update(Upload).values(created_at=old))
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["purge-uploads"])
    assert result.exit_code == 0 and "purged 2 uploads" in result.output, result.output
    assert db_session.get(Upload, abandoned) is None and db_session.get(Upload, loose["id"]) is None
    attached = client.get(f"/api/v1/applications/{application['id']}", headers=headers).json["materials"][0]
    kept = db_session.get(Upload, attached["upload_ids"][0])
    assert kept is not None and store.exists(kept.key)


def test_completing_an_unknown_upload_is_404(client, sms):
    headers = login_citizen(client, sms)["headers"]
    assert_error(client.post("/api/v1/uploads/415/complete", headers=headers), 404, "not_found")
    courier = login_staff(client, "courier")["headers"]
    assert_error(client.post("/api/v1/uploads/415/complete", headers=courier), 404, "not_found")


@functools.cache
def _scan_png(mode: str) -> bytes:
    out = io.BytesIO()
    a4_scan(mode).save(out, "PNG")
    return out.getvalue()


def test_a_greyscale_scan_stays_greyscale_and_small(client, sms):
    headers = login_citizen(client, sms)["headers"]
    answer = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                         data={"purpose": "material", "file": (io.BytesIO(_scan_png("L")), "scan.png", "image/png")})
    assert answer.status_code == 201, answer.json
    assert (answer.json["width"], answer.json["height"]) == (1414, 2000)
    assert answer.json["size"] < 400_000


@pytest.fixture
def gate(app, monkeypatch):
    """The app's own decode gate, fresh (one slot, a short wait) so a test can fill it."""
    from app.decode_gate import DecodeGate

    fresh = DecodeGate(1, 0.2)
    monkeypatch.setattr(app.extensions["onetrip"], "decode_gate", fresh)
    return fresh


def test_a_full_decoder_answers_503_and_loses_nothing(client, sms, store, gate):
    headers = login_citizen(client, sms)["headers"]
    photo = image("JPEG", (800, 600))
    created = client.post("/api/v1/uploads", headers=headers, json={
        "filename": "a.jpg", "content_type": "image/jpeg", "size": len(photo), "purpose": "material"}).json
    assert post_presigned(client, store, created["url"], created["fields"], photo, "image/jpeg") in (200, 201, 204)
    with gate.slot():  # another upload is being decoded
        busy = client.post(f"/api/v1/uploads/{created['id']}/complete", headers=headers)
        direct = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                             data={"purpose": "material", "file": (io.BytesIO(photo), "b.jpg", "image/jpeg")})
    for answer in (busy, direct):
        assert_error(answer, 503, "server_busy")
        assert answer.headers["Retry-After"] == "1"
    assert client.get(f"/api/v1/uploads/{created['id']}", headers=headers).json["status"] == "pending"
    assert len(store.keys("uploads")) == 1  # what arrived is kept; the refused direct file never stored
    done = client.post(f"/api/v1/uploads/{created['id']}/complete", headers=headers)
    assert done.status_code == 200 and done.json["status"] == "ready"
    assert gate.peak == 1 and gate.running == 0


@pytest.mark.s3
@pytest.mark.parametrize("app_store", ["s3"], indirect=True)
@pytest.mark.parametrize("scans", [3, pytest.param(8, marks=pytest.mark.fuzz)])
def test_rgb_scans_at_once_are_all_answered(app, client, sms, app_store, monkeypatch, scans):
    """Each 35 Mpx RGB scan (130 KB) once cost a worker 315 MB; 8 at once took 2.5 GB. Now at most
    NORMALISE_CONCURRENCY decode at once, the rest wait their turn, and the worker stays up.
    Three at once (two decode, one waits its turn) in the fast loop; the eight of the incident (6 to
    17 s of the fast loop, as loaded as the machine was) with the fuzzers in CI."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app.decode_gate import DecodeGate

    gate = DecodeGate(2, 120)
    monkeypatch.setattr(app.extensions["onetrip"], "decode_gate", gate)
    headers = login_citizen(client, sms)["headers"]
    scan = _scan_png("RGB")
    ids = []
    for number in range(scans):
        created = client.post("/api/v1/uploads", headers=headers, json={
            "filename": f"scan-{number}.png", "content_type": "image/png", "size": len(scan),
            "purpose": "material"}).json
        assert post_presigned(client, app_store, created["url"], created["fields"], scan, "image/png") in (200, 204)
        ids.append(created["id"])
    together = threading.Barrier(len(ids))

    def complete(upload_id):
        own_client = app.test_client()
        together.wait()
        return own_client.post(f"/api/v1/uploads/{upload_id}/complete", headers=headers)

    with ThreadPoolExecutor(len(ids)) as pool:
        answers = list(pool.map(complete, ids))
    for answer in answers:
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.json["status"] == "ready" and (answer.json["width"], answer.json["height"]) == (1414, 2000)
    assert gate.peak == 2 and gate.running == 0  # two decoded at a time, never more
    assert len({answer.json["sha256"] for answer in answers}) == 1  # the same scan, the same result
    after = client.get(f"/api/v1/uploads/{ids[0]}", headers=headers)  # the worker still serves
    assert after.status_code == 200 and after.json["url"]
