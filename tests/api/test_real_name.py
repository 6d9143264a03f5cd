"""实名: a profile's name and ID number are confirmed before a case is decided on them — without a
trip (population data source, verified 居民身份证 e-license) or in person by a clerk."""
from __future__ import annotations

from sqlalchemy import select

from app.services.demo_people import CHEN, SUN, ZHAO
from models.citizen import IdentityCheck
from tests.factories import hall_id, id_number_for, ready_application, upload
from tests.fakes import FakeDataSource
from tests.helpers import assert_error, login_citizen, login_staff


def _me(client, citizen, **profile):
    return client.patch("/api/v1/me", headers=citizen["headers"], json=profile)


def test_the_population_source_verifies_a_matching_profile_without_a_trip(client, sms):
    citizen = login_citizen(client, sms, "13800138101")
    assert client.get("/api/v1/me", headers=citizen["headers"]).json["real_name_verified"] is False
    me = _me(client, citizen, name="孙丽", id_number=SUN)
    assert me.status_code == 200 and me.json["real_name_verified"] is True
    assert me.json["real_name_method"] == "population" and me.json["real_name_verified_at"]
    assert_error(_me(client, citizen, name="孙莉"), 409, "real_name_locked")  # frozen with the number
    assert_error(_me(client, citizen, id_number=CHEN), 409, "real_name_locked")


def test_a_profile_the_source_does_not_confirm_stays_unverified_and_says_why(app, client, sms, monkeypatch):
    from app.extensions import db
    from app.gateways.datasource import put_record

    known = id_number_for("13800138102")
    with app.app_context():
        put_record(db.session, app.extensions["onetrip"].cipher, "population", known,
                   {"name": "陈晓明", "gender": "男", "birth_date": known[6:10] + "-01-01"})
        db.session.commit()
    citizen = login_citizen(client, sms, "13800138102")
    assert_error(client.post("/api/v1/me/verify-identity", headers=citizen["headers"], json={}),
                 422, "profile_incomplete")
    me = _me(client, citizen, name="陈小明", id_number=known)  # the register says 陈晓明
    assert me.status_code == 200 and me.json["real_name_verified"] is False  # the profile is saved all the same
    assert_error(client.post("/api/v1/me/verify-identity", headers=citizen["headers"], json={}),
                 422, "identity_mismatch")
    assert _me(client, citizen, name="陈晓明").json["real_name_verified"] is True

    stranger = login_citizen(client, sms, "13800138103")
    _me(client, stranger, name="钱多", id_number=id_number_for("13800138103"))
    assert_error(client.post("/api/v1/me/verify-identity", headers=stranger["headers"], json={}),
                 422, "identity_not_found")
    monkeypatch.setattr(app.extensions["onetrip"], "data_source", FakeDataSource(down=True))
    body = assert_error(client.post("/api/v1/me/verify-identity", headers=stranger["headers"], json={}),
                        503, "data_source_unavailable")
    assert "数据" in body["message"]
    en = client.post("/api/v1/me/verify-identity", headers={**stranger["headers"], "Accept-Language": "en"}, json={})
    assert en.json["message"] == "The government data source is unavailable; retry later"
    with app.app_context():
        outcomes = db.session.scalars(select(IdentityCheck.outcome).where(IdentityCheck.citizen_id.in_(
            [citizen["citizen"]["id"], stranger["citizen"]["id"]])).order_by(IdentityCheck.id)).all()
    assert outcomes == ["identity_mismatch", "identity_mismatch", "verified", "identity_not_found",
                        "identity_not_found", "data_source_unavailable", "data_source_unavailable"]


