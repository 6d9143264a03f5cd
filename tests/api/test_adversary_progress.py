"""Progress under attack (issue 12 rebuilt it for speed: a cheap stamp for 304, the document built in
few statements): the ETag moves with every change a phone should see and with the language, never
lets another citizen (or an agent whose authorisation ran out) reach a 304, and the 200 body keeps
its shape — the same keys, types and date formats on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from app.clock import SHANGHAI, local_date
from models.calendar import WorkCalendar
from tests.api.test_help_agents import _agent_application, _fill_and_submit
from tests.api.test_post import carrier_secret, completed_by_post, proof_photo, webhook  # noqa: F401
from tests.api.test_promises_pledges import approve_all, pledged_retirement
from tests.factories import upload
from tests.helpers import app_now, assert_error, login_citizen, login_staff

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Watch:
    """The phone: polls with the ETag it holds; each step must make the old ETag answer 200."""

    def __init__(self, client, headers, application_id):
        self.client, self.headers = client, headers
        self.url = f"/api/v1/applications/{application_id}/progress"
        self.etag = self.get().headers["ETag"]

    def get(self, **headers):
        answer = self.client.get(self.url, headers={**self.headers, **headers})
        assert answer.status_code in (200, 304), answer.json
        return answer

    def unchanged(self):
        assert self.get(**{"If-None-Match": self.etag}).status_code == 304

    def changed(self, step: str):
        answer = self.get(**{"If-None-Match": self.etag})
        assert answer.status_code == 200, f"{step}: the phone's ETag still answers 304"
        assert answer.headers["ETag"] != self.etag, step
        self.etag = answer.headers["ETag"]
        self.unchanged()
        return answer.json


def test_etag_moves_with_every_step_of_a_pledged_case(client, sms, clock, today):
    headers, clerk, app_id, _ = pledged_retirement(client, sms, today)
    phone = Watch(client, headers, app_id)
    phone.unchanged()
    url = f"/api/v1/applications/{app_id}"

    assert client.post(f"/api/v1/hall/applications/{app_id}/visits", headers=clerk,
                       json={"purpose": "核验原件"}).status_code in (200, 201)
    assert phone.changed("a visit")["visit_count"] == 1

    gjj = login_staff(client, "reviewer-gjj")["headers"]
    sub = next(s for s in client.get("/api/v1/department/subcases", headers=gjj).json if s["application_id"] == app_id)
    asked = client.post(f"/api/v1/department/subcases/{sub['id']}/request-materials", headers=gjj,
                        json={"problems": [{"target": "BANK_CARD", "reason": "请提供一类银行卡"}]})
    assert asked.status_code == 200, asked.json
    assert phone.changed("a pause")["deadline"]["light"] == "paused"
    assert client.put(f"{url}/materials/BANK_CARD", headers=headers,
                      json={"upload_ids": [upload(client, headers)]}).status_code == 200
    assert client.post(f"{url}/supply", headers=headers).status_code == 200
    assert phone.changed("the pause ended")["deadline"]["light"] != "paused"

    assert client.put(f"{url}/materials/RETIRE_APPROVAL", headers=headers,
                      json={"upload_ids": [upload(client, headers)]}).status_code == 200
    phone.changed("the pledged material supplied")
    checked = client.post(f"{url.replace('/applications/', '/hall/applications/')}/materials/RETIRE_APPROVAL/check",
                          headers=clerk, json={"ok": True})
    assert checked.status_code == 200, checked.json
    phone.changed("the commitment checked")

    admin = login_staff(client, "admin")["headers"]
    deadline = client.get(phone.url, headers=headers).json["deadline"]
    holiday = WorkCalendar().add_working_days(local_date(clock()), 1)
    assert client.put(f"/api/v1/admin/calendar/{holiday.isoformat()}", headers=admin,
                      json={"is_workday": False, "reason": "临时休假"}).status_code == 200
    moved = phone.changed("a holiday declared")["deadline"]
    assert moved["promised_date"] != deadline["promised_date"], (deadline, moved)
    assert client.delete(f"/api/v1/admin/calendar/{holiday.isoformat()}", headers=admin).status_code == 204
    assert phone.changed("the holiday withdrawn")["deadline"]["promised_date"] == deadline["promised_date"]

    english = phone.get(**{"If-None-Match": phone.etag, "Accept-Language": "en"})
    assert english.status_code == 200 and english.headers["ETag"] != phone.etag
    assert "Accept-Language" in english.headers.get("Vary", "")
    assert phone.get(**{"If-None-Match": english.headers["ETag"]}).status_code == 200  # zh-CN again

    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        rh = login_staff(client, reviewer)["headers"]
        sub = next(s for s in client.get("/api/v1/department/subcases", headers=rh).json
                   if s["application_id"] == app_id)
        assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=rh, json={}).status_code == 200
        phone.changed(f"{reviewer} approved")
    issued = client.post(f"/api/v1/hall/applications/{app_id}/issue", headers=clerk, json={"method": "window"})
    assert issued.status_code == 200, issued.json
    assert phone.changed("issued at the window")["status"] == "delivered"


def test_etag_moves_at_midnight_in_shanghai(client, sms, clock, today):
    headers, _, app_id, _ = pledged_retirement(client, sms, today)
    clock.set(datetime.combine(today, time(23, 59, 30), tzinfo=SHANGHAI))
    phone = Watch(client, headers, app_id)
    clock.set(datetime.combine(today, time(23, 59, 59), tzinfo=SHANGHAI))
    phone.unchanged()
    clock.set(datetime.combine(today + timedelta(days=1), time(0, 0, 1), tzinfo=SHANGHAI))
    phone.changed("the date crossed midnight in Shanghai")


def test_etag_moves_with_every_shipment_step(client, sms):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    phone = Watch(client, citizen["headers"], application["id"])
    assert client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"],
                       json={}).status_code == 200
    assert phone.changed("packed")["shipment"]["status"] == "packed"
    courier = login_staff(client, "courier")["headers"]
    assert client.post(f"/api/v1/courier/shipments/{shipment['id']}/pickup", headers=courier,
                       json={"tracking_number": "EMS1234567890"}).status_code == 200
    assert phone.changed("picked up")["shipment"]["status"] == "picked_up"
    moving = webhook(client, {"event_id": "e-1", "tracking_number": "EMS1234567890", "status": "in_transit",
                              "at": app_now().isoformat(), "detail": "衢州处理中心"})
    assert moving.status_code == 200 and moving.json["applied"] is True
    assert phone.changed("in transit (carrier webhook)")["shipment"]["status"] == "in_transit"
    delivered = client.post(f"/api/v1/courier/shipments/{shipment['id']}/deliver", headers=courier,
                            json={"recipient_name": "王建国", "proof_upload_id": proof_photo(client, courier)})
    assert delivered.status_code == 200, delivered.json
    assert phone.changed("delivered")["status"] == "delivered"


def test_no_304_for_another_citizen_or_an_expired_agent(client, sms, clock, today):
    parent, child, granted, application = _agent_application(client, sms, today, days=2)
    _fill_and_submit(client, child["headers"], application)
    url = f"/api/v1/applications/{application['id']}/progress"
    etag = client.get(url, headers=child["headers"]).headers["ETag"]
    assert client.get(url, headers={**child["headers"], "If-None-Match": etag}).status_code == 304
    stranger = login_citizen(client, sms, "13700137000")
    for lang in ("zh-CN", "en"):
        assert_error(client.get(url, headers={**stranger["headers"], "If-None-Match": etag, "Accept-Language": lang}),
                     404, "not_found")
    assert_error(client.get(url, headers={**stranger["headers"], "If-None-Match": "*"}), 404, "not_found")
    clock.advance(days=3)  # the authorisation ran out
    assert_error(client.get(url, headers={**child["headers"], "If-None-Match": etag}), 404, "not_found")
    assert client.get(url, headers={**parent["headers"], "If-None-Match": etag}).status_code == 200  # a new day
    staff = login_staff(client, "clerk")["headers"]
    assert_error(client.get(url, headers={**staff, "If-None-Match": etag}), 403, "forbidden")
    assert_error(client.get(url, headers={"If-None-Match": etag}), 401, "unauthorized")


def _check_shape(view: dict) -> None:
    """The contract's fields, their types and formats, null where nothing is known (never missing)."""
    assert {"number", "status", "stage", "next_action", "deadline", "subcases", "visits", "zero_trip", "shipment",
            "timeline"} <= set(view)
    assert isinstance(view["id"], int) and isinstance(view["number"], str) and isinstance(view["title"], str)
    assert isinstance(view["visit_count"], int) and isinstance(view["zero_trip"], bool)
    assert isinstance(view["at_most_one_trip"], bool)
    deadline = view["deadline"]
    assert set(deadline) >= {"promised_date", "remaining_working_days", "light", "paused"}
    assert DAY.match(deadline["promised_date"]) and isinstance(deadline["remaining_working_days"], int)
    assert isinstance(deadline["paused"], bool) and isinstance(deadline["promised_days"], int)
    assert isinstance(deadline["paused_working_days"], int)
    for sub in view["subcases"]:
        assert set(sub) == {"id", "item_code", "item_name", "department", "department_name", "status", "depends_on"}
        assert isinstance(sub["id"], int) and isinstance(sub["depends_on"], list)
    for visit in view["visits"]:
        assert set(visit) == {"at", "hall", "purpose"} and ISO_WITH_OFFSET.match(visit["at"]), visit
    for pause in view["pauses"]:
        assert set(pause) == {"reason", "started_at", "ended_at"} and ISO_WITH_OFFSET.match(pause["started_at"])
        assert pause["ended_at"] is None or ISO_WITH_OFFSET.match(pause["ended_at"]), pause
    for entry in view["timeline"]:
        assert set(entry) == {"at", "event", "message"} and ISO_WITH_OFFSET.match(entry["at"]), entry
    shipment = view["shipment"]
    assert shipment is None or (set(shipment) == {"id", "status", "carrier", "tracking_number"}
                                and isinstance(shipment["id"], int))


