"""帮办 over HTTP: a clerk opens a draft for a citizen at the desk; the citizen's SMS code is their
consent; only then does the clerk fill it in, attach and submit; it is recorded on the case."""
from __future__ import annotations

from tests.factories import RETIRE_FORM, upload
from tests.helpers import assert_error, login_citizen, login_staff

ELDER = "13600136000"


def _start(client, sms, clerk, **body):
    target = {} if "item_code" in body else {"bundle_code": "RETIRE"}
    created = client.post("/api/v1/hall/assisted-applications", headers=clerk,
                          json={"citizen_phone": ELDER, **target, **body})
    assert created.status_code == 201, created.json
    return created.json, sms.last_code(ELDER)


def test_assisted_application_needs_the_citizens_code(client, sms):
    clerk = login_staff(client, "clerk")["headers"]
    draft, code = _start(client, sms, clerk)
    assert draft["channel"] == "assisted" and draft["status"] == "draft" and draft["consented_at"] is None
    assert draft["citizen_phone_masked"] == "136****6000" and draft["assisted_hall_id"] == draft["hall_id"]
    assert sms.sent[-1]["template"] == "assist_consent" and "龙游县政务服务中心" in sms.sent[-1]["text"]
    base = f"/api/v1/hall/assisted-applications/{draft['id']}"

    # Before consent the clerk may look, not write.
    assert client.get(base, headers=clerk).json["id"] == draft["id"]
    assert_error(client.patch(base, headers=clerk, json={"form": RETIRE_FORM}), 409, "consent_required")
    assert_error(client.post(f"{base}/submit", headers=clerk, json={}), 409, "consent_required")
    wrong = "000000" if code != "000000" else "111111"
    body = assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": wrong}), 422, "sms_code_invalid")
    assert body["errors"]["attempts_left"] == 4
    assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": "12ab"}), 422, "validation_failed")
    # A new code replaces the first.
    assert client.post(f"{base}/consent-code", headers=clerk, json={}).status_code == 200
    if sms.last_code(ELDER) != code:  # (one chance in a million that the new code is the old one)
        assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": code}), 422, "sms_code_invalid")
    confirmed = client.post(f"{base}/confirm", headers=clerk, json={"code": sms.last_code(ELDER)})
    assert confirmed.status_code == 200 and confirmed.json["consented_at"]
    assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": sms.last_code(ELDER)}),
                 409, "already_consented")

    # Now the clerk fills it in with a scan made at the desk, and submits for the citizen.
    assert client.patch(base, headers=clerk, json={"form": RETIRE_FORM}).status_code == 200
    scan = upload(client, clerk)
    for material in draft["materials"]:
        attached = client.put(f"{base}/materials/{material['code']}", headers=clerk, json={"upload_ids": [scan]})
        assert attached.status_code == 200, attached.json
    assert client.put(f"{base}/delivery", headers=clerk, json={"method": "window"}).status_code == 200
    submitted = client.post(f"{base}/submit", headers=clerk, json={})
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert client.get("/api/v1/hall/assisted-applications?status=submitted", headers=clerk).json[0]["id"] == draft["id"]

    # The citizen finds it on their phone (the account was created at first contact), with the
    # consent, the clerk and the hall on the record.
    citizen = login_citizen(client, sms, ELDER)
    mine = client.get("/api/v1/applications", headers=citizen["headers"]).json
    assert [a["id"] for a in mine] == [draft["id"]] and mine[0]["assisted_by"] == draft["assisted_by"]
    timeline = client.get(f"/api/v1/applications/{draft['id']}/progress", headers=citizen["headers"]).json["timeline"]
    consent = next(t for t in timeline if t["event"] == "assisted_consent")
    assert "龙游县政务服务中心" in consent["message"]
    # After submission the draft is no longer the clerk's to edit.
    assert_error(client.patch(base, headers=clerk, json={"form": RETIRE_FORM}), 409, "invalid_transition")
    accepted = client.post(f"/api/v1/hall/applications/{draft['id']}/accept", headers=clerk, json={})
    assert accepted.status_code == 200 and accepted.json["channel"] == "assisted"


