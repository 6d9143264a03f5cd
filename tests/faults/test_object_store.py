"""The object store stopped and frozen (a SeaweedFS of this module's own, under the test's control):
503 `object_store_unavailable`, never 500; nothing half-written; readiness answers fast and only
says ready when reads work again."""
from __future__ import annotations

import os
import secrets
import signal
import threading

import pytest
from sqlalchemy import select

from models.material import Upload, UploadStatus
from storage.s3 import S3ObjectStore
from tests.conftest import start_seaweedfs
from tests.factories import jpeg
from tests.helpers import assert_error, login_citizen, post_presigned

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def own_s3(request, tmp_path_factory):
    """Not the session's server: this one gets frozen."""
    with start_seaweedfs(request, tmp_path_factory, "seaweed-faults") as running:
        yield running


@pytest.fixture
def s3_store(app, own_s3, monkeypatch) -> S3ObjectStore:
    store = S3ObjectStore(f"faults-{secrets.token_hex(4)}", endpoint_url=own_s3.endpoint_url,
                          access_key=own_s3.access_key, secret_key=own_s3.secret_key, timeout=1)
    store.create_bucket()
    monkeypatch.setattr(app.extensions["onetrip"], "store", store)
    return store


def _bounded(call, seconds: float = 10):
    """Run a request in a thread; a hang fails the test instead of freezing the suite."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("answer", call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert "answer" in result, f"no answer within {seconds} s"
    return result["answer"]


def test_a_frozen_store_answers_503_and_leaves_nothing_half_done(client, sms, s3_store, own_s3, db_session):
    headers = login_citizen(client, sms)["headers"]
    form = client.post("/api/v1/uploads", headers=headers, json={
        "filename": "a.jpg", "content_type": "image/jpeg", "size": 100_000, "purpose": "material"}).json
    assert post_presigned(client, s3_store, form["url"], form["fields"], jpeg(), "image/jpeg") == 204
    os.kill(own_s3.pid, signal.SIGSTOP)
    try:
        ready = _bounded(lambda: client.get("/readyz"))
        body = assert_error(ready, 503, "service_unavailable")
        assert body["errors"]["object_store"] == "unavailable"
        completed = _bounded(lambda: client.post(f"/api/v1/uploads/{form['id']}/complete", headers=headers))
        assert_error(completed, 503, "object_store_unavailable")
        assert completed.headers["Retry-After"]
    finally:
        os.kill(own_s3.pid, signal.SIGCONT)
    db_session.expire_all()
    upload = db_session.get(Upload, form["id"])
    assert upload.status == UploadStatus.pending and upload.sha256 is None  # nothing half-written
    assert client.get("/readyz").status_code == 200  # reads work again
    done = client.post(f"/api/v1/uploads/{form['id']}/complete", headers=headers)
    assert done.status_code == 200 and done.json["status"] == "ready"


def test_a_stopped_store_answers_503(client, sms, app, monkeypatch):
    dead = S3ObjectStore("nowhere", endpoint_url="http://127.0.0.1:9", access_key="a", secret_key="b", timeout=1)
    monkeypatch.setattr(app.extensions["onetrip"], "store", dead)
    headers = login_citizen(client, sms)["headers"]
    import io

    answer = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                         data={"purpose": "material", "file": (io.BytesIO(jpeg()), "a.jpg")})
    assert_error(answer, 503, "object_store_unavailable")
    assert_error(client.get("/readyz"), 503, "service_unavailable")
    from app.extensions import db

    with app.app_context():
        assert db.session.scalars(select(Upload)).all() == []  # the refused file left no row
