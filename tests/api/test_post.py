"""Results by post: the hall packs, the courier picks up and delivers, the carrier's webhook reports."""
from __future__ import annotations

import io
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import zxingcpp
from PIL import Image, ImageChops
from pypdf import PdfReader

from app.gateways.carrier import sign
from tests.factories import ADDRESS, submitted_and_accepted
from tests.helpers import app_now, assert_error, login_staff

SECRET = "ems-webhook-secret"


@pytest.fixture(autouse=True)
def carrier_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "CARRIER_WEBHOOK_SECRETS", {"EMS": SECRET})


def completed_by_post(client, sms, phone: str = "13800138000"):
    citizen, application, clerk = submitted_and_accepted(client, sms, delivery="post", phone=phone)
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = login_staff(client, reviewer)["headers"]
        sub = client.get("/api/v1/department/subcases?status=pending", headers=headers).json[0]
        assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers,
                           json={}).status_code == 200
    issued = client.post(f"/api/v1/hall/applications/{application['id']}/issue", headers=clerk["headers"], json={})
    assert issued.status_code == 200, issued.json
    shipment = client.get("/api/v1/hall/shipments?status=requested", headers=clerk["headers"]).json[0]
    return citizen, application, clerk, shipment


def webhook(client, event: dict, *, secret: str = SECRET, timestamp: int | None = None, carrier: str = "EMS"):
    body = json.dumps(event).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(f"/api/v1/webhooks/carriers/{carrier}", data=body, content_type="application/json",
                       headers={"X-Timestamp": ts, "X-Signature": sign(secret, ts, body)})


def proof_photo(client, headers) -> int:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 90)).save(out, "JPEG")
    answer = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                         data={"purpose": "delivery_proof", "file": (io.BytesIO(out.getvalue()), "proof.jpg")})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def progress(client, citizen, application):
    return client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json


def test_zero_trips_by_post(client, sms):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    assert shipment["status"] == "requested" and shipment["address"]["detail"] == ADDRESS["detail"]
    courier = login_staff(client, "courier")["headers"]
    assert client.get("/api/v1/courier/shipments", headers=courier).json == []  # not packed yet
    label = client.get(f"/api/v1/hall/shipments/{shipment['id']}/label.png", headers=clerk["headers"])
    assert label.status_code == 200 and label.mimetype == "image/png"
    assert Image.open(io.BytesIO(label.data)).size == (800, 1200)  # 100 x 150 mm at 8 dots/mm
    packed = client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"], json={})
    assert packed.status_code == 200 and packed.json["status"] == "packed"

    mine = client.get("/api/v1/courier/shipments", headers=courier).json
    assert len(mine) == 1
    seen = mine[0]
    assert seen["deliver_to"]["phone_masked"] == "138****8000" and "13800138000" not in json.dumps(seen)
    assert set(seen) == {"id", "number", "status", "tracking_number", "deliver_to", "pick_up_from", "packed_at",
                         "picked_up_at", "delivered_at"}
    picked = client.post(f"/api/v1/courier/shipments/{seen['id']}/pickup", headers=courier,
                         json={"tracking_number": "EMS1234567890"})
    assert picked.status_code == 200 and picked.json["status"] == "picked_up"
    # The address is locked once the carrier has it.
    assert_error(client.put(f"/api/v1/applications/{application['id']}/delivery", headers=citizen["headers"],
                            json={"method": "window"}), 409, "delivery_locked")
    moving = webhook(client, {"event_id": "e-1", "tracking_number": "EMS1234567890", "status": "in_transit",
                              "at": app_now().isoformat(), "detail": "衢州处理中心"})
    assert moving.status_code == 200 and moving.json["applied"] is True
    assert progress(client, citizen, application)["shipment"]["status"] == "in_transit"
    from tests.factories import upload

    not_proof = upload(client, courier)  # uploaded as a material, not as delivery proof
    assert_error(client.post(f"/api/v1/courier/shipments/{seen['id']}/deliver", headers=courier,
                             json={"recipient_name": "王建国", "proof_upload_id": not_proof}), 422, "upload_not_acceptable")
    delivered = client.post(f"/api/v1/courier/shipments/{seen['id']}/deliver", headers=courier,
                            json={"recipient_name": "王建国", "proof_upload_id": proof_photo(client, courier)})
    assert delivered.status_code == 200 and delivered.json["status"] == "delivered"
    view = progress(client, citizen, application)
    assert view["status"] == "delivered" and view["shipment"]["status"] == "delivered"
    assert view["visit_count"] == 0 and view["zero_trip"] is True
    events = [t["event"] for t in view["timeline"]]
    assert ["shipment_pack", "shipment_pickup", "shipment_transit", "shipment_deliver", "deliver"] == \
        [e for e in events if e.startswith("shipment_") or e == "deliver"]
    assert any(p["reason"] == "办理结果邮寄在途" and p["ended_at"] for p in view["pauses"])


