"""Catalogue administration: only admins write, and nothing inconsistent is saved."""
from __future__ import annotations

import pytest

from tests.helpers import assert_error, login_citizen, login_staff

ITEM = {
    "code": "MZJ-LHDJ-001", "main_name": "婚姻登记", "sub_name": "内地居民离婚登记",
    "legal_basis": "《中华人民共和国民法典》第一千零七十六条", "department": "MZJ",
    "statutory_days": 30, "promised_days": 30, "max_visits": 1, "mobile": False,
    "delivery_options": ["window"], "result_elicense_type": None, "life_event": "marriage",
    "steps": ["预约", "提交申请", "冷静期", "发证"],
    "form": [{"name": "applicant_name", "label": "申请人姓名", "type": "text"},
             {"name": "reason", "label": "离婚原因", "type": "choice", "options": ["感情不和", "其他"]}],
    "materials": [{"code": "ID_CARD"}, {"code": "MARRIAGE_CERT"}, {"code": "HUKOU", "commitment_allowed": True}],
    "hall_levels": ["county"],
}


@pytest.fixture
def admin(client):
    return login_staff(client, "admin")["headers"]


def test_create_and_update_item(client, admin):
    created = client.post("/api/v1/admin/items", json=ITEM, headers=admin)
    assert created.status_code == 201, created.json
    guide = client.get("/api/v1/items/MZJ-LHDJ-001").json
    assert [m["code"] for m in guide["materials"]] == ["ID_CARD", "MARRIAGE_CERT", "HUKOU"]
    assert guide["materials"][2]["commitment_allowed"] is True and guide["hall_levels"] == ["county"]
    changed = {k: v for k, v in ITEM.items() if k != "code"}
    changed.update(promised_days=20, materials=[{"code": "MARRIAGE_CERT"}, {"code": "ID_CARD"}])
    updated = client.put("/api/v1/admin/items/MZJ-LHDJ-001", json=changed, headers=admin)
    assert updated.status_code == 200
    assert updated.json["promised_days"] == 20
    assert [m["code"] for m in updated.json["materials"]] == ["MARRIAGE_CERT", "ID_CARD"]
    assert_error(client.post("/api/v1/admin/items", json=ITEM, headers=admin), 409, "already_exists")
    assert_error(client.put("/api/v1/admin/items/NOPE", json=changed, headers=admin), 404, "not_found")


def test_item_validation(client, admin):
    late = {**ITEM, "promised_days": 31}
    body = assert_error(client.post("/api/v1/admin/items", json=late, headers=admin), 422, "validation_failed")
    assert "promised_days" in body["errors"]["json"]
    unknown = {**ITEM, "department": "XXX", "materials": [{"code": "NOPE"}]}
    body = assert_error(client.post("/api/v1/admin/items", json=unknown, headers=admin), 422, "unknown_reference")
    assert set(body["errors"]) == {"department", "materials"}
    bad_form = {**ITEM, "form": [{"name": "x", "label": "X", "type": "choice"}]}
    assert_error(client.post("/api/v1/admin/items", json=bad_form, headers=admin), 422, "validation_failed")
    dup = {**ITEM, "materials": [{"code": "ID_CARD"}, {"code": "ID_CARD"}]}
    assert_error(client.post("/api/v1/admin/items", json=dup, headers=admin), 422, "validation_failed")
    assert_error(client.post("/api/v1/admin/items", json={**ITEM, "colour": "red"}, headers=admin),
                 422, "validation_failed")
    assert client.get("/api/v1/items/MZJ-LHDJ-001").status_code == 404


def test_bundle_validation(client, admin):
    missing = {"code": "MARRY", "name": "婚育一件事",
               "items": [{"code": "MZJ-HYDJ-001"}, {"code": "NOPE-001"}]}
    body = assert_error(client.post("/api/v1/admin/bundles", json=missing, headers=admin), 422, "unknown_reference")
    assert "NOPE-001" in str(body["errors"])
    cycle = {"code": "LOOP", "name": "循环",
             "items": [{"code": "RSJ-YLJ-001", "depends_on": ["GJJ-TQ-001"]},
                       {"code": "GJJ-TQ-001", "depends_on": ["YBJ-DYBG-001"]},
                       {"code": "YBJ-DYBG-001", "depends_on": ["RSJ-YLJ-001"]}]}
    body = assert_error(client.post("/api/v1/admin/bundles", json=cycle, headers=admin), 422, "dependency_cycle")
    assert body["errors"]["cycle"][0] == body["errors"]["cycle"][-1]
    outside = {"code": "OUT", "name": "外部依赖",
               "items": [{"code": "RSJ-YLJ-001", "depends_on": ["WJJ-CSZM-001"]}, {"code": "GJJ-TQ-001"}]}
    assert_error(client.post("/api/v1/admin/bundles", json=outside, headers=admin), 422, "unknown_reference")
    one = {"code": "ONE", "name": "单项", "items": [{"code": "RSJ-YLJ-001"}]}
    assert_error(client.post("/api/v1/admin/bundles", json=one, headers=admin), 422, "validation_failed")
    assert client.get("/api/v1/bundles/LOOP").status_code == 404


