"""A database connection killed in the middle of a request (PostgreSQL): 503, nothing half-written,
and the retry with the same Idempotency-Key creates the application exactly once."""
from __future__ import annotations

from sqlalchemy import func, select, text

from models.application import Application
from tests.helpers import assert_error, login_citizen


def test_a_killed_connection_answers_503_and_the_retry_creates_once(client, sms, app, db_session, pg_url,
                                                                  monkeypatch):
    from app.services import applications as service

    headers = {**login_citizen(client, sms)["headers"], "Idempotency-Key": "killed-mid-request"}
    real, killed = service.create_application, []

    def killed_first(**kwargs):
        if not killed:
            killed.append(True)
            kwargs["session"].execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return real(**kwargs)

    monkeypatch.setattr(service, "create_application", killed_first)
    first = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"})
    assert_error(first, 503, "database_unavailable")
    assert first.headers["Retry-After"]
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0
    retry = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"})
    assert retry.status_code == 201, retry.json
    again = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"})
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json["id"] == retry.json["id"]
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1
