"""最多跑一次 is promised up front: window pickup (at which hall) or post is chosen before submitting."""
from __future__ import annotations

from tests.factories import RETIRE_FORM, hall_id, ready_application
from tests.helpers import assert_error, login_citizen


def test_submit_without_a_delivery_choice_lists_it_like_a_missing_field(client, sms):
    citizen, app = ready_application(client, sms, delivery=None)
    url, headers = f"/api/v1/applications/{app['id']}", citizen["headers"]
    body = assert_error(client.post(url + "/submit", headers=headers), 422, "materials_missing")
    assert body["errors"]["materials"] == [] and [f["name"] for f in body["errors"]["fields"]] == ["delivery"]
    assert body["errors"]["fields"][0]["label"]

    assert_error(client.put(url + "/delivery", headers=headers, json={"method": "window", "pickup_hall_id": 999999}),
                 422, "unknown_reference")
    township = hall_id(client, "LY-DHJD")
    chosen = client.put(url + "/delivery", headers=headers, json={"method": "window", "pickup_hall_id": township})
    assert chosen.status_code == 200 and chosen.json["pickup_hall_id"] == township
    assert client.post(url + "/submit", headers=headers).status_code == 200
    timeline = client.get(url + "/progress", headers=headers).json["timeline"]
    assert any("东华街道便民服务中心" in t["message"] for t in timeline)


def test_window_pickup_defaults_to_the_hall_applied_at_and_needs_one(client, sms):
    citizen = login_citizen(client, sms, "13800138011")
    headers = citizen["headers"]
    at_hall = client.post("/api/v1/applications", headers=headers,
                          json={"item_code": "GJJ-ZFTQ-001", "hall_id": hall_id(client)}).json
    chosen = client.put(f"/api/v1/applications/{at_hall['id']}/delivery", headers=headers, json={"method": "window"})
    assert chosen.status_code == 200 and chosen.json["pickup_hall_id"] == hall_id(client)

    nowhere = client.post("/api/v1/applications", headers=headers,
                          json={"item_code": "GJJ-ZFTQ-001", "form": {"applicant_name": RETIRE_FORM["applicant_name"]}}).json
    url = f"/api/v1/applications/{nowhere['id']}"
    assert_error(client.put(url + "/delivery", headers=headers, json={"method": "window"}), 422, "pickup_hall_missing")
    # nothing already saved is lost by the refusal
    assert client.get(url, headers=headers).json["form"]["applicant_name"] == RETIRE_FORM["applicant_name"]
    post = client.put(url + "/delivery", headers=headers, json={"method": "post", "address": {
        "recipient": "王建国", "phone": "13800138011", "region_code": "330825",
        "detail": "龙游县龙洲街道荣昌路 1 号", "postcode": "324400"}})
    assert post.status_code == 200 and post.json["pickup_hall_id"] is None
