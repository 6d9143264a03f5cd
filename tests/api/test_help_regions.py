"""异地可办 over HTTP: a 龙游 resident working in 柯城 applies at 柯城's hall; 柯城's clerk accepts,
龙游's department decides, the result waits in 柯城. Admins keep every region's halls and departments."""
from __future__ import annotations

from tests.api.test_help_points import submitted_at
from tests.factories import RETIRE_FORM, hall_id
from tests.helpers import assert_error, login_citizen, login_staff

WORKER = "13800138003"
RENT_FORM = {**RETIRE_FORM, "monthly_rent": 1500}


def test_keecheng_accepts_and_longyou_decides(client, sms):
    citizen, application = submitted_at(client, sms, "GJJ-ZFTQ-001", "KC-ZWFW", phone=WORKER, form=RENT_FORM,
                                        competent_region_code="330825")
    assert application["region_code"] == "330802" and application["competent_region_code"] == "330825"
    assert application["number"].startswith("330802-")
    url = f"/api/v1/hall/applications/{application['id']}"
    # 龙游's window does not see a case lodged in 柯城; 柯城's does.
    assert_error(client.get(url, headers=login_staff(client, "clerk")["headers"]), 404, "not_found")
    keecheng = login_staff(client, "clerk-kc")["headers"]
    assert [a["id"] for a in client.get("/api/v1/hall/applications", headers=keecheng).json] == [application["id"]]
    assert client.post(f"{url}/accept", headers=keecheng, json={}).status_code == 200
    progress = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    assert [(s["item_code"], s["department"]) for s in progress["subcases"]] == [("GJJ-ZFTQ-001", "GJJ")]

    housing_fund = login_staff(client, "reviewer-gjj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=housing_fund).json[0]
    assert sub["application_id"] == application["id"]
    assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=housing_fund,
                       json={"note": "租赁备案核验通过"}).status_code == 200
    # Pickup in the accepting region.
    assert_error(client.post(f"{url}/issue", headers=login_staff(client, "clerk")["headers"], json={}), 404, "not_found")
    issued = client.post(f"{url}/issue", headers=keecheng, json={"method": "window"})
    assert issued.status_code == 200 and issued.json["status"] == "delivered"


def test_cross_region_rules(client, sms):
    citizen = login_citizen(client, sms, WORKER)
    headers, keecheng = citizen["headers"], hall_id(client, "KC-ZWFW")
    # Not every item may be done elsewhere.
    body = assert_error(client.post("/api/v1/applications", headers=headers, json={
        "item_code": "GAJ-SFZ-001", "hall_id": keecheng, "competent_region_code": "330825"}), 422, "not_cross_region")
    assert body["errors"]["competent_region_code"] == ["GAJ-SFZ-001"]
    assert_error(client.post("/api/v1/applications", headers=headers, json={
        "bundle_code": "BUSINESS", "hall_id": keecheng, "competent_region_code": "330825"}), 422, "not_cross_region")
    # A region with no department doing the job.
    assert_error(client.post("/api/v1/applications", headers=headers, json={
        "item_code": "RSJ-YLJ-001", "hall_id": keecheng, "competent_region_code": "330881"}),
        422, "no_competent_department")
    assert_error(client.post("/api/v1/applications", headers=headers, json={
        "item_code": "RSJ-YLJ-001", "competent_region_code": "3308"}), 422, "validation_failed")
    # The result is collected in the accepting region (or posted).
    assert_error(client.post("/api/v1/applications", headers=headers, json={
        "item_code": "GJJ-ZFTQ-001", "hall_id": keecheng, "competent_region_code": "330825",
        "pickup_hall_id": hall_id(client)}), 422, "validation_failed")
    # Default: the accepting hall's region decides, through its own department of that job.
    local = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001", "hall_id": keecheng})
    assert local.status_code == 201 and local.json["competent_region_code"] == "330802"


def test_keecheng_department_decides_its_own_residents(client, sms):
    _, application = submitted_at(client, sms, "RSJ-YLJ-001", "KC-ZWFW", phone=WORKER, form=RETIRE_FORM)
    keecheng = login_staff(client, "clerk-kc")["headers"]
    assert client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=keecheng,
                       json={}).status_code == 200
    assert client.get("/api/v1/department/subcases", headers=login_staff(client, "reviewer-rsj")["headers"]).json == []
    mine = client.get("/api/v1/department/subcases", headers=login_staff(client, "reviewer-kc-rsj")["headers"]).json
    assert [s["application_id"] for s in mine] == [application["id"]]


def test_admin_keeps_halls_and_departments(client):
    admin = login_staff(client, "admin")["headers"]
    assert [h["code"] for h in client.get("/api/v1/admin/halls?region_code=330802", headers=admin).json] == ["KC-ZWFW"]
    created = client.post("/api/v1/admin/halls", headers=admin, json={
        "code": "KC-HYJD", "name": "花园街道便民服务中心", "level": "township", "region_code": "330802",
        "address": "衢州市柯城区花园街道", "hours": "工作日 8:30-17:00"})
    assert created.status_code == 201 and created.json["level"] == "township"
    assert_error(client.post("/api/v1/admin/halls", headers=admin, json={**created.json, "id": None}),
                 422, "validation_failed")
    duplicate = {k: v for k, v in created.json.items() if k != "id"}
    assert_error(client.post("/api/v1/admin/halls", headers=admin, json=duplicate), 409, "already_exists")
    patched = client.patch("/api/v1/admin/halls/KC-HYJD", headers=admin, json={"hours": "工作日 9:00-17:00"})
    assert patched.status_code == 200 and patched.json["hours"] == "工作日 9:00-17:00"
    assert patched.json["name"] == "花园街道便民服务中心"
    assert_error(client.patch("/api/v1/admin/halls/NOPE", headers=admin, json={"hours": "x"}), 404, "not_found")
    assert "KC-HYJD" in [h["code"] for h in client.get("/api/v1/halls?region_code=330802").json]

    department = client.post("/api/v1/admin/departments", headers=admin, json={
        "code": "KC-GAJ", "name": "衢州市公安局柯城分局", "region_code": "330802", "category": "GAJ"})
    assert department.status_code == 201 and department.json["category"] == "GAJ"
    own = client.post("/api/v1/admin/departments", headers=admin, json={
        "code": "KC-MZJ", "name": "衢州市柯城区民政局", "region_code": "330802"})
    assert own.status_code == 201 and own.json["category"] == "KC-MZJ"
    assert client.patch("/api/v1/admin/departments/KC-MZJ", headers=admin,
                        json={"category": "MZJ"}).json["category"] == "MZJ"
    listed = client.get("/api/v1/admin/departments?region_code=330802&page_size=50", headers=admin).json
    assert {d["code"] for d in listed} == {"KC-RSJ", "KC-YBJ", "KC-GJJ", "KC-WJJ", "KC-GAJ", "KC-MZJ"}
    clerk = login_staff(client, "clerk")["headers"]
    assert_error(client.get("/api/v1/admin/halls", headers=clerk), 403, "forbidden")
    assert_error(client.post("/api/v1/admin/departments", headers=clerk, json={}), 403, "forbidden")