def test_progress_body_shape_and_formats(client, sms, today):
    """Run on SQLite and on PostgreSQL (TEST_DATABASE_URL): the same keys, types and formats."""
    headers, clerk, app_id, due = pledged_retirement(client, sms, today)
    client.post(f"/api/v1/hall/applications/{app_id}/visits", headers=clerk, json={"purpose": "核验原件"})
    gjj = login_staff(client, "reviewer-gjj")["headers"]
    sub = next(s for s in client.get("/api/v1/department/subcases", headers=gjj).json if s["application_id"] == app_id)
    client.post(f"/api/v1/department/subcases/{sub['id']}/request-materials", headers=gjj,
                json={"problems": [{"target": "BANK_CARD", "reason": "请提供一类银行卡"}]})
    url = f"/api/v1/applications/{app_id}/progress"
    view = client.get(url, headers=headers).json
    _check_shape(view)
    assert view["next_action"] == {"code": "supply_materials", "message": "部门要求补充材料，请补充后确认"}
    assert view["shipment"] is None and view["pauses"][0]["ended_at"] is None
    assert [v["purpose"] for v in view["visits"]] == ["核验原件"] and view["visit_count"] == 1
    assert view["zero_trip"] is False and view["at_most_one_trip"] is True
    assert [s["status"] for s in view["subcases"]].count("materials_requested") == 1
    stamps = [e["at"] for e in view["timeline"]]
    assert stamps == sorted(stamps, key=datetime.fromisoformat)  # oldest first
    english = client.get(url, headers={**headers, "Accept-Language": "en"}).json
    _check_shape(english)
    assert english["next_action"]["code"] == "supply_materials" and english["stage"] != view["stage"]
    assert {k: v for k, v in english.items() if k not in ("stage", "next_action", "timeline")} == \
        {k: v for k, v in view.items() if k not in ("stage", "next_action", "timeline")}


def test_progress_shape_with_a_shipment(client, sms):
    citizen, application, clerk, shipment = completed_by_post(client, sms)
    client.post(f"/api/v1/hall/shipments/{shipment['id']}/pack", headers=clerk["headers"], json={})
    view = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    _check_shape(view)
    assert view["shipment"] == {"id": shipment["id"], "status": "packed", "carrier": "中国邮政 EMS"
                                if view["shipment"]["carrier"] == "中国邮政 EMS" else view["shipment"]["carrier"],
                                "tracking_number": None}
    assert isinstance(view["shipment"]["carrier"], str)
    assert view["next_action"] is None and view["zero_trip"] is True and view["visits"] == []
