"""The e-license wallet: 免提交 from verified licenses, issued results, public QR verification."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import update

from models.elicense import Elicense
from app.clock import local_date
from tests.factories import issued_certificate, ready_application, upload
from tests.helpers import app_now, assert_error, login_citizen, login_staff


def add_license(client, headers, type_code: str, *, valid_until: str | None = "2040-01-01", number="X1") -> dict:
    answer = client.post("/api/v1/elicenses", headers=headers, json={
        "type": type_code, "number": number, "holder_name": "王建国", "issued_on": "2020-01-01",
        "valid_until": valid_until, "upload_ids": [upload(client, headers, purpose="elicense")]})
    assert answer.status_code == 201, answer.json
    return answer.json


def satisfied(application: dict) -> dict:
    return {m["code"]: m["satisfied_by"] for m in application["materials"]}


def test_second_retirement_asks_for_nothing_the_wallet_holds(client, sms):
    citizen, submitted = ready_application(client, sms)
    headers = citizen["headers"]
    id_card = add_license(client, headers, "ID_CARD")
    ss_card = add_license(client, headers, "SSCARD", number="S1")
    assert id_card["verified"] is False and id_card["status"] == "valid" and id_card["source"] == "uploaded"
    first = client.post("/api/v1/applications", headers=headers, json={"bundle_code": "RETIRE"}).json
    assert satisfied(first) == {"ID_CARD": None, "BANK_CARD": None, "RETIRE_APPROVAL": None}  # unverified
    # The clerk checks the originals for a submitted application that asks for them.
    assert client.post(f"/api/v1/applications/{submitted['id']}/submit", headers=headers).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    for lic in (id_card, ss_card):
        verified = client.post(f"/api/v1/hall/elicenses/{lic['id']}/verify", headers=clerk)
        assert verified.status_code == 200 and verified.json["verified"] is True
    # Verification fills the open draft too.
    refreshed = client.get(f"/api/v1/applications/{first['id']}", headers=headers).json
    assert satisfied(refreshed)["ID_CARD"] == "elicense" and satisfied(refreshed)["BANK_CARD"] == "elicense"
    second = client.post("/api/v1/applications", headers=headers, json={"bundle_code": "RETIRE"})
    assert second.status_code == 201
    got = satisfied(second.json)
    assert got == {"ID_CARD": "elicense", "BANK_CARD": "elicense", "RETIRE_APPROVAL": None}
    assert second.json["materials_exempted"] == 2
    progress = client.get(f"/api/v1/applications/{second.json['id']}/progress", headers=headers).json
    assert "2 项材料由电子证照免提交" in progress["timeline"][0]["message"]


def test_expired_and_revoked_licenses_fill_nothing(client, sms, db_session):
    headers = login_citizen(client, sms)["headers"]
    expired = add_license(client, headers, "ID_CARD", valid_until="2021-01-01")
    assert expired["status"] == "expired"
    revoked = add_license(client, headers, "SSCARD", number="S2")
    db_session.execute(update(Elicense).values(verified=True))
    db_session.execute(update(Elicense).where(Elicense.id == revoked["id"])
                       .values(revoked_at=app_now()))
    db_session.commit()
    application = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"}).json
    assert satisfied(application)["ID_CARD"] is None and satisfied(application)["BANK_CARD"] is None
    assert client.get(f"/api/v1/elicenses/{revoked['id']}", headers=headers).json["status"] == "revoked"
    url = f"/api/v1/applications/{application['id']}/materials/ID_CARD"
    assert_error(client.put(url, headers=headers, json={"elicense_id": expired["id"]}), 422, "elicense_not_usable")
    wrong = f"/api/v1/applications/{application['id']}/materials/RETIRE_APPROVAL"
    assert_error(client.put(wrong, headers=headers, json={"elicense_id": revoked["id"]}), 422, "elicense_not_usable")


def test_attach_a_license_explicitly(client, sms):
    headers = login_citizen(client, sms)["headers"]
    lic = add_license(client, headers, "ID_CARD")
    application = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"}).json
    attached = client.put(f"/api/v1/applications/{application['id']}/materials/ID_CARD", headers=headers,
                          json={"elicense_id": lic["id"]})
    assert attached.status_code == 200 and satisfied(attached.json)["ID_CARD"] == "elicense"
    other = login_citizen(client, sms, "13900139000")["headers"]
    theirs = client.post("/api/v1/applications", headers=other, json={"item_code": "RSJ-YLJ-001"}).json
    assert_error(client.put(f"/api/v1/applications/{theirs['id']}/materials/ID_CARD", headers=other,
                            json={"elicense_id": lic["id"]}), 422, "unknown_reference")
    assert_error(client.get(f"/api/v1/elicenses/{lic['id']}", headers=other), 404, "not_found")


def test_approval_issues_a_verifiable_certificate(client, sms, app, clock):
    # The clock runs during the test: with --clock a second before midnight, the approval may
    # fall on the next day (issued that day, as the app's clock says).
    before = local_date(clock())
    citizen, application, cert = issued_certificate(client, sms)
    issued_days = {before.isoformat(), local_date(clock()).isoformat()}
    assert cert["source"] == "issued" and cert["verified"] and cert["holder_name"] == "王小宝"
    assert cert["issuer"] == "龙游县卫生健康局" and cert["status"] == "valid"
    code = cert["verification_url"].rsplit("/", 1)[1]
    assert len(code) >= 24
    public = client.get(f"/api/v1/verify/{code}")
    assert public.status_code == 200
    assert public.json == {"type": "BIRTH_CERT", "type_name": "出生医学证明", "holder_name_masked": "王**",
                           "issuer": "龙游县卫生健康局", "issued_on": public.json["issued_on"],
                           "valid_until": None, "status": "valid"}
    assert public.json["issued_on"] in issued_days
    png = client.get(f"/api/v1/elicenses/{cert['id']}/qrcode.png", headers=citizen["headers"])
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert_error(client.get("/api/v1/verify/not-a-real-code"), 404, "not_found")
    timeline = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    assert any("卡包" in t["message"] for t in timeline["timeline"])


def test_revoked_certificate_says_so_and_verify_is_rate_limited(client, sms, app, db_session, monkeypatch):
    issued_certificate(client, sms)
    lic = db_session.query(Elicense).filter(Elicense.source == "issued").one()
    lic.revoked_at = app_now() - timedelta(minutes=1)
    db_session.commit()
    assert client.get(f"/api/v1/verify/{lic.verification_code}").json["status"] == "revoked"
    monkeypatch.setitem(app.config, "VERIFY_IP_LIMITS", "3/minute")
    from app.extensions import limiter

    limiter.reset()
    answers = [client.get(f"/api/v1/verify/guess-{n}").status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]


def test_uploaded_licenses_have_no_public_code(client, sms):
    headers = login_citizen(client, sms)["headers"]
    lic = add_license(client, headers, "DRIVER_LICENSE")
    assert lic["verification_url"] is None
    assert_error(client.get(f"/api/v1/elicenses/{lic['id']}/qrcode.png", headers=headers), 404, "not_found")
    body = {"type": "NOPE", "number": "1", "holder_name": "x", "issued_on": "2020-01-01", "upload_ids": [1]}
    assert_error(client.post("/api/v1/elicenses", headers=headers, json=body), 422, "unknown_reference")
    body = {**body, "type": "ID_CARD", "upload_ids": [99999]}
    assert_error(client.post("/api/v1/elicenses", headers=headers, json=body), 422, "upload_not_acceptable")
    body = {**body, "upload_ids": [upload(client, headers, purpose="elicense")], "valid_until": "2019-01-01"}
    assert_error(client.post("/api/v1/elicenses", headers=headers, json=body), 422, "validation_failed")
