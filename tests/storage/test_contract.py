"""One contract for every object store: the local disk and a real S3 server behave the same."""
from __future__ import annotations

import secrets

import pytest

from storage import ObjectNotFound, StoreUnavailable
from storage.config import store_from_config
from storage.keys import check_key, new_key
from storage.local import LocalObjectStore
from storage.s3 import S3ObjectStore
from tests.helpers import post_presigned


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    server = request.getfixturevalue("s3_server")
    bucket = S3ObjectStore(f"contract-{secrets.token_hex(4)}", endpoint_url=server.endpoint_url,
                           access_key=server.access_key, secret_key=server.secret_key)
    bucket.create_bucket()
    return bucket


def test_put_get_exists_delete(store):
    from datetime import datetime, timezone

    key = new_key("uploads", datetime(2026, 11, 23, tzinfo=timezone.utc), ".jpg")
    assert key.startswith("uploads/2026/11/23/") and key.endswith(".jpg")
    store.check()
    assert not store.exists(key)
    store.put(key, b"\xff\xd8payload", "image/jpeg")
    assert store.exists(key) and store.get(key) == b"\xff\xd8payload"
    store.put(key, b"replaced", "image/jpeg")
    assert store.get(key) == b"replaced"
    store.delete(key)
    store.delete(key)  # idempotent
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.get(key)


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "Upper/Case", "", "a/../b"])
def test_unsafe_keys_are_refused(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x", "text/plain")


def test_keys_are_unguessable():
    from datetime import datetime, timezone

    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert len({new_key("uploads", moment) for _ in range(1000)}) == 1000
    assert check_key("uploads/2026/01/01/ab.png") == "uploads/2026/01/01/ab.png"


@pytest.mark.s3
def test_unreachable_s3_is_unavailable():
    store = S3ObjectStore("nowhere", endpoint_url="http://127.0.0.1:9", access_key="a", secret_key="b", timeout=1)
    with pytest.raises(StoreUnavailable):
        store.check()
    with pytest.raises(StoreUnavailable):
        store.put("a/b", b"x", "text/plain")


def test_store_from_config(tmp_path):
    local = store_from_config({"OBJECT_STORE": f"local:{tmp_path}"})
    assert isinstance(local, LocalObjectStore)
    s3 = store_from_config({"OBJECT_STORE": "s3://my-bucket", "S3_ENDPOINT_URL": "http://127.0.0.1:1",
                            "S3_REGION": "cn-east-1", "S3_ADDRESSING_STYLE": "path",
                            "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"})
    assert isinstance(s3, S3ObjectStore) and s3.bucket == "my-bucket"
    with pytest.raises(ValueError):
        store_from_config({"OBJECT_STORE": "ftp://x"})


def test_presigned_post_enforces_its_policy(app_store, client):
    from datetime import datetime, timezone

    store = app_store
    key = new_key("uploads", datetime.now(timezone.utc), ".jpg")
    url, fields = store.presigned_post(key, "image/jpeg", 1000, 60)
    assert post_presigned(client, store, url, fields, b"x" * 1001, "image/jpeg") in (400, 403)  # over the range
    assert not store.exists(key)
    other = {**fields, "Content-Type": "text/html"}
    assert post_presigned(client, store, url, other, b"<html>", "text/html") in (400, 403)  # another type
    assert not store.exists(key)
    moved = {**fields, "key": key.replace(".jpg", "-other.jpg")}
    assert post_presigned(client, store, url, moved, b"y" * 10, "image/jpeg") in (400, 403)  # another key
    assert post_presigned(client, store, url, fields, b"\xff\xd8" + b"z" * 500, "image/jpeg") in (200, 201, 204)
    assert store.get(key) == b"\xff\xd8" + b"z" * 500
    download = store.presigned_get(key, 60)
    if isinstance(store, LocalObjectStore):
        path = download.split("://", 1)[-1].split("/", 1)[1]
        assert client.get("/" + path).data == b"\xff\xd8" + b"z" * 500
        assert client.get("/" + path.replace("signature=", "signature=0")).status_code == 403
    else:
        import requests

        assert requests.get(download, timeout=10).content == b"\xff\xd8" + b"z" * 500
        assert requests.get(download.replace("Signature=", "Signature=0"), timeout=10).status_code == 403


def test_expired_presigned_post_is_refused(app_store, client):
    from datetime import datetime, timezone

    key = new_key("uploads", datetime.now(timezone.utc), ".png")
    url, fields = app_store.presigned_post(key, "image/png", 1000, -10)
    assert post_presigned(client, app_store, url, fields, b"\x89PNG....", "image/png") in (400, 403)
    assert not app_store.exists(key)


def test_store_setup_creates_the_bucket_and_its_cors_rules(s3_server, app, monkeypatch):
    """`flask --app wsgi store setup` on a real S3 server: a missing bucket is created and a browser
    on an allowed origin may post the presigned form (AWS refuses it without bucket CORS)."""
    import requests

    bucket = S3ObjectStore(f"setup-{secrets.token_hex(4)}", endpoint_url=s3_server.endpoint_url,
                           access_key=s3_server.access_key, secret_key=s3_server.secret_key)
    with pytest.raises(StoreUnavailable):
        bucket.check()
    monkeypatch.setattr(app.extensions["onetrip"], "store", bucket)
    monkeypatch.setitem(app.config, "CORS_ORIGINS", ["https://h5.onetrip.test"])
    result = app.test_cli_runner().invoke(args=["store", "setup"])
    assert result.exit_code == 0, result.output
    assert "CORS for https://h5.onetrip.test" in result.output
    bucket.check()
    rules = bucket.cors_rules()
    assert rules and rules[0]["AllowedOrigins"] == ["https://h5.onetrip.test"] and "POST" in rules[0]["AllowedMethods"]
    url, _ = bucket.presigned_post("uploads/2026/11/24/x.jpg", "image/jpeg", 100, 60)
    preflight = requests.options(url, timeout=5, headers={
        "Origin": "https://h5.onetrip.test", "Access-Control-Request-Method": "POST"})
    assert preflight.headers.get("Access-Control-Allow-Origin") in ("https://h5.onetrip.test", "*")
    # Running it again changes nothing; with no origins the rules are removed.
    assert app.test_cli_runner().invoke(args=["store", "setup"]).exit_code == 0
    monkeypatch.setitem(app.config, "CORS_ORIGINS", [])
    assert app.test_cli_runner().invoke(args=["store", "setup"]).exit_code == 0
    assert bucket.cors_rules() == []


@pytest.mark.s3
def test_store_setup_reports_an_unreachable_store(app, monkeypatch):
    dead = S3ObjectStore("nowhere", endpoint_url="http://127.0.0.1:9", access_key="a", secret_key="b", timeout=1)
    monkeypatch.setattr(app.extensions["onetrip"], "store", dead)
    result = app.test_cli_runner().invoke(args=["store", "setup"])
    assert result.exit_code != 0 and "object store not ready" in result.output
