"""The public catalogue as the phone reads it."""
from __future__ import annotations

import json

import pytest

from tests.helpers import assert_error

GUIDE_FIELDS = {"code", "main_name", "sub_name", "legal_basis", "department", "materials", "steps",
                "internal_steps", "statutory_days", "promised_days", "form", "max_visits", "mobile",
                "delivery_options", "fee", "result_elicense_type"}
MATERIAL_FIELDS = {"code", "name", "required", "elicense_type", "commitment_allowed", "formats", "max_size_mb"}


def test_items_are_paginated(client):
    first = client.get("/api/v1/items?page_size=5")
    assert first.status_code == 200 and len(first.json) == 5
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 16 and meta["total_pages"] == 4 and meta["page"] == 1
    last = client.get("/api/v1/items?page=4&page_size=5").json
    assert len(last) == 1
    codes = [i["code"] for p in range(1, 5) for i in client.get(f"/api/v1/items?page={p}&page_size=5").json]
    assert len(set(codes)) == 16
    assert_error(client.get("/api/v1/items?page_size=101"), 422, "validation_failed")
    assert_error(client.get("/api/v1/items?page=0"), 422, "validation_failed")


def test_item_filters(client):
    rsj = client.get("/api/v1/items?department=RSJ&page_size=100").json
    assert {i["code"] for i in rsj} == {"RSJ-YLJ-001", "RSJ-SBK-001", "RSJ-SBDJ-001", "RSJ-SYJ-001"}
    assert {i["code"] for i in client.get("/api/v1/items?life_event=retirement").json} == {
        "RSJ-YLJ-001", "YBJ-DYBG-001", "GJJ-TQ-001"}
    offline = client.get("/api/v1/items?mobile=false").json
    assert {i["code"] for i in offline} == {"GAJ-SFZ-001", "MZJ-HYDJ-001"}
    found = client.get("/api/v1/items", query_string={"q": "公积金"}).json
    assert {i["code"] for i in found} == {"GJJ-TQ-001", "GJJ-ZFTQ-001"}
    assert client.get("/api/v1/items", query_string={"q": "100%_"}).json == []


def test_items_by_hall_level(client):
    halls = {h["code"]: h for h in client.get("/api/v1/halls").json}
    village = halls["LY-HZZ-XK"]
    by_id = {i["code"] for i in client.get(f"/api/v1/items?hall={village['id']}&page_size=100").json}
    by_code = {i["code"] for i in client.get("/api/v1/items?hall=LY-HZZ-XK&page_size=100").json}
    assert by_id == by_code
    assert "RSJ-YLJ-001" in by_id and "SCJGJ-YYZZ-001" not in by_id and "GAJ-CSDJ-001" not in by_id
    county = {i["code"] for i in client.get("/api/v1/items?hall=LY-ZWFW&page_size=100").json}
    assert len(county) == 16
    assert client.get("/api/v1/items?hall=NO-SUCH-HALL").json == []


def test_item_guide_has_every_unified_field(client):
    answer = client.get("/api/v1/items/WJJ-CSZM-001")
    assert answer.status_code == 200
    guide = answer.json
    assert GUIDE_FIELDS <= set(guide)
    assert guide["department"] == "WJJ" and guide["result_elicense_type"] == "BIRTH_CERT"
    assert guide["promised_days"] <= guide["statutory_days"]
    assert all(set(m) >= MATERIAL_FIELDS for m in guide["materials"])
    assert {f["type"] for f in guide["form"]} >= {"text", "choice", "date", "id_number", "phone"}
    assert "母婴保健法" in guide["legal_basis"]
    assert client.get("/api/v1/items/RSJ-YLJ-001").json["result_elicense_type"] is None
    assert "出生" in answer.get_data(as_text=True)  # Chinese unescaped


