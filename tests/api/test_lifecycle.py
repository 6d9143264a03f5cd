"""One thing, one trip: from the phone to the result, through the hall and the departments."""
from __future__ import annotations

from models.numbering import is_valid_number
from tests.factories import (
    ADDRESS, RETIRE_FORM, hall_id, jpeg, ready_application, submitted_and_accepted, upload, verified_citizen,
)
from tests.helpers import assert_error, login_citizen, login_staff


def _progress(client, citizen, app_id):
    answer = client.get(f"/api/v1/applications/{app_id}/progress", headers=citizen["headers"])
    assert answer.status_code == 200, answer.json
    return answer.json


def test_retirement_from_login_to_completed_in_parallel(client, sms):
    citizen = verified_citizen(client, sms)
    headers = citizen["headers"]
    form = {**RETIRE_FORM, "applicant_name": citizen["profile"]["name"],
            "applicant_id_number": citizen["profile"]["id_number"]}
    created = client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "k-1"},
                          json={"bundle_code": "RETIRE", "hall_id": hall_id(client)})
    assert created.status_code == 201
    app = created.json
    assert app["status"] == "draft" and is_valid_number(app["number"]) and app["number"].startswith("330825-")
    assert {m["code"] for m in app["materials"]} == {"ID_CARD", "BANK_CARD", "RETIRE_APPROVAL"}
    assert all(m["satisfied_by"] is None for m in app["materials"])

    # The phone retries the create: nothing is created twice.
    again = client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "k-1"},
                        json={"bundle_code": "RETIRE", "hall_id": hall_id(client)})
    assert again.status_code == 201 and again.json["id"] == app["id"]
    assert len(client.get("/api/v1/applications", headers=headers).json) == 1
    assert_error(client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "k-1"},
                             json={"bundle_code": "BIRTH"}), 422, "idempotency_key_reused")

    # Submitting too early lists everything missing at once.
    body = assert_error(client.post(f"/api/v1/applications/{app['id']}/submit", headers=headers),
                        422, "materials_missing")
    assert {m["code"] for m in body["errors"]["materials"]} == {"ID_CARD", "BANK_CARD", "RETIRE_APPROVAL"}
    # 一次录入: the phone number the citizen logged in with is prefilled from the profile.
    prefilled = {"contact_phone", "applicant_name", "applicant_id_number"}  # from the verified profile
    # (Masked in the citizen's view, API.md Conventions; stored whole.)
    assert app["form_sources"] == dict.fromkeys(prefilled, "profile") and app["form"]["contact_phone"] == "138****8000"
    assert {f["name"] for f in body["errors"]["fields"]} == (set(RETIRE_FORM) - prefilled) | {"delivery"}

    assert client.patch(f"/api/v1/applications/{app['id']}", headers=headers,
                        json={"form": form}).status_code == 200
    file_id = upload(client, headers)
    for code in ("ID_CARD", "BANK_CARD", "RETIRE_APPROVAL"):
        answer = client.put(f"/api/v1/applications/{app['id']}/materials/{code}", headers=headers,
                            json={"upload_ids": [file_id]})
        assert answer.status_code == 200
    assert client.put(f"/api/v1/applications/{app['id']}/delivery", headers=headers,
                      json={"method": "post", "address": ADDRESS}).status_code == 200
    submitted = client.post(f"/api/v1/applications/{app['id']}/submit",
                            headers={**headers, "Idempotency-Key": "submit-1"})
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    replay = client.post(f"/api/v1/applications/{app['id']}/submit", headers={**headers, "Idempotency-Key": "submit-1"})
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"
    assert _progress(client, citizen, app["id"])["stage"] == "等待窗口受理"

    clerk = login_staff(client, "clerk")["headers"]
    inbox = client.get("/api/v1/hall/applications", headers=clerk).json
    assert [a["id"] for a in inbox] == [app["id"]] and inbox[0]["citizen_phone_masked"] == "138****8000"
    accepted = client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk, json={})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"

    progress = _progress(client, citizen, app["id"])
    assert progress["deadline"]["light"] == "green" and progress["deadline"]["promised_days"] == 5
    assert [s["status"] for s in progress["subcases"]] == ["pending", "pending", "pending"]

    for reviewer, item in (("reviewer-rsj", "RSJ-YLJ-001"), ("reviewer-ybj", "YBJ-DYBG-001"),
                           ("reviewer-gjj", "GJJ-TQ-001")):
        headers_r = login_staff(client, reviewer)["headers"]
        mine = client.get("/api/v1/department/subcases?status=pending", headers=headers_r).json
        assert [s["item_code"] for s in mine] == [item]
        approved = client.post(f"/api/v1/department/subcases/{mine[0]['id']}/approve", headers=headers_r,
                               json={"note": "材料齐全"})
        assert approved.status_code == 200 and approved.json["status"] == "approved"

    progress = _progress(client, citizen, app["id"])
    assert progress["status"] == "completed" and progress["stage"] == "已办结"
    assert progress["zero_trip"] is True and progress["visit_count"] == 0
    events = [t["event"] for t in progress["timeline"]]
    assert events[:2] == ["created", "material_attached"] and events[-1] == "complete"
    assert events.count("approve") == 3 and "accept" in events and "start_review" in events

    issued = client.post(f"/api/v1/hall/applications/{app['id']}/issue", headers=clerk, json={})
    assert issued.status_code == 200
    progress = _progress(client, citizen, app["id"])
    assert progress["shipment"]["status"] == "requested" and progress["zero_trip"] is True


