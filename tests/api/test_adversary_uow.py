"""One unit of work (issue 12, DESIGN rule 18): a request that fails after it has written (a bug, a
gateway down) leaves nothing in the database — also on a connection a read-only request (progress,
read in autocommit) used just before; and an Idempotency-Key retry still replays the first answer."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.factories import ready_application, submitted_and_accepted
from tests.helpers import login_staff

IGNORED = {"access_log", "refresh_tokens", "idempotency_records", "alembic_version"}


def _rows(app) -> dict[str, int]:
    with app.app_context():
        with db.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t))
                    for t in db.metadata.sorted_tables if t.name not in IGNORED}


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("poll_first", [False, True], ids=["fresh", "after-progress-poll"])
def test_a_failure_after_writes_leaves_nothing(app, client, sms, monkeypatch, poll_first):
    import app.services.hall as hall

    citizen, application = ready_application(client, sms)
    url = f"/api/v1/applications/{application['id']}"
    assert client.post(f"{url}/submit", headers=citizen["headers"]).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    if poll_first:  # the same thread, the same pooled connection, a read-only request first
        assert client.get(f"{url}/progress", headers=citizen["headers"]).status_code == 200
    before = _rows(app)

    def fail(*args, **kwargs):  # the acceptance has flushed its move, event and sub-cases by now
        raise Boom("the outbox is down")

    monkeypatch.setattr(hall, "notify", fail)
    app.config["PROPAGATE_EXCEPTIONS"], propagate = False, app.config.get("PROPAGATE_EXCEPTIONS")
    try:
        answer = client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk, json={})
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = propagate
    assert answer.status_code == 500 and answer.json["error"] == "internal_error", answer.json
    assert _rows(app) == before
    assert client.get(url, headers=citizen["headers"]).json["status"] == "submitted"
    monkeypatch.undo()
    assert client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk,
                       json={}).status_code == 200


def test_idempotent_create_replays_and_writes_once(app, client, sms):
    from tests.factories import hall_id, verified_citizen

    citizen = verified_citizen(client, sms)
    headers = {**citizen["headers"], "Idempotency-Key": "create-1"}
    body = {"bundle_code": "RETIRE", "hall_id": hall_id(client)}
    before = _rows(app)
    first = client.post("/api/v1/applications", headers=headers, json=body)
    again = client.post("/api/v1/applications", headers=headers, json=body)
    assert first.status_code == 201 and again.status_code == 201, (first.json, again.json)
    assert again.json == first.json and again.headers.get("Idempotent-Replayed") == "true"
    after = _rows(app)
    assert after["applications"] == before["applications"] + 1
    assert after["number_sequences"] - before["number_sequences"] <= 1
    other = client.post("/api/v1/applications", headers=headers, json={**body, "bundle_code": "BIRTH"})
    assert other.status_code == 422 and other.json["error"] == "idempotency_key_reused"
