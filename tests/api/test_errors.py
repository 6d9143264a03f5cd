"""One JSON error shape for every status, from every layer, in zh-CN or en."""
from __future__ import annotations

from tests.helpers import assert_error, login_staff


def test_unknown_path_is_json_404(client):
    body = assert_error(client.get("/api/v1/nowhere"), 404, "not_found")
    assert body["status"] == "Not Found" and body["message"] == "资源不存在"


def test_english_on_request(client):
    body = assert_error(client.get("/api/v1/nowhere", headers={"Accept-Language": "en-US,en;q=0.9"}),
                        404, "not_found")
    assert body["message"] == "Not found"
    zh = client.get("/api/v1/nowhere", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).json
    assert zh["message"] == "资源不存在"


def test_method_not_allowed_keeps_allow(client):
    answer = client.delete("/api/v1/items")
    assert_error(answer, 405, "method_not_allowed")
    assert "GET" in answer.headers["Allow"]


def test_malformed_json(client):
    answer = client.post("/api/v1/auth/staff-tokens", data="{", content_type="application/json")
    assert_error(answer, 400, "malformed_json")


def test_wrong_types_and_unknown_fields(client):
    body = assert_error(client.post("/api/v1/auth/staff-tokens", json={"username": 5, "password": []}),
                        422, "validation_failed")
    assert set(body["errors"]["json"]) == {"username", "password"}
    body = assert_error(client.post("/api/v1/auth/staff-tokens",
                                    json={"username": "a", "password": "b", "role": "admin"}),
                        422, "validation_failed")
    assert "role" in body["errors"]["json"]
    assert_error(client.post("/api/v1/auth/staff-tokens", json=["a", "b"]), 422, "validation_failed")


def test_body_too_large(client):
    big = b'{"username": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    answer = client.post("/api/v1/auth/staff-tokens", data=big, content_type="application/json")
    assert_error(answer, 413, "payload_too_large")
    answer = client.post("/api/v1/auth/sms-codes", data=big, content_type="application/json")
    assert_error(answer, 413, "payload_too_large")


def test_not_json_is_415(client):
    answer = client.post("/api/v1/auth/staff-tokens", data="username=a&password=b",
                         content_type="application/x-www-form-urlencoded")
    assert_error(answer, 415, "unsupported_media_type")


def test_unexpected_error_is_json_500_and_logged(client, app, monkeypatch, caplog):
    import app.services.catalogue as catalogue

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(catalogue, "list_halls", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    body = assert_error(client.get("/api/v1/halls"), 500, "internal_error")
    assert "boom" not in str(body)
    assert "boom" in caplog.text


def test_login_failure_loses_nothing(client):
    """A bad request in the middle of a session changes nothing already saved."""
    admin = login_staff(client, "admin")["headers"]
    before = client.get("/api/v1/items/RSJ-YLJ-001").json
    client.put("/api/v1/admin/items/RSJ-YLJ-001", json={"main_name": 1}, headers=admin)
    client.put("/api/v1/admin/items/RSJ-YLJ-001", data="{", content_type="application/json", headers=admin)
    assert client.get("/api/v1/items/RSJ-YLJ-001").json == before


def test_nul_characters_are_refused_not_crashed(client):
    assert_error(client.post("/api/v1/auth/staff-tokens", json={"username": "a\x00b", "password": "x"}),
                 422, "validation_failed")
    assert_error(client.get("/api/v1/items/RSJ%00"), 400, "bad_request")
    assert_error(client.get("/api/v1/items", query_string={"q": "a\x00"}), 422, "validation_failed")


def test_huge_numbers_are_refused_not_crashed(client, sms):
    from tests.helpers import login_citizen

    headers = login_citizen(client, sms)["headers"]
    assert_error(client.get("/api/v1/applications/99999999999", headers=headers), 404, "not_found")
    assert_error(client.post("/api/v1/applications", headers=headers,
                             json={"item_code": "RSJ-YLJ-001", "hall_id": 2**40}), 422, "validation_failed")