def test_birth_registration_waits_for_the_birth_certificate(client, sms):
    citizen, app, clerk = submitted_and_accepted(client, sms, bundle_code="BIRTH")
    statuses = {s["item_code"]: s["status"] for s in _progress(client, citizen, app["id"])["subcases"]}
    assert statuses == {"WJJ-CSZM-001": "pending", "GAJ-CSDJ-001": "waiting", "YBJ-JMCB-001": "waiting",
                        "RSJ-SBK-001": "waiting"}
    police = login_staff(client, "reviewer-gaj")["headers"]
    waiting = client.get("/api/v1/department/subcases", headers=police).json
    assert waiting[0]["status"] == "waiting" and waiting[0]["depends_on"] == ["WJJ-CSZM-001"]
    assert_error(client.post(f"/api/v1/department/subcases/{waiting[0]['id']}/approve", headers=police, json={}),
                 409, "invalid_transition")
    health = login_staff(client, "reviewer-wjj")["headers"]
    cert = client.get("/api/v1/department/subcases", headers=health).json[0]
    assert client.post(f"/api/v1/department/subcases/{cert['id']}/approve", headers=health, json={}).status_code == 200
    opened = client.get("/api/v1/department/subcases", headers=police).json[0]
    assert opened["status"] == "pending" and opened["opened_on"]
    timeline = [t["message"] for t in _progress(client, citizen, app["id"])["timeline"]]
    assert any("开始办理" in m for m in timeline)


def test_refusing_the_certificate_refuses_what_depends_on_it(client, sms):
    citizen, app, _ = submitted_and_accepted(client, sms, bundle_code="BIRTH")
    health = login_staff(client, "reviewer-wjj")["headers"]
    cert = client.get("/api/v1/department/subcases", headers=health).json[0]
    refused = client.post(f"/api/v1/department/subcases/{cert['id']}/reject", headers=health,
                          json={"reason": "分娩记录与医院存档不符"})
    assert refused.status_code == 200
    statuses = {s["item_code"]: s["status"] for s in _progress(client, citizen, app["id"])["subcases"]}
    # The refusal travels down the chain: 出生登记, and 参保 behind it, and 社保卡.
    assert set(statuses.values()) == {"rejected"}
    assert _progress(client, citizen, app["id"])["status"] == "completed"


def test_return_once_with_every_problem(client, sms):
    citizen, app = ready_application(client, sms)
    url = f"/api/v1/applications/{app['id']}"
    client.post(url + "/submit", headers=citizen["headers"])
    clerk = login_staff(client, "clerk")["headers"]
    problems = [{"target": "BANK_CARD", "reason": "照片模糊"}, {"target": "retire_date", "reason": "与审批表不一致"}]
    returned = client.post(f"/api/v1/hall/applications/{app['id']}/return", headers=clerk, json={"problems": problems})
    assert returned.status_code == 200 and returned.json["status"] == "returned" and returned.json["return_count"] == 1
    progress = _progress(client, citizen, app["id"])
    assert progress["next_action"]["code"] == "correct_and_resubmit"
    assert "照片模糊" in progress["timeline"][-1]["message"] and "与审批表不一致" in progress["timeline"][-1]["message"]
    # Resubmitting unchanged: the hall may not return it a second time.
    client.post(url + "/submit", headers=citizen["headers"])
    assert_error(client.post(f"/api/v1/hall/applications/{app['id']}/return", headers=clerk,
                             json={"problems": problems}), 409, "already_returned")
    # Once the citizen changed something, a second notice is allowed and counted.
    client.post(f"/api/v1/hall/applications/{app['id']}/return", headers=clerk, json={"problems": problems})
    assert client.get(url, headers=citizen["headers"]).json["status"] == "submitted"
    client.post(url + "/withdraw", headers=citizen["headers"])


