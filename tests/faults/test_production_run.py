"""The production run: gunicorn with gunicorn.conf.py, JSON logs with X-Request-ID, /metrics
scraped, the header limit in the contract's error shape (finding 11), and a clean SIGTERM."""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.factories import submitted_and_accepted
from tests.helpers import assert_error, login_citizen

# A real gunicorn process polled with sleeps: not under libfaketime (its sleep fails with EINVAL).
pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """gunicorn as production runs it, two workers, on the test database (migrated by `app`)."""
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "w+")
    env = {**os.environ, "DATABASE_URL": database_url, "OBJECT_STORE": f"local:{tmp_path / 'objects'}",
           "SECRET_KEY": "test-secret-key-for-onetrip-tests-only", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": "2", "LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(base + "/healthz", timeout=5)
            break
        except requests.RequestException:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
    yield base, proc, tmp_path / "gunicorn.log"
    if proc.poll() is None:
        proc.kill()
    log.close()


def test_gunicorn_run_logs_ids_answers_limits_and_is_scraped(gunicorn):
    base, proc, log = gunicorn
    answer = requests.get(base + "/healthz", headers={"X-Request-ID": "trace-abc-123"}, timeout=5)
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "trace-abc-123"
    fresh = requests.get(base + "/api/v1/items", timeout=5)
    assert len(fresh.headers["X-Request-ID"]) == 32  # made when none was sent
    # Finding 11: a 64 KB header gets the contract's shape, not gunicorn's plain page.
    big = requests.get(base + "/api/v1/items", headers={"X-Junk": "x" * 65536}, timeout=5)
    assert big.status_code == 431
    body = big.json()
    assert body["error"] == "request_header_too_large" and body["code"] == 431 and body["message"]
    scraped = requests.get(base + "/metrics", timeout=5)
    assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain")
    text = scraped.text
    assert 'onetrip_request_seconds_count{endpoint="/healthz",method="GET",status="200"}' in text
    assert "onetrip_outbox_backlog" in text and 'onetrip_open_cases{light="red"}' in text
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    mine = [entry for entry in lines if entry.get("request_id") == "trace-abc-123"]
    assert mine and mine[0]["logger"] == "onetrip.access" and mine[0]["status"] == 200


def test_metrics_in_process(client, sms, app):
    submitted_and_accepted(client, sms)
    headers = login_citizen(client, sms, "13900139000")["headers"]
    refused = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                          data={"purpose": "material", "file": (io.BytesIO(b"MZ not an image"), "a.jpg")})
    assert_error(refused, 422, "file_refused")
    text = client.get("/metrics").get_data(as_text=True)
    assert "onetrip_outbox_backlog 2.0" in text
    assert 'onetrip_upload_refusals_total{reason="type"}' in text
    assert 'onetrip_request_seconds_bucket{endpoint="/api/v1/uploads/direct"' in text
    app.config["METRICS_TOKEN"] = "scrape-me"
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None


def test_request_ids_in_process(client):
    assert client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"] != \
        "bad id with spaces"
    answer = client.get("/api/v1/items", headers={"X-Junk": "x" * 20000})
    assert_error(answer, 431, "request_header_too_large")
    assert answer.headers["X-Request-ID"]
