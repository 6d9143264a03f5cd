"""Everyone's data, guarded (API.md v1.1): what clerks see, what citizens' views show, who checks
whose e-license."""
from __future__ import annotations

import pytest

from tests.factories import BIRTH_FORM, hall_id, issued_certificate, ready_application, upload
from tests.helpers import assert_error, login_citizen, login_staff


@pytest.fixture
def foreign_clerk(client) -> dict:
    """A clerk of another county (the demo's 柯城区, 330802)."""
    return login_staff(client, "clerk-kc")["headers"]


def _submit_item_using_wallet(client, headers, item_code: str) -> dict:
    created = client.post("/api/v1/applications", headers=headers,
                          json={"item_code": item_code, "hall_id": hall_id(client)}).json
    spec = {f["name"] for f in created["form_spec"]}
    url = f"/api/v1/applications/{created['id']}"
    assert client.patch(url, headers=headers, json={"form": {k: v for k, v in BIRTH_FORM.items()
                                                             if k in spec}}).status_code == 200
    for material in created["materials"]:
        if material["satisfied_by"] is None:
            client.put(f"{url}/materials/{material['code']}", headers=headers, json={"upload_ids": [upload(client, headers)]})
    assert client.put(f"{url}/delivery", headers=headers, json={"method": "window"}).status_code == 200
    submitted = client.post(f"{url}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    return created


def test_a_clerk_of_another_region_cannot_read_or_verify_a_wallet(client, sms, foreign_clerk):
    """Finding 1: any clerk of any region read any wallet, with the secret verification code."""
    citizen, _, cert = issued_certificate(client, sms)
    assert_error(client.post(f"/api/v1/hall/elicenses/{cert['id']}/verify", headers=foreign_clerk), 404, "not_found")
    # Even a clerk of the holder's own region gets 404 unless an application they handle uses it ...
    clerk = login_staff(client, "clerk")["headers"]
    other = login_citizen(client, sms, "13900139000")["headers"]
    lic = client.post("/api/v1/elicenses", headers=other, json={
        "type": "ID_CARD", "number": "X1", "holder_name": "张三", "issued_on": "2020-01-01",
        "valid_until": "2040-01-01", "upload_ids": [upload(client, other, purpose="elicense")]}).json
    assert_error(client.post(f"/api/v1/hall/elicenses/{lic['id']}/verify", headers=clerk), 404, "not_found")
    # ... and never the code: the holder's own view keeps it.
    assert_error(client.post(f"/api/v1/hall/elicenses/{cert['id']}/verify", headers=clerk), 404, "not_found")
    _submit_item_using_wallet(client, citizen["headers"], "YBJ-JMCB-001")
    answer = client.post(f"/api/v1/hall/elicenses/{cert['id']}/verify", headers=clerk)
    assert answer.status_code == 200, answer.json
    assert answer.json["verification_url"] is None
    code = cert["verification_url"].rsplit("/", 1)[1]
    assert code not in answer.get_data(as_text=True)


def test_a_license_is_verified_for_the_application_that_uses_it(client, sms):
    citizen, application = ready_application(client, sms)
    headers = citizen["headers"]
    lic = client.post("/api/v1/elicenses", headers=headers, json={
        "type": "ID_CARD", "number": "X1", "holder_name": "王建国", "issued_on": "2020-01-01",
        "valid_until": "2040-01-01", "upload_ids": [upload(client, headers, purpose="elicense")]}).json
    clerk = login_staff(client, "clerk")["headers"]
    url = f"/api/v1/hall/elicenses/{lic['id']}/verify"
    assert_error(client.post(url, headers=clerk), 404, "not_found")  # only a draft asks for it
    assert client.post(f"/api/v1/applications/{application['id']}/submit", headers=headers).status_code == 200
    assert client.post(url, headers=clerk).json["verified"] is True


def test_clerks_never_see_drafts_or_cases_withdrawn_before_submission(client, sms):
    """Finding 3: drafts were listed with ID numbers and phones, readable, and took visits."""
    citizen, draft = ready_application(client, sms)
    withdrawn = client.post("/api/v1/applications", headers=citizen["headers"], json={"bundle_code": "RETIRE"}).json
    assert client.post(f"/api/v1/applications/{withdrawn['id']}/withdraw",
                       headers=citizen["headers"]).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    for status in ("draft", "withdrawn"):
        listed = client.get(f"/api/v1/hall/applications?status={status}", headers=clerk)
        assert listed.status_code == 200 and listed.json == []
    for case in (draft, withdrawn):
        assert_error(client.get(f"/api/v1/hall/applications/{case['id']}", headers=clerk), 404, "not_found")
        assert_error(client.post(f"/api/v1/hall/applications/{case['id']}/visits", headers=clerk,
                                 json={"purpose": "咨询"}), 404, "not_found")
    progress = client.get(f"/api/v1/applications/{draft['id']}/progress", headers=citizen["headers"]).json
    assert progress["zero_trip"] is True and progress["visit_count"] == 0
    # The uploads of a draft are not the clerk's to read either.
    file_id = draft["materials"][0]["upload_ids"] or client.get(
        f"/api/v1/applications/{draft['id']}", headers=citizen["headers"]).json["materials"][0]["upload_ids"]
    assert_error(client.get(f"/api/v1/uploads/{file_id[0]}", headers=clerk), 404, "not_found")
    # Once submitted, the clerk sees it.
    assert client.post(f"/api/v1/applications/{draft['id']}/submit", headers=citizen["headers"]).status_code == 200
    assert client.get(f"/api/v1/hall/applications/{draft['id']}", headers=clerk).status_code == 200
    assert client.get(f"/api/v1/uploads/{file_id[0]}", headers=clerk).status_code == 200


def test_citizen_views_mask_id_numbers_and_phones(client, sms):
    """Finding 4: the citizen's views returned form ID numbers and phones whole."""
    citizen, application = ready_application(client, sms, bundle_code="BIRTH", delivery="post")
    headers = citizen["headers"]
    url = f"/api/v1/applications/{application['id']}"
    for body in (client.get(url, headers=headers).json, client.get("/api/v1/applications", headers=headers).json[0]):
        assert body["form"]["father_id_number"] == "3308**********0015"
        assert body["form"]["mother_id_number"] == "1101**********002X"
        assert body["form"]["contact_phone"] == "138****8000"
        assert body["delivery_address"]["phone"] == "138****8000"
        assert body["form"]["baby_name"] == "王小宝"
    # Sending the form back as shown keeps what was saved; the clerk sees it whole.
    shown = client.get(url, headers=headers).json["form"]
    patched = client.patch(url, headers=headers, json={"form": {**shown, "baby_name": "王小宝宝"}})
    assert patched.status_code == 200, patched.json
    assert client.post(url + "/submit", headers=headers).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    seen = client.get(f"/api/v1/hall/applications/{application['id']}", headers=clerk).json
    assert seen["form"]["father_id_number"] == BIRTH_FORM["father_id_number"]
    assert seen["form"]["contact_phone"] == "13800138000" and seen["form"]["baby_name"] == "王小宝宝"
    assert seen["delivery_address"]["phone"] == "13800138000"