def test_accept_with_commitment(client, sms, today):
    citizen = login_citizen(client, sms)
    headers = citizen["headers"]
    app = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"}).json
    url = f"/api/v1/applications/{app['id']}"
    client.patch(url, headers=headers, json={"form": RETIRE_FORM})
    file_id = upload(client, headers)
    for code in ("ID_CARD", "RETIRE_APPROVAL"):
        client.put(f"{url}/materials/{code}", headers=headers, json={"upload_ids": [file_id]})
    assert_error(client.put(f"{url}/materials/ID_CARD", headers=headers, json={"commitment": True}),
                 422, "commitment_not_allowed")
    pledged = client.put(f"{url}/materials/BANK_CARD", headers=headers, json={"commitment": True})
    assert pledged.status_code == 200
    assert {m["code"]: m["satisfied_by"] for m in pledged.json["materials"]}["BANK_CARD"] == "commitment"
    assert client.put(f"{url}/delivery", headers=headers, json={"method": "post", "address": ADDRESS}).status_code == 200
    assert client.post(url + "/submit", headers=headers).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    assert_error(client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk, json={}),
                 422, "validation_failed")  # a commitment needs its due date
    assert_error(client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk,
                             json={"pending_materials": ["ID_CARD"], "commitment_due": "2099-01-01"}),
                 422, "commitment_not_allowed")
    assert_error(client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk,
                             json={"commitment_due": "2099-01-01"}), 422, "validation_failed")
    from datetime import timedelta

    # Tomorrow by the date the test began: still within [today, promised] if the running clock
    # has crossed midnight since (red with --clock a second before midnight when it was today).
    accepted = client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk,
                           json={"commitment_due": (today + timedelta(days=1)).isoformat()})
    assert accepted.status_code == 200, accepted.json
    progress = _progress(client, citizen, app["id"])
    assert progress["next_action"]["code"] == "deliver_committed_materials"
    supplied = client.put(f"{url}/materials/BANK_CARD", headers=headers, json={"upload_ids": [file_id]})
    assert supplied.status_code == 200
    assert _progress(client, citizen, app["id"])["next_action"] is None


def test_request_materials_pauses_the_deadline(client, sms):
    citizen, app, _ = submitted_and_accepted(client, sms)
    reviewer = login_staff(client, "reviewer-gjj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=reviewer).json[0]
    asked = client.post(f"/api/v1/department/subcases/{sub['id']}/request-materials", headers=reviewer,
                        json={"problems": [{"target": "BANK_CARD", "reason": "请提供一类银行卡"}]})
    assert asked.status_code == 200 and asked.json["status"] == "materials_requested"
    progress = _progress(client, citizen, app["id"])
    assert progress["deadline"]["light"] == "paused" and progress["next_action"]["code"] == "supply_materials"
    assert progress["pauses"][0]["ended_at"] is None
    url = f"/api/v1/applications/{app['id']}"
    file_id = upload(client, citizen["headers"], jpeg(colour=(0, 0, 255)))
    assert client.put(f"{url}/materials/BANK_CARD", headers=citizen["headers"],
                      json={"upload_ids": [file_id]}).status_code == 200
    assert client.post(url + "/supply", headers=citizen["headers"]).status_code == 200
    progress = _progress(client, citizen, app["id"])
    assert progress["deadline"]["light"] != "paused" and progress["pauses"][0]["ended_at"]
    assert client.get("/api/v1/department/subcases", headers=reviewer).json[0]["status"] == "pending"


def test_reject_with_legal_basis_and_illegal_moves(client, sms):
    citizen, app = ready_application(client, sms)
    url = f"/api/v1/applications/{app['id']}"
    clerk = login_staff(client, "clerk")["headers"]
    # A draft is the citizen's alone: to the clerk it does not exist yet.
    assert_error(client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk, json={}),
                 404, "not_found")
    client.post(url + "/submit", headers=citizen["headers"])
    rejected = client.post(f"/api/v1/hall/applications/{app['id']}/reject", headers=clerk,
                           json={"reason": "申请人未达到法定退休年龄", "legal_basis": "《国务院关于工人退休、退职的暂行办法》"})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    body = assert_error(client.post(f"/api/v1/hall/applications/{app['id']}/accept", headers=clerk, json={}),
                        409, "invalid_transition")
    assert body["errors"]["current_status"] == "rejected"
    assert_error(client.post(url + "/withdraw", headers=citizen["headers"]), 409, "invalid_transition")
    assert_error(client.patch(url, headers=citizen["headers"], json={"form": {"applicant_name": "x"}}),
                 409, "invalid_transition")


