"""Who looked at my data, and my messages (API.md v1.1)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.services import outbox
from models.access_log import AccessLogEntry
from tests.factories import submitted_and_accepted
from tests.helpers import app_now, assert_error, login_staff


def test_staff_reads_are_shown_to_the_citizen_and_the_supervisor(client, sms, db_session, today):
    citizen, application, clerk = submitted_and_accepted(client, sms)
    mine = citizen["headers"]
    assert client.get("/api/v1/me/access-log", headers=mine).json == []
    url = f"/api/v1/hall/applications/{application['id']}"
    assert client.get(url, headers={**clerk["headers"], "X-Purpose": quote("核对户籍信息")}).status_code == 200
    file_id = application["materials"][0]["upload_ids"] or client.get(
        f"/api/v1/applications/{application['id']}", headers=mine).json["materials"][0]["upload_ids"]
    assert client.get(f"/api/v1/uploads/{file_id[0]}", headers=clerk["headers"]).status_code == 200
    reviewer = login_staff(client, "reviewer-rsj")
    assert client.get("/api/v1/department/subcases", headers=reviewer["headers"]).status_code == 200
    # The citizen's own reads are not staff reads.
    client.get(f"/api/v1/applications/{application['id']}", headers=mine)
    log = client.get("/api/v1/me/access-log", headers=mine).json
    got = {(e["staff_role"], e["resource"], e["purpose"]) for e in log}
    assert got == {("clerk", "application", "核对户籍信息"), ("clerk", "upload", "查看申请材料"),
                   ("reviewer", "application", "并联审批")}
    first = next(e for e in log if e["purpose"] == "核对户籍信息")
    assert first["label"] == application["number"] and first["organisation"] and first["staff_name"]
    # Another citizen sees none of it.
    from tests.helpers import login_citizen

    other = login_citizen(client, sms, "13900139000")["headers"]
    assert client.get("/api/v1/me/access-log", headers=other).json == []
    supervisor = login_staff(client, "supervisor")["headers"]
    listed = client.get(f"/api/v1/supervision/access-log?citizen_id={citizen['citizen']['id']}"
                        f"&from={today}&to={today}", headers=supervisor)
    assert listed.status_code == 200 and len(listed.json) == 3
    by_clerk = client.get(f"/api/v1/supervision/access-log?staff_id={clerk['staff']['id']}", headers=supervisor).json
    assert {e["resource"] for e in by_clerk} == {"application", "upload"}
    assert_error(client.get("/api/v1/supervision/access-log?region_code=330802", headers=supervisor), 403, "forbidden")
    assert_error(client.get("/api/v1/supervision/access-log", headers=clerk["headers"]), 403, "forbidden")
    assert_error(client.get("/api/v1/me/access-log", headers=clerk["headers"]), 403, "forbidden")
    # Append-only.
    entry = db_session.scalars(select(AccessLogEntry)).first()
    entry.purpose = "rewritten"
    with pytest.raises(RuntimeError):
        db_session.commit()
    db_session.rollback()


def test_my_messages_with_status_and_read_marks(client, sms, db_session):
    citizen, application, _ = submitted_and_accepted(client, sms)
    headers = citizen["headers"]
    listed = client.get("/api/v1/me/messages", headers=headers)
    assert listed.status_code == 200
    assert [m["status"] for m in listed.json] == ["queued", "queued"]
    assert {m["template"] for m in listed.json} == {"application_submitted", "application_accepted"}
    outbox.deliver_due(session=db_session, clock=app_now, sms=sms, wechat=None)
    messages = client.get("/api/v1/me/messages", headers=headers).json
    assert {m["status"] for m in messages} == {"sent"} and {m["channel"] for m in messages} == {"sms"}
    first = messages[0]
    read = client.post(f"/api/v1/me/messages/{first['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json["read_at"]
    again = client.post(f"/api/v1/me/messages/{first['id']}/read", headers=headers)
    assert again.json["read_at"] == read.json["read_at"]
    unread = client.get("/api/v1/me/messages?unread=true", headers=headers).json
    assert [m["id"] for m in unread] == [messages[1]["id"]]
    from tests.helpers import login_citizen

    other = login_citizen(client, sms, "13900139000")["headers"]
    assert client.get("/api/v1/me/messages", headers=other).json == []
    assert_error(client.post(f"/api/v1/me/messages/{first['id']}/read", headers=other), 404, "not_found")


def test_access_log_and_messages_are_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json["paths"]
    for path in ("/api/v1/me/access-log", "/api/v1/supervision/access-log", "/api/v1/me/messages",
                 "/api/v1/me/messages/{message_id}/read"):
        assert path in paths, path