def test_bundle_form_conflict_is_refused(client, admin):
    clash = {**ITEM, "form": [{"name": "applicant_name", "label": "姓名", "type": "number"}]}
    assert client.post("/api/v1/admin/items", json=clash, headers=admin).status_code == 201
    bundle = {"code": "CLASH", "name": "冲突", "items": [{"code": "MZJ-LHDJ-001"}, {"code": "RSJ-YLJ-001"}]}
    body = assert_error(client.post("/api/v1/admin/bundles", json=bundle, headers=admin), 422, "form_conflict")
    assert body["errors"]["form"] == ["applicant_name"]
    # Editing an item already in a bundle so that the bundle's form would clash is refused too.
    retire_item = client.get("/api/v1/items/GJJ-TQ-001").json
    edit = {k: retire_item[k] for k in ("main_name", "sub_name", "legal_basis", "department", "statutory_days",
                                        "promised_days", "max_visits", "mobile", "delivery_options", "fee",
                                        "result_elicense_type", "life_event", "steps", "internal_steps",
                                        "hall_levels")}
    edit["materials"] = [{"code": m["code"], "required": m["required"],
                          "commitment_allowed": m["commitment_allowed"]} for m in retire_item["materials"]]
    edit["form"] = [{"name": "retire_date", "label": "退休日期", "type": "text"}]
    assert_error(client.put("/api/v1/admin/items/GJJ-TQ-001", json=edit, headers=admin), 422, "form_conflict")
    assert client.get("/api/v1/items/GJJ-TQ-001").json["form"] == retire_item["form"]


def test_create_and_update_bundle(client, admin):
    created = client.post("/api/v1/admin/bundles", headers=admin, json={
        "code": "HOUSING", "name": "租房一件事", "life_event": "housing",
        "items": [{"code": "GJJ-ZFTQ-001"}, {"code": "RSJ-SBK-001", "depends_on": ["GJJ-ZFTQ-001"]}]})
    assert created.status_code == 201, created.json
    assert created.json["promised_days"] == 6
    updated = client.put("/api/v1/admin/bundles/HOUSING", headers=admin, json={
        "name": "租房一件事", "items": [{"code": "GJJ-ZFTQ-001"}, {"code": "RSJ-SBK-001"}]})
    assert updated.status_code == 200 and updated.json["promised_days"] == 5


def test_materials(client, admin):
    body = {"code": "DIVORCE_AGREEMENT", "name": "离婚协议书", "formats": ["pdf"], "max_size_mb": 20}
    created = client.post("/api/v1/admin/materials", json=body, headers=admin)
    assert created.status_code == 201 and created.json["elicense_type"] is None
    updated = client.put("/api/v1/admin/materials/DIVORCE_AGREEMENT", headers=admin,
                         json={"name": "离婚协议书（双方签字）", "formats": ["pdf", "jpg"], "elicense_type": "MARRIAGE"})
    assert updated.status_code == 200 and updated.json["elicense_type"] == "MARRIAGE"
    assert_error(client.put("/api/v1/admin/materials/DIVORCE_AGREEMENT", headers=admin,
                            json={"name": "x", "elicense_type": "NOPE"}), 422, "unknown_reference")
    assert_error(client.post("/api/v1/admin/materials", json=body, headers=admin), 409, "already_exists")


def test_only_admins_write(client, sms):
    assert_error(client.post("/api/v1/admin/items", json=ITEM), 401, "unauthorized")
    clerk = login_staff(client, "clerk")["headers"]
    assert_error(client.post("/api/v1/admin/items", json=ITEM, headers=clerk), 403, "forbidden")
    citizen = login_citizen(client, sms)["headers"]
    assert_error(client.post("/api/v1/admin/bundles", json={}, headers=citizen), 403, "forbidden")
