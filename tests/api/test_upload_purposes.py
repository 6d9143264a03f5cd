"""An upload's purpose decides what it may be attached to (material, elicense, delivery_proof)."""
from __future__ import annotations

from tests.factories import ready_application, upload
from tests.helpers import assert_error


def test_each_purpose_attaches_only_where_it_belongs(client, sms):
    citizen, app = ready_application(client, sms, phone="13800138201")
    headers = citizen["headers"]
    url = f"/api/v1/applications/{app['id']}/materials/ID_CARD"
    for purpose in ("elicense", "delivery_proof"):
        body = assert_error(client.put(url, headers=headers, json={"upload_ids": [upload(client, headers, purpose=purpose)]}),
                            422, "upload_not_acceptable")
        assert "不能用作申请材料" in next(iter(body["errors"]["upload_ids"].values()))[0]
    assert client.put(url, headers=headers, json={"upload_ids": [upload(client, headers)]}).status_code == 200

    license_body = {"type": "ID_CARD", "number": "X1", "holder_name": "王建国", "issued_on": "2020-01-01"}
    assert_error(client.post("/api/v1/elicenses", headers=headers,
                             json={**license_body, "upload_ids": [upload(client, headers)]}), 422, "upload_not_acceptable")
    assert client.post("/api/v1/elicenses", headers=headers, json={
        **license_body, "upload_ids": [upload(client, headers, purpose="elicense")]}).status_code == 201


def test_the_contract_documents_the_purposes(client):
    spec = client.get("/openapi.json").json
    text = str(spec["components"]["schemas"])
    for purpose in ("`material`", "`elicense`", "`delivery_proof`", "/elicenses", "/materials/", "/deliver"):
        assert purpose in text
