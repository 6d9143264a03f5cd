"""Liveness and readiness, on the local store and on a real S3 server."""
from __future__ import annotations

from storage.local import LocalObjectStore
from storage.s3 import S3ObjectStore
from tests.helpers import assert_error


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_ok(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json["checks"] == {"database": "ok", "object_store": "ok"}


def test_readyz_names_a_broken_store(client, app, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setattr(app.extensions["onetrip"], "store", LocalObjectStore(blocker / "objects"))
    body = assert_error(client.get("/readyz"), 503, "service_unavailable")
    assert body["errors"] == {"database": "ok", "object_store": "unavailable"}


def test_readyz_on_s3(client, app, s3_server, monkeypatch):
    store = S3ObjectStore("readyz-bucket", endpoint_url=s3_server.endpoint_url,
                          access_key=s3_server.access_key, secret_key=s3_server.secret_key)
    monkeypatch.setattr(app.extensions["onetrip"], "store", store)
    assert_error(client.get("/readyz"), 503, "service_unavailable")  # bucket not created yet
    store.create_bucket()
    assert client.get("/readyz").status_code == 200
    wrong = S3ObjectStore("readyz-bucket", endpoint_url=s3_server.endpoint_url,
                          access_key=s3_server.access_key, secret_key="wrong-secret")
    monkeypatch.setattr(app.extensions["onetrip"], "store", wrong)
    assert client.get("/readyz").json["errors"]["object_store"] == "unavailable"


def test_readyz_names_a_broken_database(client, app, monkeypatch):
    from app.extensions import db

    def refuse(*args, **kwargs):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", refuse)
        body = assert_error(client.get("/readyz"), 503, "service_unavailable")
    assert body["errors"]["database"] == "unavailable"
