"""Progress at the speed of the framework (issue 12): what every phone polls is answered in a
constant, small number of statements, and the shortcuts taken for it keep every check."""
from __future__ import annotations

import base64
import json

from tests.factories import submitted_and_accepted
from tests.helpers import app_now, assert_error, bearer, login_citizen, statements_run

PHONE = "13800138061"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class _At:
    def __init__(self, when: float):
        self.when = when

    def time(self) -> float:
        return self.when


def test_a_token_verified_once_still_expires(client, sms, monkeypatch):
    """The signature is checked once per process; the expiry on every request."""
    import app.auth as auth

    tokens = login_citizen(client, sms, PHONE)
    headers = bearer(tokens["access_token"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # verified, remembered
    exp = _claims(tokens["access_token"])["exp"]
    monkeypatch.setattr(auth, "time", _At(exp - 1))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    monkeypatch.setattr(auth, "time", _At(exp))
    assert_error(client.get("/api/v1/me", headers=headers), 401, "token_expired")


def test_a_token_for_no_account_is_refused(client, app):
    from flask_jwt_extended import create_access_token

    with app.app_context():
        token = create_access_token(identity="citizen:999999")
    for _ in range(2):  # verified, then remembered: the account is read every time
        assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "token_invalid")


def _count(app, client, url: str, headers: dict):
    with statements_run(app) as ran:
        answer = client.get(url, headers=headers)
    return answer, [statement for _, statement in ran]


def _grow(client, db_session, application_id: int, clerk: dict, visits: int, events: int) -> None:
    from models.application import Event

    for n in range(visits):
        assert client.post(f"/api/v1/hall/applications/{application_id}/visits", headers=clerk["headers"],
                           json={"purpose": f"咨询 {n}"}).status_code in (200, 201)
    for n in range(events):
        db_session.add(Event(application_id=application_id, at=app_now(), event="note", actor_role="clerk",
                             message=f"说明 {n}"))
    db_session.commit()


def test_progress_in_at_most_three_statements_and_a_304_in_one(app, client, sms, db_session):
    """Everything the request runs counts, the account check included; the same whatever the
    number of sub-cases (3 vs 1), trips and timeline entries. Counted on a worker that remembers
    nothing (the cache is emptied before each request; what it saves: test_progress_cache.py)."""
    counts = {}
    for bundle, phone, visits, events in (("RETIRE", "13800138062", 0, 0), ("BIRTH", "13800138063", 3, 4),
                                          ("BIRTH", "13800138064", 12, 30)):
        citizen, case, clerk = submitted_and_accepted(client, sms, bundle_code=bundle, phone=phone)
        _grow(client, db_session, case["id"], clerk, visits, events)
        url = f"/api/v1/applications/{case['id']}/progress"
        client.get(url, headers=citizen["headers"])  # the holiday calendar is read at most once a minute
        app.extensions["onetrip"].progress_cache.clear()
        full, statements = _count(app, client, url, citizen["headers"])
        assert full.status_code == 200 and len(full.json["visits"]) == visits
        assert len(full.json["timeline"]) >= events
        app.extensions["onetrip"].progress_cache.clear()
        same, cached = _count(app, client, url, {**citizen["headers"], "If-None-Match": full.headers["ETag"]})
        assert same.status_code == 304 and same.headers["ETag"] == full.headers["ETag"]
        assert "Accept-Language" in same.headers["Vary"] and not same.get_data()
        counts[(bundle, visits)] = (len(statements), len(cached))
    assert set(counts.values()) == {(2, 1)}, counts


def test_progress_of_a_case_not_yours_or_of_no_account(app, client, sms):
    from flask_jwt_extended import create_access_token

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138065")
    stranger = login_citizen(client, sms, "13800138066")
    url = f"/api/v1/applications/{case['id']}/progress"
    answer, statements = _count(app, client, url, stranger["headers"])
    assert_error(answer, 404, "not_found")
    assert len(statements) <= 2  # the stamp, and the calendar at most
    with app.app_context():
        nobody = create_access_token(identity="citizen:999999")
    assert_error(client.get(url, headers=bearer(nobody)), 401, "token_invalid")
    assert_error(client.get(url, headers=clerk["headers"]), 403, "forbidden")
    assert_error(client.get(url), 401, "unauthorized")
    assert_error(client.get("/api/v1/applications/2147483647/progress", headers=citizen["headers"]), 404,
                 "not_found")


def test_progress_timestamps_read_as_the_rest_of_the_api(client, sms, db_session):
    """The document is built in the database: its timestamps are Python's isoformat() of the
    stored instant, with and without a fraction of a second."""
    from datetime import timedelta

    from sqlalchemy import select

    from models.application import Event, Pause, Visit

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138067")
    _grow(client, db_session, case["id"], clerk, 1, 0)
    base = app_now().replace(microsecond=0)
    for at in (base, base + timedelta(microseconds=123400), base + timedelta(seconds=1, microseconds=7)):
        db_session.add(Event(application_id=case["id"], at=at, event="note", actor_role="clerk", message="说明"))
    db_session.add(Pause(application_id=case["id"], reason="等待补充材料", started_at=base + timedelta(microseconds=5),
                         ended_at=base + timedelta(hours=1)))
    db_session.commit()
    view = client.get(f"/api/v1/applications/{case['id']}/progress", headers=citizen["headers"]).json
    events = db_session.scalars(select(Event).where(Event.application_id == case["id"], Event.message != "")
                                .order_by(Event.id)).all()
    assert [t["at"] for t in view["timeline"]] == [e.at.isoformat() for e in events]
    assert [t["event"] for t in view["timeline"]] == [e.event for e in events]
    assert {base.isoformat(), (base + timedelta(microseconds=123400)).isoformat()} <= {t["at"] for t in view["timeline"]}
    visit = db_session.scalars(select(Visit).where(Visit.application_id == case["id"])).one()
    assert view["visits"][0]["at"] == visit.at.isoformat()
    assert view["pauses"] == [{"reason": "等待补充材料", "started_at": (base + timedelta(microseconds=5)).isoformat(),
                               "ended_at": (base + timedelta(hours=1)).isoformat()}]


def test_progress_etag_follows_the_day_and_the_calendar(app, client, sms, clock, db_session, monkeypatch):
    from datetime import timedelta

    from app.services import calendar
    from models.calendar import CalendarOverride

    citizen, case, _ = submitted_and_accepted(client, sms, phone="13800138068")
    url = f"/api/v1/applications/{case['id']}/progress"
    tag = client.get(url, headers=citizen["headers"]).headers["ETag"]
    assert client.get(url, headers={**citizen["headers"], "If-None-Match": tag}).status_code == 304
    clock.advance(timedelta(days=1))
    tomorrow = client.get(url, headers={**citizen["headers"], "If-None-Match": tag})
    assert tomorrow.status_code == 200 and tomorrow.headers["ETag"] != tag
    # Another worker's admin declared a holiday: this worker sees it when it re-reads the calendar
    # (at most a minute later), and the tag changes with it.
    db_session.add(CalendarOverride(day=(clock() + timedelta(days=3)).date(), is_workday=False, reason="调休"))
    db_session.commit()
    monkeypatch.setattr(calendar._overrides, "_copies", {})
    later = client.get(url, headers={**citizen["headers"], "If-None-Match": tomorrow.headers["ETag"]})
    assert later.status_code == 200 and later.headers["ETag"] != tomorrow.headers["ETag"]


def test_a_connection_dropped_while_idle_is_replaced_before_use(app, client, sms, pg_url, monkeypatch):
    """No ping on every checkout (a round trip per request): a connection that sat idle is pinged,
    and a dead one replaced, so the request after a database restart still answers."""
    from sqlalchemy import create_engine, text

    import app as onetrip

    citizen = login_citizen(client, sms, PHONE)
    assert client.get("/api/v1/me", headers=citizen["headers"]).status_code == 200  # pooled, idle now
    monkeypatch.setattr(onetrip, "IDLE_PING_SECONDS", 0.0)
    killer = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        killed = conn.scalar(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    killer.dispose()
    try:
        assert killed >= 1
        assert client.get("/api/v1/me", headers=citizen["headers"]).status_code == 200
    finally:
        # Every pooled connection of this database was killed, not only the one the request used: the
        # next test's set-up must not pick up a dead one within the idle window.
        from app.extensions import db

        with app.app_context():
            db.engine.dispose()
