"""Real clients: an H5 page on another origin (CORS), the service on another port or behind a
proxy (the URLs it hands out must be reachable as the client reached the API)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import H5_ORIGIN
from tests.fakes import FakeSms
from tests.helpers import assert_error, login_citizen


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_preflight_from_the_h5_origin_is_answered(client):
    answer = client.options("/api/v1/applications", headers={
        "Origin": H5_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, accept-language"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == H5_ORIGIN
    allowed = {h.strip().lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "accept-language"} <= allowed
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in answer.headers  # bearer tokens, never cookies
    conditional = client.options("/api/v1/applications/1/progress", headers={
        "Origin": H5_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match, authorization"})
    assert "if-none-match" in conditional.headers["Access-Control-Allow-Headers"].lower()


def test_answers_and_errors_carry_cors_headers_and_expose_what_clients_read(client, sms):
    citizen = login_citizen(client, sms)
    listed = client.get("/api/v1/applications", headers={**citizen["headers"], "Origin": H5_ORIGIN})
    assert listed.status_code == 200 and listed.headers["Access-Control-Allow-Origin"] == H5_ORIGIN
    exposed = {h.strip() for h in listed.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "X-Pagination", "Retry-After"} <= exposed
    # A page must be able to read an error too, or it only sees "Failed to fetch".
    denied = client.get("/api/v1/applications", headers={"Origin": H5_ORIGIN})
    assert_error(denied, 401, "unauthorized")
    assert denied.headers["Access-Control-Allow-Origin"] == H5_ORIGIN
    assert "Origin" in denied.headers.get("Vary", "")


def test_other_origins_get_no_cors_headers(client):
    answer = client.options("/api/v1/items", headers={"Origin": "https://evil.example",
                                                      "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in answer.headers
    plain = client.get("/api/v1/items", headers={"Origin": "https://evil.example"})
    assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers


def test_without_cors_origins_nobody_crosses(database_url, tmp_path):
    from app import create_app

    bare = create_app({"TESTING": True, "SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": database_url,
                       "OBJECT_STORE": f"local:{tmp_path}", "CORS_ORIGINS": []})
    answer = bare.test_client().get("/api/v1/items", headers={"Origin": H5_ORIGIN})
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_embedded_store_answers_the_browser_with_cors(client, sms, app_store):
    if app_store.__class__.__name__ != "LocalObjectStore":
        pytest.skip("S3's own CORS comes from `store setup` (tests/storage/test_contract.py)")
    citizen = login_citizen(client, sms)
    data = _jpeg()
    form = client.post("/api/v1/uploads", headers={**citizen["headers"], "Origin": H5_ORIGIN}, json={
        "filename": "scan.jpg", "content_type": "image/jpeg", "size": len(data), "purpose": "material"}).json
    path = form["url"].split("://", 1)[1].split("/", 1)[1]
    preflight = client.options("/" + path, headers={"Origin": H5_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == H5_ORIGIN
    posted = client.post("/" + path, headers={"Origin": H5_ORIGIN}, content_type="multipart/form-data",
                         data={**form["fields"], "file": (io.BytesIO(data), "scan.jpg", "image/jpeg")})
    assert posted.status_code == 204 and posted.headers["Access-Control-Allow-Origin"] == H5_ORIGIN
    done = client.post(f"/api/v1/uploads/{form['id']}/complete", headers=citizen["headers"]).json
    download = done["url"].split("://", 1)[1].split("/", 1)[1]
    got = client.get("/" + download, headers={"Origin": H5_ORIGIN})
    assert got.status_code == 200 and got.headers["Access-Control-Allow-Origin"] == H5_ORIGIN


def test_urls_follow_the_host_and_port_the_client_used(client, sms, app_store):
    """The field saw forms pointing at http://localhost:5000 whatever port the service ran on."""
    if app_store.__class__.__name__ != "LocalObjectStore":
        pytest.skip("S3 URLs point at the S3 endpoint")
    citizen = login_citizen(client, sms)
    data = _jpeg()
    form = client.post("/api/v1/uploads", base_url="http://10.0.0.5:8123", headers=citizen["headers"], json={
        "filename": "scan.jpg", "content_type": "image/jpeg", "size": len(data), "purpose": "material"}).json
    assert form["url"] == "http://10.0.0.5:8123/local-store/upload"
    path = form["url"].removeprefix("http://10.0.0.5:8123")
    client.post(path, content_type="multipart/form-data",
                data={**form["fields"], "file": (io.BytesIO(data), "scan.jpg", "image/jpeg")})
    done = client.post(f"/api/v1/uploads/{form['id']}/complete", base_url="http://10.0.0.5:8123",
                       headers=citizen["headers"])
    assert done.status_code == 200, done.json
    assert done.json["url"].startswith("http://10.0.0.5:8123/local-store/objects/")
    assert done.json["thumbnail_url"].startswith("http://10.0.0.5:8123/local-store/objects/")


def test_behind_a_proxy_urls_use_the_forwarded_scheme_host_and_prefix(database_url, tmp_path, app):
    from app import create_app

    proxied = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                          "SQLALCHEMY_DATABASE_URI": database_url, "OBJECT_STORE": f"local:{tmp_path}",
                          "PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_HOST": 1,
                          "PROXY_FIX_X_PREFIX": 1})
    sms = proxied.extensions["onetrip"].sms = FakeSms()
    client = proxied.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "zwfw.longyou.gov.cn", "X-Forwarded-Prefix": "/onetrip"}
    citizen = login_citizen(client, sms)
    form = client.post("/api/v1/uploads", headers={**citizen["headers"], **forwarded}, json={
        "filename": "scan.jpg", "content_type": "image/jpeg", "size": 1000, "purpose": "material"}).json
    assert form["url"] == "https://zwfw.longyou.gov.cn/onetrip/local-store/upload"
    # A misconfigured proxy cannot turn the link into another scheme or glue the prefix to the host.
    odd = client.post("/api/v1/uploads", headers={**citizen["headers"], **forwarded, "X-Forwarded-Proto": "javascript",
                                                  "X-Forwarded-Prefix": "onetrip"}, json={
        "filename": "scan.jpg", "content_type": "image/jpeg", "size": 1000, "purpose": "material"}).json
    assert odd["url"] == "http://zwfw.longyou.gov.cn/onetrip/local-store/upload"
    # Without the proxy settings the same headers are not trusted.
    plain = client.post("/api/v1/uploads", headers=citizen["headers"], json={
        "filename": "scan.jpg", "content_type": "image/jpeg", "size": 1000, "purpose": "material"}).json
    assert plain["url"] == "http://localhost/local-store/upload"


def test_public_base_url_wins_when_set(database_url, tmp_path, app):
    from app import create_app

    fixed = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                        "SQLALCHEMY_DATABASE_URI": database_url, "OBJECT_STORE": f"local:{tmp_path}",
                        "PUBLIC_BASE_URL": "https://zwfw.example.gov.cn/api-gw"})
    sms = fixed.extensions["onetrip"].sms = FakeSms()
    client = fixed.test_client()
    citizen = login_citizen(client, sms)
    form = client.post("/api/v1/uploads", base_url="http://127.0.0.1:9999", headers=citizen["headers"], json={
        "filename": "scan.jpg", "content_type": "image/jpeg", "size": 1000, "purpose": "material"}).json
    assert form["url"] == "https://zwfw.example.gov.cn/api-gw/local-store/upload"