def test_other_halls_and_citizens_cannot_touch_an_assisted_draft(client, sms):
    clerk = login_staff(client, "clerk")["headers"]
    draft, code = _start(client, sms, clerk, form={"applicant_name": "王大爷"})
    # Prefilled from the citizen's own profile (一次录入), not the clerk's.
    assert draft["form"] == {"applicant_name": "王大爷", "contact_phone": ELDER}
    base = f"/api/v1/hall/assisted-applications/{draft['id']}"
    other = login_staff(client, "clerk-dh")["headers"]
    assert_error(client.get(base, headers=other), 404, "not_found")
    assert_error(client.post(f"{base}/confirm", headers=other, json={"code": code}), 404, "not_found")
    assert client.get("/api/v1/hall/assisted-applications", headers=other).json == []
    assert_error(client.get(base, headers=login_staff(client, "reviewer-rsj")["headers"]), 403, "forbidden")
    stranger = login_citizen(client, sms, "13800138000")
    assert_error(client.get(f"/api/v1/applications/{draft['id']}", headers=stranger["headers"]), 404, "not_found")
    # Bad input answers clearly; an SMS outage creates nothing.
    assert_error(client.post("/api/v1/hall/assisted-applications", headers=clerk,
                             json={"citizen_phone": ELDER, "item_code": "NOPE"}), 422, "unknown_reference")
    assert_error(client.post("/api/v1/hall/assisted-applications", headers=clerk,
                             json={"citizen_phone": ELDER}), 422, "validation_failed")
    sms.fail = True
    assert_error(client.post("/api/v1/hall/assisted-applications", headers=clerk,
                             json={"citizen_phone": "13500135000", "item_code": "RSJ-YLJ-001"}), 502, "sms_unavailable")
    sms.fail = False
    assert [a["id"] for a in client.get("/api/v1/hall/assisted-applications", headers=clerk).json] == [draft["id"]]


def test_consent_code_burns_after_five_wrong_tries(client, sms):
    clerk = login_staff(client, "clerk")["headers"]
    draft, code = _start(client, sms, clerk)
    base = f"/api/v1/hall/assisted-applications/{draft['id']}"
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": wrong}), 422, "sms_code_invalid")
    assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": wrong}), 422, "sms_code_exhausted")
    assert_error(client.post(f"{base}/confirm", headers=clerk, json={"code": code}), 422, "sms_code_exhausted")


def test_files_an_agent_or_a_clerk_attached_reach_the_applicant_and_the_department(client, sms):
    """A scan made at the desk, attached to an assisted case: the citizen and the deciding department
    read it; a department with nothing in the case does not."""
    clerk = login_staff(client, "clerk")["headers"]
    draft, code = _start(client, sms, clerk, item_code="RSJ-YLJ-001")
    base = f"/api/v1/hall/assisted-applications/{draft['id']}"
    assert client.post(f"{base}/confirm", headers=clerk, json={"code": code}).status_code == 200
    assert client.patch(base, headers=clerk, json={"form": RETIRE_FORM}).status_code == 200
    scan = upload(client, clerk)
    for material in draft["materials"]:
        assert client.put(f"{base}/materials/{material['code']}", headers=clerk, json={"upload_ids": [scan]}
                          ).status_code == 200
    assert client.put(f"{base}/delivery", headers=clerk, json={"method": "window"}).status_code == 200
    assert client.post(f"{base}/submit", headers=clerk, json={}).status_code == 200
    assert client.post(f"/api/v1/hall/applications/{draft['id']}/accept", headers=clerk, json={}).status_code == 200
    citizen = login_citizen(client, sms, ELDER)
    assert client.get(f"/api/v1/uploads/{scan}", headers=citizen["headers"]).status_code == 200
    assert client.get(f"/api/v1/uploads/{scan}", headers=login_staff(client, "reviewer-rsj")["headers"]).status_code == 200
    assert_error(client.get(f"/api/v1/uploads/{scan}", headers=login_staff(client, "reviewer-gjj")["headers"]),
                 404, "not_found")
    stranger = login_citizen(client, sms, "13800138000")
    assert_error(client.get(f"/api/v1/uploads/{scan}", headers=stranger["headers"]), 404, "not_found")
    # A citizen's own file a clerk may not borrow for another citizen's case.
    own = upload(client, stranger["headers"])
    other, other_code = _start(client, sms, clerk, item_code="RSJ-YLJ-001")
    other_base = f"/api/v1/hall/assisted-applications/{other['id']}"
    assert client.post(f"{other_base}/confirm", headers=clerk, json={"code": other_code}).status_code == 200
    assert_error(client.put(f"{other_base}/materials/ID_CARD", headers=clerk, json={"upload_ids": [own]}),
                 422, "upload_not_acceptable")


def test_a_citizens_phone_gets_at_most_five_consent_codes_an_hour(client, sms, clock):
    clerk = login_staff(client, "clerk")["headers"]
    draft, _ = _start(client, sms, clerk)
    base = f"/api/v1/hall/assisted-applications/{draft['id']}"
    for _ in range(4):
        assert client.post(f"{base}/consent-code", headers=clerk, json={}).status_code == 200
    refused = client.post(f"{base}/consent-code", headers=clerk, json={})
    assert_error(refused, 429, "too_many_requests")
    assert refused.headers["Retry-After"] == "3600"
    other = login_staff(client, "clerk-dh")["headers"]
    assert_error(client.post("/api/v1/hall/assisted-applications", headers=other,
                             json={"citizen_phone": ELDER, "item_code": "RSJ-YLJ-001"}), 429, "too_many_requests")
    clock.advance(hours=1, minutes=1)
    assert client.post(f"{base}/consent-code", headers=clerk, json={}).status_code == 200
