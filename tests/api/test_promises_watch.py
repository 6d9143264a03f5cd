"""Promises kept after the fact: complaints answered back and passed on (转办), rectifications owned by
the department a rating is about, late ones alerting, red cases escalating (督办), licenses revoked."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.services.accounts import create_staff
from models.application import Application, Event
from models.calendar import WorkCalendar
from tests.api.test_promises_pledges import morning, run_worker, templates
from tests.factories import hall_id, submitted_and_accepted
from tests.helpers import assert_error, login_citizen, login_staff

CAL = WorkCalendar()


def _staff(client, username: str) -> dict:
    return login_staff(client, username)["headers"]


def test_a_complaint_is_passed_on_answered_late_alerted_and_read_back(client, sms, app, clock, today):
    citizen = login_citizen(client, sms)["headers"]
    made = client.post("/api/v1/complaints", headers=citizen,
                       json={"content": "公积金提取要求的材料和指南不一致", "item_code": "GJJ-TQ-001"})
    assert made.status_code == 201
    cid = made.json["id"]
    mine = client.get("/api/v1/complaints", headers=citizen)
    assert mine.status_code == 200 and [c["id"] for c in mine.json] == [cid] and mine.json[0]["response"] is None
    stranger = login_citizen(client, sms, "13700137000")["headers"]
    assert client.get("/api/v1/complaints", headers=stranger).json == []
    assert_error(client.get(f"/api/v1/complaints/{cid}", headers=stranger), 404, "not_found")

    supervisor = _staff(client, "supervisor")
    gjj, rsj = _staff(client, "reviewer-gjj"), _staff(client, "reviewer-rsj")
    assert client.get("/api/v1/supervision/complaints", headers=gjj).json == []
    assert_error(client.post(f"/api/v1/supervision/complaints/{cid}/assign", headers=supervisor,
                             json={"department_code": "NOPE"}), 422, "unknown_reference")
    assigned = client.post(f"/api/v1/supervision/complaints/{cid}/assign", headers=supervisor,
                           json={"department_code": "GJJ"})
    assert assigned.status_code == 200 and assigned.json["department_id"] is not None
    assert [c["id"] for c in client.get("/api/v1/supervision/complaints", headers=gjj).json] == [cid]
    assert [a["kind"] for a in client.get("/api/v1/alerts", headers=gjj).json] == ["complaint"]
    assert_error(client.post(f"/api/v1/supervision/complaints/{cid}/respond", headers=rsj,
                             json={"response": "不归我们管"}), 404, "not_found")

    # Past its due date the complaint turns red and the department is alerted, once.
    # (the next working day: a weekend after a Friday due date is not yet late)
    clock.set(morning(WorkCalendar().add_working_days(date.fromisoformat(made.json["due_on"]), 1)))
    run_worker(app)
    run_worker(app)
    assert client.get(f"/api/v1/complaints/{cid}", headers=citizen).json["light"] == "red"
    assert [a["kind"] for a in client.get("/api/v1/alerts", headers=gjj).json] == ["complaint", "complaint"]
    assert client.get("/api/v1/supervision/stats", headers=supervisor).json["complaints_overdue"] == 1

    answered = client.post(f"/api/v1/supervision/complaints/{cid}/respond", headers=gjj,
                           json={"response": "已统一材料清单，指南已更新"})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    run_worker(app)
    assert "complaint_answered" in templates(sms)
    back = client.get(f"/api/v1/complaints/{cid}", headers=citizen).json
    assert back["status"] == "answered" and back["response"] == "已统一材料清单，指南已更新"
    # Answered late still counts as late.
    assert client.get("/api/v1/supervision/stats", headers=supervisor).json["complaints_overdue"] == 1
    assert_error(client.post(f"/api/v1/supervision/complaints/{cid}/assign", headers=supervisor,
                             json={"department_code": "RSJ"}), 409, "invalid_transition")


def _decided(client, sms, refuse: str | None = None):
    """A retirement case every department decided; `refuse` names the reviewer who refuses."""
    citizen, application, clerk = submitted_and_accepted(client, sms)
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = _staff(client, reviewer)
        sub = client.get("/api/v1/department/subcases?status=pending", headers=headers).json[0]
        if reviewer == refuse:
            client.post(f"/api/v1/department/subcases/{sub['id']}/reject", headers=headers, json={"reason": "账户有误"})
        else:
            client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers, json={})
    return citizen, application, clerk


def test_a_bad_rating_about_a_refusal_goes_to_that_department_and_alerts_when_late(client, sms, app, clock, today):
    citizen, application, clerk = _decided(client, sms, refuse="reviewer-gjj")
    rated = client.post(f"/api/v1/applications/{application['id']}/evaluation", headers=citizen["headers"],
                        json={"score": 1, "comment": "公积金不给提"})
    assert rated.status_code == 201
    gjj = _staff(client, "reviewer-gjj")
    rects = client.get("/api/v1/supervision/rectifications", headers=gjj).json
    assert len(rects) == 1 and rects[0]["department_id"] is not None and rects[0]["hall_id"] is None
    assert client.get("/api/v1/supervision/rectifications", headers=clerk["headers"]).json == []

    clock.set(morning(date.fromisoformat(rects[0]["first_contact_due"]) + timedelta(days=1)))
    run_worker(app)
    run_worker(app)
    late = [a for a in client.get("/api/v1/alerts", headers=gjj).json if a["kind"] == "rectification"]
    assert [a["rectification_id"] for a in late] == [rects[0]["id"]] and "首次联系" in late[0]["message"]
    assert client.get("/api/v1/supervision/rectifications", headers=gjj).json[0]["light"] == "red"


def test_a_rating_names_the_item_it_is_about(client, sms):
    citizen, application, clerk = _decided(client, sms)
    url = f"/api/v1/applications/{application['id']}/evaluation"
    assert_error(client.post(url, headers=citizen["headers"], json={"score": 2, "about_item": "NOPE"}),
                 422, "unknown_reference")
    assert client.post(url, headers=citizen["headers"], json={"score": 2, "about_item": "YBJ-DYBG-001"}).status_code == 201
    assert len(client.get("/api/v1/supervision/rectifications", headers=_staff(client, "reviewer-ybj")).json) == 1
    assert client.get("/api/v1/supervision/rectifications", headers=clerk["headers"]).json == []


def test_a_red_case_escalates_to_the_parent_region_and_is_urged(client, sms, app, clock, db_session, today,
                                                                passwords):
    create_staff(session=db_session, passwords=passwords, username="city-sup", password="Super#2026", role="supervisor",
                 region_code="330800")
    city = client.post("/api/v1/auth/staff-tokens", json={"username": "city-sup", "password": "Super#2026"}).json
    city = {"Authorization": f"Bearer {city['access_token']}"}
    citizen, application, clerk = submitted_and_accepted(client, sms)
    county = _staff(client, "supervisor")
    app_id = application["id"]
    assert_error(client.post(f"/api/v1/supervision/warnings/{app_id}/urge", headers=county,
                             json={"note": "请抓紧"}), 409, "invalid_transition")  # green: nothing to urge

    promised = db_session.get(Application, app_id).promised_date
    red_day = CAL.add_working_days(promised, 1)
    clock.set(morning(red_day))
    run_worker(app)
    assert any(w["id"] == app_id and w["light"] == "red" for w in
               client.get("/api/v1/supervision/warnings", headers=county).json)
    assert client.get("/api/v1/supervision/warnings", headers=city).json == []  # the county's to fix first

    clock.set(morning(CAL.add_working_days(red_day, 2)))  # red for 2 working days: not yet
    assert "0 escalated" in run_worker(app)
    clock.set(morning(CAL.add_working_days(red_day, 3)))
    assert "1 escalated" in run_worker(app)
    up = client.get("/api/v1/supervision/warnings?escalated=true", headers=city).json
    assert {w["id"] for w in up} == {app_id} and all(w["escalated_to"] == "330800" for w in up)
    assert client.get("/api/v1/supervision/stats", headers=county).json["escalations"] == 1
    assert [a["kind"] for a in client.get("/api/v1/alerts", headers=clerk["headers"]).json].count("escalation") == 1
    assert "1 escalated" not in run_worker(app)  # once

    urged = client.post(f"/api/v1/supervision/warnings/{app_id}/urge", headers=city, json={"note": "市跑改办督办"})
    assert urged.status_code == 200, urged.json
    assert urged.json["notices"] == 4 and len(urged.json["department_ids"]) == 3  # the hall and three late parts
    assert [a["kind"] for a in client.get("/api/v1/alerts", headers=clerk["headers"]).json].count("urge") == 1
    assert any(a["kind"] == "urge" and "市跑改办督办" in a["message"]
               for a in client.get("/api/v1/alerts", headers=_staff(client, "reviewer-rsj")).json)
    recorded = db_session.scalars(select(Event).where(Event.application_id == app_id, Event.event == "urged")).all()
    assert [e.note for e in recorded] == ["市跑改办督办"]
    other = create_staff(session=db_session, passwords=passwords, username="other-sup", password="Super#2026",
                         role="supervisor", region_code="330802")
    assert other.id
    stranger = client.post("/api/v1/auth/staff-tokens", json={"username": "other-sup", "password": "Super#2026"}).json
    assert_error(client.post(f"/api/v1/supervision/warnings/{app_id}/urge", json={"note": "x"},
                             headers={"Authorization": f"Bearer {stranger['access_token']}"}), 404, "not_found")


def test_the_issuing_department_revokes_a_license(client, sms, app, clock, today):
    citizen, application, _ = submitted_and_accepted(client, sms, bundle_code="BIRTH")
    headers = citizen["headers"]
    # A draft that will use the certificate once it is issued (免提交).
    draft = client.post("/api/v1/applications", headers=headers,
                        json={"item_code": "YBJ-JMCB-001", "hall_id": hall_id(client)}).json
    health = _staff(client, "reviewer-wjj")
    sub = next(s for s in client.get("/api/v1/department/subcases", headers=health).json
               if s["item_code"] == "WJJ-CSZM-001")
    assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=health, json={}).status_code == 200
    cert = next(lic for lic in client.get("/api/v1/elicenses", headers=headers).json if lic["type"] == "BIRTH_CERT")
    filled = client.get(f"/api/v1/applications/{draft['id']}", headers=headers).json
    assert next(m for m in filled["materials"] if m["code"] == "BIRTH_CERT")["satisfied_by"] == "elicense"
    code = cert["verification_url"].rsplit("/", 1)[1]

    url = f"/api/v1/department/elicenses/{cert['id']}/revoke"
    assert_error(client.post(url, headers=_staff(client, "reviewer-gaj"), json={"reason": "x"}),
                 403, "not_issuing_department")
    assert_error(client.post(url, headers=headers, json={"reason": "x"}), 403, "forbidden")
    assert_error(client.post("/api/v1/department/elicenses/999999/revoke", headers=health, json={"reason": "x"}),
                 404, "not_found")
    revoked = client.post(url, headers=health, json={"reason": "出生信息登记错误，重新签发"})
    assert revoked.status_code == 200, revoked.json
    assert revoked.json["status"] == "revoked" and revoked.json["applications_affected"] == [draft["number"]]
    assert client.get(f"/api/v1/verify/{code}").json["status"] == "revoked"
    assert client.get(f"/api/v1/elicenses/{cert['id']}", headers=headers).json["status"] == "revoked"
    after = client.get(f"/api/v1/applications/{draft['id']}", headers=headers).json
    assert next(m for m in after["materials"] if m["code"] == "BIRTH_CERT")["satisfied_by"] is None
    assert after["materials_exempted"] == 0
    assert any("撤销" in t["message"] for t in
               client.get(f"/api/v1/applications/{draft['id']}/progress", headers=headers).json["timeline"])
    run_worker(app)
    assert "elicense_revoked" in templates(sms)
    assert_error(client.post(url, headers=health, json={"reason": "again"}), 409, "invalid_transition")