def test_window_issue_counts_a_visit(client, sms):
    citizen, app, clerk = submitted_and_accepted(client, sms, bundle_code="RETIRE")
    visit = client.post(f"/api/v1/hall/applications/{app['id']}/visits", headers=clerk["headers"],
                        json={"purpose": "核验原件"})
    assert visit.status_code == 201
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = login_staff(client, reviewer)["headers"]
        sub = client.get("/api/v1/department/subcases", headers=headers).json[0]
        client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers, json={})
    issued = client.post(f"/api/v1/hall/applications/{app['id']}/issue", headers=clerk["headers"],
                         json={"method": "window"})
    assert issued.status_code == 200 and issued.json["status"] == "delivered"
    progress = _progress(client, citizen, app["id"])
    assert progress["visit_count"] == 2 and not progress["zero_trip"] and not progress["at_most_one_trip"]


def test_privacy_between_citizens_and_regions(client, sms):
    citizen, app = ready_application(client, sms)
    other = login_citizen(client, sms, "13900139000")
    url = f"/api/v1/applications/{app['id']}"
    assert_error(client.get(url, headers=other["headers"]), 404, "not_found")
    assert_error(client.get(url + "/progress", headers=other["headers"]), 404, "not_found")
    assert_error(client.post(url + "/submit", headers=other["headers"]), 404, "not_found")
    clerk = login_staff(client, "clerk")["headers"]
    assert_error(client.get(url, headers=clerk), 403, "forbidden")
    reviewer = login_staff(client, "reviewer-mzj")["headers"]
    assert client.get("/api/v1/department/subcases", headers=reviewer).json == []
    assert_error(client.get("/api/v1/hall/applications", headers=reviewer), 403, "forbidden")


def test_form_and_material_validation(client, sms):
    citizen = login_citizen(client, sms)
    headers = citizen["headers"]
    assert_error(client.post("/api/v1/applications", headers=headers, json={}), 422, "validation_failed")
    assert_error(client.post("/api/v1/applications", headers=headers, json={"item_code": "NOPE"}),
                 422, "unknown_reference")
    # A village point takes in even a county-only bundle: it forwards it (tests/api/test_help_points.py).
    at_village = client.post("/api/v1/applications", headers=headers,
                             json={"bundle_code": "BUSINESS", "hall_id": hall_id(client, "LY-HZZ-XK")})
    assert at_village.status_code == 201 and at_village.json["pickup_hall_id"] == hall_id(client, "LY-HZZ-XK")
    app = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"}).json
    url = f"/api/v1/applications/{app['id']}"
    body = assert_error(client.patch(url, headers=headers, json={"form": {
        "retire_date": "15/03/2026", "applicant_id_number": "110105194912310021", "colour": "red"}}),
        422, "validation_failed")
    assert set(body["errors"]["form"]) == {"retire_date", "applicant_id_number", "colour"}
    assert_error(client.put(f"{url}/materials/NOPE", headers=headers, json={"upload_ids": [1]}), 404, "not_found")
    assert_error(client.put(f"{url}/materials/ID_CARD", headers=headers, json={"upload_ids": [999]}),
                 422, "upload_not_acceptable")
    assert_error(client.put(f"{url}/materials/ID_CARD", headers=headers, json={}), 422, "validation_failed")
    assert_error(client.put(f"{url}/delivery", headers=headers, json={"method": "post"}), 422, "validation_failed")
    bad_address = {**ADDRESS, "postcode": "3244", "phone": "123"}
    body = assert_error(client.put(f"{url}/delivery", headers=headers, json={"method": "post", "address": bad_address}),
                        422, "validation_failed")
    assert set(body["errors"]["json"]["address"]) == {"postcode", "phone"}


def test_uploads_are_checked_from_the_bytes(client, sms):
    citizen = login_citizen(client, sms)
    import io

    for data, name in ((b"<html><script>alert(1)</script>", "photo.jpg"), (b"", "empty.jpg"),
                       (jpeg()[:200], "truncated.jpg")):
        answer = client.post("/api/v1/uploads/direct", headers=citizen["headers"], content_type="multipart/form-data",
                             data={"purpose": "material", "file": (io.BytesIO(data), name)})
        assert_error(answer, 422, "file_refused")
    upload_id = upload(client, citizen["headers"])
    meta = client.get(f"/api/v1/uploads/{upload_id}", headers=citizen["headers"]).json
    assert meta["content_type"] == "image/jpeg" and meta["width"] == 64 and len(meta["sha256"]) == 64


def test_desk_retries_do_not_record_twice(client, sms):
    citizen, app, clerk = submitted_and_accepted(client, sms)
    headers = {**clerk["headers"], "Idempotency-Key": "visit-7f3a"}
    url = f"/api/v1/hall/applications/{app['id']}/visits"
    first = client.post(url, headers=headers, json={"purpose": "核验原件"})
    second = client.post(url, headers=headers, json={"purpose": "核验原件"})
    assert first.status_code == second.status_code == 201 and first.json == second.json
    progress = client.get(f"/api/v1/applications/{app['id']}/progress", headers=citizen["headers"]).json
    assert progress["visit_count"] == 1