def test_webhook_replay_forgery_staleness_and_order(client, sms, db_session):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"], json={})
    courier = login_staff(client, "courier")["headers"]
    client.post(f"/api/v1/courier/shipments/{shipment['id']}/pickup", headers=courier,
                json={"tracking_number": "EMS0000000001"})
    now = app_now()
    delivered = {"event_id": "e-9", "tracking_number": "EMS0000000001", "status": "delivered",
                 "at": now.isoformat(), "detail": "本人签收"}
    assert webhook(client, delivered).json == {"event_id": "e-9", "applied": True, "outcome": "applied"}
    # Replayed: nothing changes.
    again = webhook(client, delivered)
    assert again.status_code == 200 and again.json["event_id"] == "e-9"
    # An earlier event arriving late never moves the shipment back.
    late = webhook(client, {"event_id": "e-5", "tracking_number": "EMS0000000001", "status": "in_transit",
                            "at": (now - timedelta(hours=3)).isoformat()})
    assert late.json == {"event_id": "e-5", "applied": False, "outcome": "stale"}
    view = progress(client, citizen, application)
    assert view["shipment"]["status"] == "delivered" and view["status"] == "delivered"
    assert [t["event"] for t in view["timeline"]].count("shipment_deliver") == 1
    # Forged, stale, unsigned, unknown carrier: 401 and nothing recorded.
    forged = {"event_id": "e-66", "tracking_number": "EMS0000000001", "status": "failed", "at": now.isoformat()}
    assert_error(webhook(client, forged, secret="guessed"), 401, "webhook_signature_invalid")
    assert_error(webhook(client, forged, timestamp=int(time.time()) - 301), 401, "webhook_signature_invalid")
    assert_error(webhook(client, forged, carrier="SF"), 401, "webhook_signature_invalid")
    assert_error(client.post("/api/v1/webhooks/carriers/EMS", json=forged), 401, "webhook_signature_invalid")
    from models.shipment import CarrierEvent

    assert {e.event_id for e in db_session.query(CarrierEvent)} == {"e-9", "e-5"}
    unknown = webhook(client, {"event_id": "e-7", "tracking_number": "NOPE0001", "status": "in_transit",
                               "at": now.isoformat()})
    assert unknown.json["outcome"] == "unknown_tracking_number"
    assert_error(webhook(client, {"event_id": "e-8", "tracking_number": "x", "status": "lost",
                                  "at": now.isoformat()}), 422, "validation_failed")


def test_failed_delivery_returns_to_the_hall(client, sms):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    hall = clerk["headers"]
    client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=hall, json={})
    courier = login_staff(client, "courier")["headers"]
    client.post(f"/api/v1/courier/shipments/{shipment['id']}/pickup", headers=courier,
                json={"tracking_number": "EMS0000000002"})
    failed = client.post(f"/api/v1/courier/shipments/{shipment['id']}/fail", headers=courier,
                         json={"reason": "地址不详，电话无人接听"})
    assert failed.status_code == 200 and failed.json["status"] == "failed"
    assert "地址不详" in progress(client, citizen, application)["timeline"][-1]["message"]
    again = client.post(f"/api/v1/hall/shipments/{shipment['id']}/resend", headers=hall, json={})
    assert again.status_code == 200 and again.json["status"] == "requested" and again.json["id"] != shipment["id"]
    assert again.json["number"].endswith("-P2")
    # The second attempt fails too: the citizen will collect it at a township centre.
    client.post(f"/api/v1/hall/shipments/{again.json['id']}/pack", headers=hall, json={})
    client.post(f"/api/v1/courier/shipments/{again.json['id']}/pickup", headers=courier,
                json={"tracking_number": "EMS0000000003"})
    client.post(f"/api/v1/courier/shipments/{again.json['id']}/fail", headers=courier, json={"reason": "拒收"})
    township = next(h for h in client.get("/api/v1/halls").json if h["code"] == "LY-DHJD")
    switched = client.post(f"/api/v1/hall/shipments/{again.json['id']}/switch-to-pickup", headers=hall,
                           json={"hall_id": township["id"]})
    assert switched.status_code == 200 and switched.json["status"] == "returned"
    detail = client.get(f"/api/v1/applications/{application['id']}", headers=citizen["headers"]).json
    assert detail["delivery_method"] == "window" and detail["hall_id"] == township["id"]
    # Only the hall the citizen now collects at hands it over at its window.
    assert_error(client.post(f"/api/v1/hall/applications/{application['id']}/issue", headers=hall,
                             json={"method": "window"}), 403, "not_pickup_hall")
    township_clerk = login_staff(client, "clerk-dh")["headers"]
    issued = client.post(f"/api/v1/hall/applications/{application['id']}/issue", headers=township_clerk,
                         json={"method": "window"})
    assert issued.status_code == 200 and issued.json["status"] == "delivered"
    assert progress(client, citizen, application)["visit_count"] == 1


