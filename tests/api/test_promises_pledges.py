"""Promises kept at the window: 容缺 followed through its due date, the form prefilled once typed,
and papers the government's own data proves never asked for (issue 14)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import update

from app.clock import SHANGHAI
from app.crypto import mask_id_number
from app.services.demo_people import LI, SUN
from models.calendar import WorkCalendar
from models.application import Application
from models.citizen import Citizen
from tests.factories import RETIRE_FORM, hall_id, upload, verified_citizen
from tests.fakes import FakeDataSource
from tests.helpers import assert_error, login_citizen, login_staff

CAL = WorkCalendar()


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=SHANGHAI)


def run_worker(app) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def templates(sms, phone: str = "13800138000") -> list[str]:
    return [m["template"] for m in sms.sent if m["phone"] == phone]


def pledged_retirement(client, sms, today: date):
    """退休一件事 with the approval form pledged (容缺), accepted with a due date 4 working days on."""
    citizen = verified_citizen(client, sms)  # 实名: a case is decided only on a verified applicant
    headers = citizen["headers"]
    created = client.post("/api/v1/applications", headers=headers,
                          json={"bundle_code": "RETIRE", "hall_id": hall_id(client)}).json
    url = f"/api/v1/applications/{created['id']}"
    form = {**RETIRE_FORM, "applicant_name": citizen["profile"]["name"],
            "applicant_id_number": citizen["profile"]["id_number"]}
    assert client.patch(url, headers=headers, json={"form": form}).status_code == 200
    scan = upload(client, headers)
    for code in ("ID_CARD", "BANK_CARD"):
        assert client.put(f"{url}/materials/{code}", headers=headers, json={"upload_ids": [scan]}).status_code == 200
    pledged = client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers, json={"commitment": True})
    assert pledged.status_code == 200, pledged.json
    assert client.put(f"{url}/delivery", headers=headers, json={"method": "window"}).status_code == 200
    assert client.post(f"{url}/submit", headers=headers).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    due = CAL.add_working_days(today, 4)
    accepted = client.post(f"/api/v1/hall/applications/{created['id']}/accept", headers=clerk,
                           json={"commitment_due": due.isoformat()})
    assert accepted.status_code == 200, accepted.json
    material = next(m for m in accepted.json["materials"] if m["code"] == "RETIRE_APPROVAL")
    assert material["commitment_state"] == "pending" and accepted.json["commitment_due"] == due.isoformat()
    return headers, clerk, created["id"], due


def approve_all(client, application_id: int) -> None:
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = login_staff(client, reviewer)["headers"]
        sub = next(s for s in client.get("/api/v1/department/subcases", headers=headers).json
                   if s["application_id"] == application_id)
        assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers,
                           json={}).status_code == 200


def test_a_pledge_is_reminded_turns_overdue_alerts_and_blocks_the_result(client, sms, app, clock, today):
    headers, clerk, app_id, due = pledged_retirement(client, sms, today)
    url = f"/api/v1/applications/{app_id}"
    run_worker(app)
    assert "commitment_reminder" not in templates(sms)  # 4 working days left: too early

    clock.set(morning(CAL.add_working_days(today, 1)))  # 3 working days before the due date
    run_worker(app)
    assert templates(sms).count("commitment_reminder") == 1
    run_worker(app)
    assert templates(sms).count("commitment_reminder") == 1  # once

    clock.set(morning(due))
    run_worker(app)
    assert templates(sms).count("commitment_due_today") == 1
    progress = client.get(f"{url}/progress", headers=headers).json
    assert progress["next_action"]["code"] == "deliver_committed_materials"

    supervisor = login_staff(client, "supervisor")["headers"]
    assert not [w for w in client.get("/api/v1/supervision/warnings", headers=supervisor).json
                if w["kind"] == "commitment"]
    clock.set(morning(due + timedelta(days=1)))
    output = run_worker(app)
    assert "1 pledges overdue" in output and "commitment_overdue" in templates(sms)
    material = next(m for m in client.get(url, headers=headers).json["materials"] if m["code"] == "RETIRE_APPROVAL")
    assert material["commitment_state"] == "overdue"
    warned = [w for w in client.get("/api/v1/supervision/warnings", headers=supervisor).json if w["kind"] == "commitment"]
    assert [(w["application_id"], w["light"], w["due"]) for w in warned] == [(app_id, "red", due.isoformat())]
    alerts = client.get("/api/v1/alerts", headers=clerk).json
    assert [a["kind"] for a in alerts if a["application_id"] == app_id].count("commitment") == 1
    assert _stats(client, supervisor)["commitments_overdue"] == 1

    # The departments finish; the result waits for the pledge.
    approve_all(client, app_id)
    assert client.get(url, headers=headers).json["status"] == "completed"
    body = assert_error(client.post(f"/api/v1/hall/applications/{app_id}/issue", headers=clerk,
                                    json={"method": "window"}), 409, "commitment_outstanding")
    assert body["errors"]["materials"][0]["code"] == "RETIRE_APPROVAL"
    assert_error(client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers, json={"commitment": True}),
                 409, "invalid_transition")  # a pledge is kept, not made again
    check_url = f"/api/v1/hall/applications/{app_id}/materials/RETIRE_APPROVAL/check"
    assert_error(client.post(check_url, headers=clerk, json={"ok": True}), 409, "invalid_transition")

    # Supplied late, sent back once with the reason, supplied again, checked: handed over.
    supplied = client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers, json={"upload_ids": [upload(client, headers)]})
    assert supplied.status_code == 200, supplied.json
    assert next(m for m in supplied.json["materials"] if m["code"] == "RETIRE_APPROVAL")["commitment_state"] == "supplied"
    assert_error(client.post(check_url, headers=clerk, json={"ok": False}), 422, "validation_failed")
    refused = client.post(check_url, headers=clerk, json={"ok": False, "reason": "缺少单位盖章"})
    assert refused.status_code == 200, refused.json
    sent_back = next(m for m in refused.json["materials"] if m["code"] == "RETIRE_APPROVAL")
    assert sent_back["commitment_state"] == "overdue" and sent_back["check_note"] == "缺少单位盖章"
    run_worker(app)
    assert "commitment_rejected" in templates(sms)
    assert_error(client.post(f"/api/v1/hall/applications/{app_id}/issue", headers=clerk, json={"method": "window"}),
                 409, "commitment_outstanding")
    assert client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers,
                      json={"upload_ids": [upload(client, headers)]}).status_code == 200
    checked = client.post(check_url, headers=clerk, json={"ok": True})
    assert next(m for m in checked.json["materials"] if m["code"] == "RETIRE_APPROVAL")["commitment_state"] == "checked"
    issued = client.post(f"/api/v1/hall/applications/{app_id}/issue", headers=clerk, json={"method": "window"})
    assert issued.status_code == 200 and issued.json["status"] == "delivered"
    # Nothing is owed any more: the warning is gone, the broken promise stays counted.
    assert not [w for w in client.get("/api/v1/supervision/warnings", headers=supervisor).json if w["kind"] == "commitment"]
    assert _stats(client, supervisor)["commitments_overdue"] == 1


def _stats(client, headers) -> dict:
    answer = client.get("/api/v1/supervision/stats", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_checks_need_the_clerks_region_and_a_known_material(client, sms, today):
    headers, clerk, app_id, _ = pledged_retirement(client, sms, today)
    assert_error(client.post(f"/api/v1/hall/applications/{app_id}/materials/NOPE/check", headers=clerk,
                             json={"ok": True}), 422, "unknown_reference")
    assert_error(client.post(f"/api/v1/hall/applications/{app_id}/materials/ID_CARD/check", headers=clerk,
                             json={"ok": True}), 409, "invalid_transition")  # never pledged
    assert_error(client.post(f"/api/v1/hall/applications/{app_id}/materials/RETIRE_APPROVAL/check",
                             headers=headers, json={"ok": True}), 403, "forbidden")


def _li(client, sms, phone="13900139000") -> dict:
    """李秀英 of the demo data source (married, insured), with her profile filled in."""
    citizen = login_citizen(client, sms, phone)
    me = client.patch("/api/v1/me", headers=citizen["headers"], json={"name": "李秀英", "id_number": LI})
    assert me.status_code == 200, me.json
    return citizen["headers"]


def test_prefill_from_the_profile_and_earlier_applications_and_flag_a_different_id(client, sms, db_session):
    headers = _li(client, sms)
    first = client.post("/api/v1/applications", headers=headers,
                        json={"bundle_code": "RETIRE", "hall_id": hall_id(client)}).json
    assert first["form_sources"] == {"applicant_name": "profile", "applicant_id_number": "profile",
                                     "contact_phone": "profile"}
    # The citizen's view masks them (API.md Conventions); the stored form holds them whole.
    assert first["form"]["applicant_id_number"] == mask_id_number(LI) and first["form"]["contact_phone"] == "139****9000"
    stored = db_session.get(Application, first["id"]).form
    assert stored["applicant_id_number"] == LI and stored["contact_phone"] == "13900139000"
    url = f"/api/v1/applications/{first['id']}"
    assert client.patch(url, headers=headers, json={"form": {"retire_date": "2026-04-12",
                                                             "bank_account": "6217001540000000009"}}).status_code == 200
    # The next application takes the account number typed before, and says where it came from.
    second = client.post("/api/v1/applications", headers=headers, json={"item_code": "GJJ-ZFTQ-001"}).json
    assert second["form"]["bank_account"] == "6217001540000000009"
    assert second["form_sources"]["bank_account"] == f"application:{first['number']}"
    assert second["form_sources"]["applicant_name"] == "profile"
    # What the citizen types wins, and is theirs from then on.
    mine = client.post("/api/v1/applications", headers=headers,
                       json={"item_code": "GJJ-ZFTQ-001", "form": {"bank_account": "6222000000000000001"}}).json
    assert mine["form"]["bank_account"] == "6222000000000000001" and "bank_account" not in mine["form_sources"]
    retyped = client.patch(url, headers=headers, json={"form": {"contact_phone": "13700137000"}}).json
    assert "contact_phone" not in retyped["form_sources"] and "applicant_name" in retyped["form_sources"]

    # A verified profile: an applicant ID number that differs is flagged for the clerk.
    db_session.execute(update(Citizen).where(Citizen.phone.like("%13900139000")).values(real_name_verified=True))
    db_session.commit()
    other = "330825196603150011"
    assert client.patch(url, headers=headers, json={"form": {"applicant_id_number": other}}).status_code == 200
    pledge = client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers, json={"commitment": True})
    assert pledge.status_code == 200, pledge.json
    client.put(f"{url}/delivery", headers=headers, json={"method": "window"})
    # 实名 (rules branch): a field naming the applicant that differs from the verified profile is refused.
    body = assert_error(client.post(f"{url}/submit", headers=headers), 422, "applicant_mismatch")
    assert set(body["errors"]["form"]) == {"applicant_id_number"}


def test_proof_from_data_fills_materials_and_falls_back_with_the_reason(client, sms, app, monkeypatch):
    anonymous = login_citizen(client, sms)["headers"]
    plain = client.post("/api/v1/applications", headers=anonymous, json={"bundle_code": "RETIRE"}).json
    id_card = next(m for m in plain["materials"] if m["code"] == "ID_CARD")
    assert id_card["satisfied_by"] is None and id_card["data_check"] == "population" and "身份证号" in id_card["data_note"]

    headers = _li(client, sms)
    created = client.post("/api/v1/applications", headers=headers, json={"bundle_code": "RETIRE"}).json
    by_code = {m["code"]: m for m in created["materials"]}
    # 一证通办: the ID card and the pension account come from the data; only the approval form is asked.
    assert by_code["ID_CARD"]["satisfied_by"] == "data" and by_code["BANK_CARD"]["satisfied_by"] == "data"
    assert by_code["RETIRE_APPROVAL"]["satisfied_by"] is None and created["materials_exempted"] == 2
    url = f"/api/v1/applications/{created['id']}"
    assert client.put(f"{url}/delivery", headers=headers,
                      json={"method": "window", "pickup_hall_id": hall_id(client)}).status_code == 200
    assert client.patch(url, headers=headers, json={"form": {"retire_date": "2026-04-12",
                                                             "bank_account": "6217001540000000009"}}).status_code == 200
    assert client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers,
                      json={"upload_ids": [upload(client, headers)]}).status_code == 200

    # At submission the data is asked again; the source being down asks for the papers, saying why.
    down = FakeDataSource(down=True)
    monkeypatch.setattr(app.extensions["onetrip"], "data_source", down)
    body = assert_error(client.post(f"{url}/submit", headers=headers), 422, "materials_missing")
    missing = {m["code"]: m for m in body["errors"]["materials"]}
    assert set(missing) == {"ID_CARD", "BANK_CARD"} and "暂时无法查询" in missing["ID_CARD"]["reason"]
    assert client.get(url, headers=headers).json["materials_exempted"] == 0
    # A source that knows her but says she is not insured proves the ID card, not the account.
    source = FakeDataSource()
    source.put("population", LI, {"name": "李秀英", "gender": "女", "birth_date": "1968-09-07"})
    source.put("social_insurance", LI, {"insured": False, "region_code": "330825", "since": None})
    monkeypatch.setattr(app.extensions["onetrip"], "data_source", source)
    body = assert_error(client.post(f"{url}/submit", headers=headers), 422, "materials_missing")
    assert [(m["code"], "参保" in m["reason"]) for m in body["errors"]["materials"]] == [("BANK_CARD", True)]
    assert ("social_insurance", LI) in source.asked
    # The name in the population records must be hers: someone else's ID proves nothing.
    source.put("population", LI, {"name": "别人", "gender": "女", "birth_date": "1968-09-07"})
    body = assert_error(client.post(f"{url}/submit", headers=headers), 422, "materials_missing")
    assert {m["code"] for m in body["errors"]["materials"]} == {"ID_CARD", "BANK_CARD"}
    # An upload is always accepted instead.
    assert client.put(f"{url}/materials/ID_CARD", headers=headers,
                      json={"upload_ids": [upload(client, headers)]}).status_code == 200
    assert client.put(f"{url}/materials/BANK_CARD", headers=headers,
                      json={"upload_ids": [upload(client, headers)]}).status_code == 200
    submitted = client.post(f"{url}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    assert {m["code"]: m["satisfied_by"] for m in submitted.json["materials"]} == {
        "ID_CARD": "upload", "BANK_CARD": "upload", "RETIRE_APPROVAL": "upload"}


def test_new_parents_bring_no_household_register_nor_marriage_certificate(client, sms):
    """The embedded data source (seed-demo's people) proves 婚姻 for 孙丽 in 新生儿出生一件事, and 户籍
    and her ID card when she renews it."""
    citizen = login_citizen(client, sms, "13600136000")["headers"]
    assert client.patch("/api/v1/me", headers=citizen, json={"name": "孙丽", "id_number": SUN}).status_code == 200
    birth = client.post("/api/v1/applications", headers=citizen, json={"bundle_code": "BIRTH"}).json
    by_code = {m["code"]: m["satisfied_by"] for m in birth["materials"]}
    # the parents' 户口簿 出生登记 adds the baby to is asked too (rules branch), and proven from data
    assert by_code["MARRIAGE_CERT"] == "data" and by_code["HUKOU"] == "data" and by_code["PARENTS_ID"] is None
    assert birth["materials_exempted"] == 2
    renewal = client.post("/api/v1/applications", headers=citizen, json={"item_code": "GAJ-SFZ-001"})
    assert renewal.status_code == 201, renewal.json
    assert {m["code"]: m["satisfied_by"] for m in renewal.json["materials"]} == {"ID_CARD": "data", "HUKOU": "data"}