def test_a_verified_id_card_in_the_wallet_verifies_the_profile(client, sms):
    phone = "13800138104"
    citizen = login_citizen(client, sms, phone)
    headers, number = citizen["headers"], id_number_for(phone)
    _me(client, citizen, name="孙悟", id_number=number)

    def card(holder, no):
        answer = client.post("/api/v1/elicenses", headers=headers, json={
            "type": "ID_CARD", "number": no, "holder_name": holder, "issued_on": "2020-01-01",
            "valid_until": "2040-01-01", "upload_ids": [upload(client, headers, purpose="elicense")]})
        assert answer.status_code == 201, answer.json
        return answer.json["id"]

    right, wrong = card("孙悟", number), card("孙悟空", number)
    assert_error(client.post("/api/v1/me/verify-identity", headers=headers, json={"elicense_id": right}),
                 422, "elicense_not_usable")  # a photo nobody has checked proves nothing
    clerk = login_staff(client, "clerk")["headers"]
    # A clerk may check a wallet only for a case they handle, or with the citizen at their window:
    # here the citizen consents to an assisted application (帮办) with their SMS code.
    assert_error(client.post(f"/api/v1/hall/elicenses/{right}/verify", headers=clerk), 404, "not_found")
    draft = client.post("/api/v1/hall/assisted-applications", headers=clerk,
                        json={"citizen_phone": phone, "item_code": "RSJ-YLJ-001"}).json
    assert client.post(f"/api/v1/hall/assisted-applications/{draft['id']}/confirm", headers=clerk,
                       json={"code": sms.last_code(phone)}).status_code == 200
    for lic in (right, wrong):
        assert client.post(f"/api/v1/hall/elicenses/{lic}/verify", headers=clerk).status_code == 200
    assert_error(client.post("/api/v1/me/verify-identity", headers=headers, json={"elicense_id": wrong}),
                 422, "identity_mismatch")
    verified = client.post("/api/v1/me/verify-identity", headers=headers, json={"elicense_id": right})
    assert verified.status_code == 200 and verified.json["real_name_method"] == "elicense"


def test_an_unverified_applicant_submits_but_is_not_approved_until_a_clerk_sees_the_card(client, sms):
    phone = "13800138105"
    citizen, application = ready_application(client, sms, phone=phone, verified=False, bundle_code="RETIRE")
    card = {"name": "王建国", "id_number": id_number_for(phone)}
    assert _me(client, citizen, **card).json["real_name_verified"] is False  # the register does not know it
    url = f"/api/v1/applications/{application['id']}"
    assert client.patch(url, headers=citizen["headers"], json={"form": {
        "applicant_name": card["name"], "applicant_id_number": card["id_number"]}}).status_code == 200
    assert client.post(url + "/submit", headers=citizen["headers"]).status_code == 200
    clerk = login_staff(client, "clerk")
    seen = client.get(f"/api/v1/hall/applications/{application['id']}", headers=clerk["headers"]).json
    assert seen["citizen_real_name_verified"] is False and seen["citizen_id"] == citizen["citizen"]["id"]
    assert client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk["headers"],
                       json={}).status_code == 200

    reviewer = login_staff(client, "reviewer-gjj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=reviewer).json[0]
    assert sub["applicant_real_name_verified"] is False
    body = assert_error(client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=reviewer, json={}),
                        409, "identity_unverified")
    assert body["message"] == "申请人尚未完成实名核验，不能审批"
    en = client.post(f"/api/v1/department/subcases/{sub['id']}/approve",
                     headers={**reviewer, "Accept-Language": "en"}, json={})
    assert "not verified" in en.json["message"]
    # the refusal changed nothing: the reviewer can still reject or ask
    assert client.get("/api/v1/department/subcases", headers=reviewer).json[0]["status"] == "pending"

    verify = f"/api/v1/hall/citizens/{citizen['citizen']['id']}/verify-identity"
    assert_error(client.post(verify, headers=clerk["headers"], json={**card, "id_number": CHEN}),
                 422, "identity_mismatch")
    assert_error(client.post(verify, headers=clerk["headers"], json={**card, "id_number": "330825"}),
                 422, "validation_failed")
    assert_error(client.post("/api/v1/hall/citizens/999999/verify-identity", headers=clerk["headers"], json=card),
                 404, "not_found")
    assert_error(client.post(verify, headers=citizen["headers"], json=card), 403, "forbidden")
    done = client.post(verify, headers=clerk["headers"], json=card)
    assert done.status_code == 200 and done.json["real_name_verified"] and done.json["real_name_method"] == "clerk"
    assert done.json["real_name_verified_by"] == clerk["staff"]["id"]
    approved = client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=reviewer, json={})
    assert approved.status_code == 200 and approved.json["applicant_real_name_verified"] is True