def test_courier_of_another_carrier_sees_nothing(client, sms, app, db_session, passwords):
    from app.services.accounts import create_staff
    from app.services.catalogue_admin import save_reference
    from models.catalogue import Carrier

    save_reference(session=db_session, model=Carrier, data={"code": "SF", "name": "顺丰速运", "phone": "95338"})
    create_staff(session=db_session, passwords=passwords, username="courier-sf", password="Courier#2026",
                 role="courier", carrier_code="SF")
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"], json={})
    sf = client.post("/api/v1/auth/staff-tokens", json={"username": "courier-sf", "password": "Courier#2026"}).json
    headers = {"Authorization": f"Bearer {sf['access_token']}"}
    assert client.get("/api/v1/courier/shipments", headers=headers).json == []
    assert_error(client.post(f"/api/v1/courier/shipments/{shipment['id']}/pickup", headers=headers,
                             json={"tracking_number": "SF00000001"}), 404, "not_found")
    assert_error(client.get("/api/v1/hall/shipments", headers=headers), 403, "forbidden")


def test_tracking_numbers_are_unique_per_carrier_and_proof_is_checked(client, sms):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"], json={})
    courier = login_staff(client, "courier")["headers"]
    client.post(f"/api/v1/courier/shipments/{shipment['id']}/pickup", headers=courier,
                json={"tracking_number": "EMS0000000009"})
    _, _, _, other = completed_by_post(client, sms, phone="13900139000")
    client.post(f"/api/v1/hall/shipments/{other['id']}/pack", headers=clerk["headers"], json={})
    assert_error(client.post(f"/api/v1/courier/shipments/{other['id']}/pickup", headers=courier,
                             json={"tracking_number": "EMS0000000009"}), 409, "tracking_number_taken")
    assert_error(client.post(f"/api/v1/courier/shipments/{shipment['id']}/pickup", headers=courier,
                             json={"tracking_number": "EMS0000000010"}), 409, "invalid_transition")
    citizen_upload = proof_photo(client, citizen["headers"])
    assert_error(client.post(f"/api/v1/courier/shipments/{shipment['id']}/deliver", headers=courier,
                             json={"recipient_name": "王建国", "proof_upload_id": citizen_upload}),
                 422, "upload_not_acceptable")
    assert_error(client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"], json={}),
                 409, "invalid_transition")


def test_label_prints_at_100_by_150_mm_as_png_or_pdf(client, sms):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    url = f"/api/v1/hall/shipments/{shipment['id']}/label.png"
    png = client.get(url, headers=clerk["headers"])
    assert png.status_code == 200 and png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    assert image.size == (800, 1200) and image.info["dpi"] == pytest.approx((203.2, 203.2))
    assert b"pHYs" in png.data[:100] and b"\x00\x00\x1f\x40\x00\x00\x1f\x40\x01" in png.data[:100]  # 8000 dots/m
    pdf = client.get(f"{url}?format=pdf", headers=clerk["headers"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].endswith(f"{shipment['number']}.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (283.46, 425.2)
    [embedded] = reader.pages[0].images
    assert ImageChops.difference(embedded.image.convert("L"), image.convert("L")).getbbox() is None
    [decoded] = zxingcpp.read_barcodes(image.convert("L"))
    assert decoded.text == shipment["number"] and decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert_error(client.get(f"{url}?format=svg", headers=clerk["headers"]), 422, "validation_failed")
    courier = login_staff(client, "courier")["headers"]
    assert client.get(f"{url}?format=pdf", headers=courier).status_code == 403
