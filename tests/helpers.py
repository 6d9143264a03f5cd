"""Logging in as the phone and the hall desk do."""
from __future__ import annotations

import ast
import contextlib
import functools
from pathlib import Path

from app.services.demo_data import STAFF

PASSWORDS = {username: password for username, password, *_ in STAFF}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login_citizen(client, sms, phone: str = "13800138000") -> dict:
    """SMS login; returns the token answer (with `headers` added for convenience)."""
    # Each test phone gets its own address: the per-IP SMS limit is exercised in its own tests.
    ip = f"10.{int(phone[-6:-4])}.{int(phone[-4:-2])}.{int(phone[-2:])}"
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})
    assert sent.status_code == 202, sent.json
    answer = client.post("/api/v1/auth/citizen-tokens", json={"phone": phone, "code": sms.last_code(phone)})
    assert answer.status_code == 200, answer.json
    body = answer.json
    body["headers"] = bearer(body["access_token"])
    return body


def login_staff(client, username: str) -> dict:
    answer = client.post("/api/v1/auth/staff-tokens",
                         json={"username": username, "password": PASSWORDS[username]})
    assert answer.status_code == 200, answer.json
    body = answer.json
    body["headers"] = bearer(body["access_token"])
    return body


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert body["code"] == status and body["error"] == code, body
    assert body["message"] and body["status"]
    return body


def post_presigned(client, store, url: str, fields: dict, data: bytes, content_type: str) -> int:
    """POST a presigned form as a phone would: to the S3 server, or to the app for the local store."""
    import io

    from storage.local import LocalObjectStore

    if isinstance(store, LocalObjectStore):
        path = url if url.startswith("/") else "/" + url.split("://", 1)[1].split("/", 1)[1]
        return client.post(path, content_type="multipart/form-data",
                           data={**fields, "file": (io.BytesIO(data), "f", content_type)}).status_code
    import requests

    return requests.post(url, data=fields, files={"file": ("f", data, content_type)}, timeout=10).status_code


APP_CLOCK = None  # the running test's app clock, set by conftest


def app_now():
    """Now by the app's clock (tests never read the wall clock; see conftest)."""
    return APP_CLOCK()


@functools.cache
def parsed(path: Path) -> ast.Module:
    """A source file's syntax tree, parsed once a run: the rule checks on the source (one home, the
    import graph, the unit of work) read the same ~150 files in several tests. Only walked, never
    changed."""
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


@contextlib.contextmanager
def statements_run(app):
    """Every SQL statement the app's engine runs inside the block, as (isolation level, statement)."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    ran: list[tuple[str | None, str]] = []

    def record(conn, cursor, statement, *args):
        ran.append((conn.get_execution_options().get("isolation_level"), statement))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)