def test_a_clerk_fills_an_empty_profile_from_the_card(client, sms):
    citizen = login_citizen(client, sms, "13800138108")
    clerk = login_staff(client, "clerk")["headers"]
    verify = f"/api/v1/hall/citizens/{citizen['citizen']['id']}/verify-identity"
    number = id_number_for("13800138108")
    done = client.post(verify, headers=clerk, json={"name": "钱多", "id_number": number})
    assert done.status_code == 200 and done.json["name"] == "钱多" and done.json["id_number_masked"].endswith(number[-4:])
    other = login_citizen(client, sms, "13800138109")
    assert_error(client.post(f"/api/v1/hall/citizens/{other['citizen']['id']}/verify-identity", headers=clerk,
                             json={"name": "钱多", "id_number": number}), 409, "id_number_taken")


def test_form_fields_naming_the_applicant_must_match_the_verified_profile(client, sms):
    citizen, application = ready_application(client, sms, phone="13800138106")
    url, headers = f"/api/v1/applications/{application['id']}", citizen["headers"]
    assert client.patch(url, headers=headers, json={"form": {"applicant_id_number": CHEN}}).status_code == 200
    body = assert_error(client.post(url + "/submit", headers=headers), 422, "applicant_mismatch")
    assert list(body["errors"]["form"]) == ["applicant_id_number"]
    assert client.patch(url, headers=headers, json={"form": {
        "applicant_id_number": citizen["profile"]["id_number"], "applicant_name": "王健国"}}).status_code == 200
    body = assert_error(client.post(url + "/submit", headers=headers), 422, "applicant_mismatch")
    assert list(body["errors"]["form"]) == ["applicant_name"]


def test_verified_after_submitting_a_form_naming_someone_else_is_not_approved(client, sms):
    phone = "13800138107"
    citizen, application = ready_application(client, sms, phone=phone, verified=False)
    url = f"/api/v1/applications/{application['id']}"
    assert client.patch(url, headers=citizen["headers"], json={"form": {"applicant_id_number": ZHAO}}).status_code == 200
    assert client.post(url + "/submit", headers=citizen["headers"]).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk, json={})
    client.post(f"/api/v1/hall/citizens/{citizen['citizen']['id']}/verify-identity", headers=clerk,
                json={"name": "王建国", "id_number": id_number_for(phone)})
    reviewer = login_staff(client, "reviewer-rsj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=reviewer).json[0]
    assert_error(client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=reviewer, json={}),
                 409, "applicant_mismatch")


def test_the_demo_has_a_verified_citizen_and_one_the_reviewer_cannot_approve(client, sms):
    zhao = login_citizen(client, sms, "13900000001")
    me = client.get("/api/v1/me", headers=zhao["headers"]).json
    assert me["name"] == "赵磊" and me["real_name_verified"] and me["real_name_method"] == "population"

    chen = login_citizen(client, sms, "13900000002")
    headers = chen["headers"]
    assert client.get("/api/v1/me", headers=headers).json["real_name_verified"] is False
    form = {"applicant_name": "陈小明", "applicant_id_number": CHEN, "contact_phone": "13900000002",
            "retire_date": "2026-11-01"}
    app = client.post("/api/v1/applications", headers=headers,
                      json={"item_code": "YBJ-DYBG-001", "hall_id": hall_id(client), "form": form}).json
    url = f"/api/v1/applications/{app['id']}"
    for code in ("ID_CARD", "RETIRE_APPROVAL"):
        client.put(f"{url}/materials/{code}", headers=headers, json={"upload_ids": [upload(client, headers)]})
    client.put(url + "/delivery", headers=headers, json={"method": "window"})
    assert client.post(url + "/submit", headers=headers).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    assert client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk, json={}).status_code == 200
    reviewer = login_staff(client, "reviewer-ybj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=reviewer).json[0]
    assert_error(client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=reviewer, json={}),
                 409, "identity_unverified")