def test_item_etag_and_404(client):
    first = client.get("/api/v1/items/RSJ-YLJ-001")
    again = client.get("/api/v1/items/RSJ-YLJ-001", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert_error(client.get("/api/v1/items/NOPE"), 404, "not_found")


def test_bundle_asks_each_field_and_material_once(client):
    answer = client.get("/api/v1/bundles/RETIRE")
    assert answer.status_code == 200
    bundle = answer.json
    assert bundle["name"] == "退休一件事"
    assert [i["code"] for i in bundle["items"]] == ["RSJ-YLJ-001", "YBJ-DYBG-001", "GJJ-TQ-001"]
    names = [f["name"] for f in bundle["form"]]
    assert len(names) == len(set(names))
    assert set(names) == {"applicant_name", "applicant_id_number", "contact_phone", "retire_date", "bank_account"}
    codes = [m["code"] for m in bundle["materials"]]
    assert len(codes) == len(set(codes)) and set(codes) == {"ID_CARD", "BANK_CARD", "RETIRE_APPROVAL"}
    merged = {m["code"]: m for m in bundle["materials"]}
    assert merged["ID_CARD"]["items"] == ["RSJ-YLJ-001", "YBJ-DYBG-001", "GJJ-TQ-001"]
    # 容缺 only if every item allows it: 公积金 needs the bank card up front.
    assert merged["BANK_CARD"]["commitment_allowed"] is False
    # Every item lets the approval form follow on a pledge: that is where a retiree meets 容缺.
    assert merged["RETIRE_APPROVAL"]["commitment_allowed"] is True
    # 无证明: the ID card and the pension account are proved from the population and social-insurance data.
    assert merged["ID_CARD"]["data_check"] == "population" and merged["BANK_CARD"]["data_check"] == "social_insurance"
    assert bundle["promised_days"] == 5  # parallel: the slowest item, not the sum


def test_birth_bundle_dependency_and_produced_certificate(client):
    bundle = client.get("/api/v1/bundles/BIRTH").json
    deps = {i["code"]: i["depends_on"] for i in bundle["items"]}
    assert deps["GAJ-CSDJ-001"] == ["WJJ-CSZM-001"] and deps["WJJ-CSZM-001"] == []
    assert deps["YBJ-JMCB-001"] == ["GAJ-CSDJ-001"] and deps["RSJ-SBK-001"] == ["WJJ-CSZM-001"]
    # The birth certificate is issued inside the bundle: the parents are not asked for it.
    merged = {m["code"]: m for m in bundle["materials"]}
    assert "BIRTH_CERT" not in merged
    # 出生登记 issues the 户口簿 but adds the baby to the parents' existing one: that one is asked,
    # for 出生登记 alone (参保 downstream gets the new one as an e-license).
    assert merged["HUKOU"]["items"] == ["GAJ-CSDJ-001"] and merged["HUKOU"]["required"] is True
    assert bundle["promised_days"] == 11  # 出生医学证明 5 + 出生登记 5 + 参保 1
    gender = next(f for f in bundle["form"] if f["name"] == "baby_gender")
    assert gender["type"] == "choice" and gender["options"] == ["男", "女"]


@pytest.mark.parametrize("code", ["RETIRE", "BIRTH", "BUSINESS"])
def test_a_bundle_skips_only_certificates_issued_upstream(client, code):
    """Every material of every item is asked of the citizen, except a certificate an item it waits
    for (directly or not) issues; and no item needs a certificate the bundle issues in parallel."""
    bundle = client.get(f"/api/v1/bundles/{code}").json
    deps = {i["code"]: i["depends_on"] for i in bundle["items"]}
    guides = {c: client.get(f"/api/v1/items/{c}").json for c in deps}

    def before(c):
        return set(deps[c]).union(*(before(d) for d in deps[c])) if deps[c] else set()

    produced = {g["result_elicense_type"]: c for c, g in guides.items() if g["result_elicense_type"]}
    asked = {m["code"]: set(m["items"]) for m in bundle["materials"]}
    for item, guide in guides.items():
        for material in guide["materials"]:
            producer = produced.get(material["elicense_type"])
            if producer is not None and producer != item:
                assert producer in before(item), f"{code}: {item} needs what {producer} issues but runs before it"
                assert item not in asked.get(material["code"], set()), f"{code}: {item} asked for {material['code']}"
            else:
                assert item in asked[material["code"]], f"{code}: {item} lost {material['code']}"


def test_bundle_list_and_filter(client):
    listed = client.get("/api/v1/bundles").json
    assert {b["code"] for b in listed} == {"RETIRE", "BIRTH", "BUSINESS"}
    assert [b["code"] for b in client.get("/api/v1/bundles?life_event=business").json] == ["BUSINESS"]
    assert_error(client.get("/api/v1/bundles/NOPE"), 404, "not_found")
    etag = client.get("/api/v1/bundles/BUSINESS").headers["ETag"]
    assert client.get("/api/v1/bundles/BUSINESS", headers={"If-None-Match": etag}).status_code == 304


def test_halls(client):
    halls = client.get("/api/v1/halls").json
    # By region, then county before township before village: 柯城区 (330802) before 龙游县 (330825).
    assert [(h["region_code"], h["level"]) for h in halls] == [
        ("330802", "county"), ("330825", "county"), ("330825", "township"), ("330825", "township"),
        ("330825", "village"), ("330825", "village")]
    assert {"id", "code", "name", "level", "region_code", "address", "hours"} <= set(halls[0])
    assert len(client.get("/api/v1/halls?level=village").json) == 2
    assert len(client.get("/api/v1/halls?region_code=330800").json) == 6
    assert len(client.get("/api/v1/halls?region_code=330000").json) == 6
    assert [h["code"] for h in client.get("/api/v1/halls?region_code=330802").json] == ["KC-ZWFW"]
    assert client.get("/api/v1/halls?region_code=330881").json == []
    assert_error(client.get("/api/v1/halls?level=city"), 422, "validation_failed")
    assert_error(client.get("/api/v1/halls?region_code=3308"), 422, "validation_failed")


def test_reference_lists(client):
    departments = client.get("/api/v1/departments?page_size=50").json
    assert len(departments) == 12  # 8 in 龙游县, 4 in 柯城区 doing the same jobs as four of them
    assert {d["category"] for d in departments if d["region_code"] == "330802"} == {"RSJ", "YBJ", "GJJ", "WJJ"}
    assert client.get("/api/v1/carriers").json[0]["code"] == "EMS"
    types = {t["code"]: t for t in client.get("/api/v1/elicense-types?page_size=100").json}
    assert {"ID_CARD", "HUKOU", "MARRIAGE", "BIRTH_CERT", "BUSINESS_LICENSE", "PROPERTY_CERT", "SSCARD",
            "DRIVER_LICENSE"} <= set(types)
    assert types["ID_CARD"]["name"] == "居民身份证"
    assert "X-Pagination" in client.get("/api/v1/departments").headers
