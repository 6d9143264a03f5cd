"""就近办 over HTTP: a village point accepts only what its level may, forwards the rest
(前台受理、后台办理) with the citizen told, and the result comes back to the pickup hall chosen —
which alone hands it over at its window."""
from __future__ import annotations

from sqlalchemy import select

from models.notification import Notification
from tests.corpus import pdf
from tests.factories import RETIRE_FORM, hall_id, upload, verified_citizen
from tests.helpers import assert_error, login_citizen, login_staff

VILLAGER = "13800138001"


def submitted_at(client, sms, item_code: str, hall_code: str, phone: str = VILLAGER, form: dict = RETIRE_FORM,
                 **extra) -> tuple[dict, dict]:
    """A real-name verified citizen's application for one item lodged at a hall, filled in (naming
    them) and submitted."""
    citizen = verified_citizen(client, sms, phone)
    form = {**form, "applicant_name": citizen["profile"]["name"], "applicant_id_number": citizen["profile"]["id_number"]}
    headers = citizen["headers"]
    created = client.post("/api/v1/applications", headers=headers,
                          json={"item_code": item_code, "hall_id": hall_id(client, hall_code), **extra})
    assert created.status_code == 201, created.json
    application = created.json
    url = f"/api/v1/applications/{application['id']}"
    spec = {f["name"] for f in application["form_spec"]}
    assert client.patch(url, headers=headers, json={"form": {k: v for k, v in form.items() if k in spec}}
                        ).status_code == 200
    scan, document = upload(client, headers), upload(client, headers, pdf(), "articles.pdf")
    for material in application["materials"]:
        file_id = scan if "jpg" in material["formats"] else document
        assert client.put(f"{url}/materials/{material['code']}", headers=headers,
                          json={"upload_ids": [file_id]}).status_code == 200
    assert client.put(f"{url}/delivery", headers=headers, json={"method": "window"}).status_code == 200
    assert client.post(f"{url}/submit", headers=headers).status_code == 200
    return citizen, application


def _decide_all(client, reviewer: str, application_id: int) -> None:
    headers = login_staff(client, reviewer)["headers"]
    mine = [s for s in client.get("/api/v1/department/subcases", headers=headers).json
            if s["application_id"] == application_id]
    assert mine, "the department has the sub-case"
    for sub in mine:
        assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers, json={}).status_code == 200


def test_village_point_forwards_and_the_villager_collects_there(client, sms, db_session):
    # 居民身份证换领 is accepted by county and township halls only.
    citizen, application = submitted_at(client, sms, "GAJ-SFZ-001", "LY-DHJD-ZJB")
    village = hall_id(client, "LY-DHJD-ZJB")
    assert application["pickup_hall_id"] == village
    point = login_staff(client, "clerk-zjb")["headers"]
    hall_url = f"/api/v1/hall/applications/{application['id']}"
    body = assert_error(client.post(f"{hall_url}/accept", headers=point, json={}), 409, "not_accepted_here")
    assert body["errors"] == {"items": ["GAJ-SFZ-001"], "hall_level": "village"}

    # Forward only to a hall of the region whose level accepts the item.
    for target in ("LY-HZZ-XK", "KC-ZWFW", "LY-DHJD-ZJB"):
        assert_error(client.post(f"{hall_url}/forward", headers=point, json={"hall_code": target}),
                     422, "forward_not_allowed")
    assert_error(client.post(f"{hall_url}/forward", headers=point, json={"hall_code": "NOPE"}), 422, "unknown_reference")
    forwarded = client.post(f"{hall_url}/forward", headers=point, json={"hall_code": "LY-ZWFW"})
    assert forwarded.status_code == 200, forwarded.json
    assert forwarded.json["hall_id"] == hall_id(client) and forwarded.json["pickup_hall_id"] == village
    progress = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    assert "转交龙游县政务服务中心" in progress["timeline"][-1]["message"]
    told = db_session.scalars(select(Notification).where(Notification.template == "application_forwarded")).one()
    assert "东华街道张家埠村代办点" in told.text and told.application_id == application["id"]

    county = login_staff(client, "clerk")["headers"]
    accepted = client.post(f"{hall_url}/accept", headers=county, json={})
    assert accepted.status_code == 200 and accepted.json["pickup_hall_id"] == village  # the choice stays
    assert_error(client.post(f"{hall_url}/forward", headers=county, json={"hall_code": "LY-DHJD"}),
                 409, "invalid_transition")
    _decide_all(client, "reviewer-gaj", application["id"])

    # Back at the village point: only its clerk hands the result over.
    assert_error(client.post(f"{hall_url}/issue", headers=county, json={"method": "window"}), 403, "not_pickup_hall")
    issued = client.post(f"{hall_url}/issue", headers=point, json={"method": "window"})
    assert issued.status_code == 200 and issued.json["status"] == "delivered"
    visits = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json["visits"]
    assert [v["hall"] for v in visits] == ["东华街道张家埠村代办点"]


def test_village_point_accepts_what_its_level_may(client, sms):
    _, application = submitted_at(client, sms, "RSJ-YLJ-001", "LY-DHJD-ZJB")
    point = login_staff(client, "clerk-zjb")["headers"]
    accepted = client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=point, json={})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"


COMPANY_FORM = {"company_name": "龙游张家埠茶叶有限公司", "legal_rep_name": "张三",
                "legal_rep_id_number": "330825199001010015", "contact_phone": "13800138001",
                "company_type": "有限责任公司", "registered_capital": 50, "business_scope": "茶叶种植、销售",
                "company_address": "龙游县东华街道张家埠村 8 号"}


def test_a_township_centre_cannot_accept_company_registration(client, sms):
    # 公司设立 is county-only: the township centre forwards it; a pickup hall chosen at creation stays.
    _, application = submitted_at(client, sms, "SCJGJ-YYZZ-001", "LY-DHJD", form=COMPANY_FORM,
                                  pickup_hall_id=hall_id(client, "LY-HZZ"))
    assert application["pickup_hall_id"] == hall_id(client, "LY-HZZ")
    township = login_staff(client, "clerk-dh")["headers"]
    url = f"/api/v1/hall/applications/{application['id']}"
    assert_error(client.post(f"{url}/accept", headers=township, json={}), 409, "not_accepted_here")
    assert client.post(f"{url}/forward", headers=township, json={"hall_code": "LY-ZWFW"}).status_code == 200
    accepted = client.post(f"{url}/accept", headers=login_staff(client, "clerk")["headers"], json={})
    assert accepted.status_code == 200 and accepted.json["pickup_hall_id"] == hall_id(client, "LY-HZZ")
    citizen = login_citizen(client, sms, "13800138002")
    assert_error(client.post("/api/v1/applications", headers=citizen["headers"],
                             json={"item_code": "SCJGJ-YYZZ-001", "pickup_hall_id": 99999}), 422, "unknown_reference")
