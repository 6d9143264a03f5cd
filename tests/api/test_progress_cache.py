"""Polled progress from a worker's memory (app/services/progress_cache.py, app/gateways/changes.py):
fewer statements, and never an answer older than the case, however it changed: through the API, at
psql, by revoking an authorisation, or while the news feed was down."""
from __future__ import annotations

import time

from sqlalchemy import create_engine, text

from tests.api.test_help_agents import _agent_application, _fill_and_submit
from tests.api.test_progress_edge import _count
from tests.factories import submitted_and_accepted
from tests.helpers import login_citizen

WAIT_SECONDS = 10.0  # a notification crosses one loopback connection: milliseconds, unless the machine is loaded


def _cache(app):
    return app.extensions["onetrip"].progress_cache


def _poll_until(predicate, what: str, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


def _remembered(app, client, url, headers):
    """Polls until one is answered without any statement (news of the set-up may still be arriving)."""
    def free():
        answer, statements = _count(app, client, url, headers)
        return answer if not statements else None
    return _poll_until(free, "a poll answered from memory")


def _polled_from_memory(app, client, application_id: int, headers: dict) -> tuple[str, dict, object]:
    """The case's progress URL, the headers of a poll with its ETag, and the first (full) answer,
    once the worker answers that poll from memory."""
    url = f"/api/v1/applications/{application_id}/progress"
    full = client.get(url, headers=headers)
    conditional = {**headers, "If-None-Match": full.headers["ETag"]}
    assert _remembered(app, client, url, conditional).status_code == 304
    return url, conditional, full


def test_a_body_is_built_once_per_tag(app, client, sms):
    """On any database: the second poll without an ETag gets the same bytes without the document
    statement; a change makes a new tag and a new body."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138071")
    url = f"/api/v1/applications/{case['id']}/progress"
    first, built = _count(app, client, url, citizen["headers"])
    again, kept = _count(app, client, url, citizen["headers"])
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert len(kept) < len(built) and not any("json_" in s for s in kept)
    assert client.post(f"/api/v1/hall/applications/{case['id']}/visits", headers=clerk["headers"],
                       json={"purpose": "补交材料"}).status_code == 201
    changed = client.get(url, headers=citizen["headers"])
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert [v["purpose"] for v in changed.json["visits"]] == ["补交材料"]
    english = client.get(url, headers={**citizen["headers"], "Accept-Language": "en"})
    assert english.headers["ETag"] != changed.headers["ETag"] and english.json["stage"] != changed.json["stage"]


def test_postgres_polls_of_an_unchanged_case_cost_no_statement(app, client, sms, pg_url):
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138072")
    url, cached, full = _polled_from_memory(app, client, case['id'], citizen["headers"])
    body = _remembered(app, client, url, citizen["headers"])
    assert body.status_code == 200 and body.get_data() == full.get_data()
    # The worker that takes a write forgets the case before it answers: the phone's next poll is new.
    assert client.post(f"/api/v1/hall/applications/{case['id']}/visits", headers=clerk["headers"],
                       json={"purpose": "补交材料"}).status_code == 201
    after = client.get(url, headers=cached)
    assert after.status_code == 200 and len(after.json["visits"]) == 1
    # Another citizen: the database still decides, every time.
    stranger = login_citizen(client, sms, "13800138073")
    for _ in range(2):
        answer, statements = _count(app, client, url, stranger["headers"])
        assert answer.status_code == 404 and statements


def test_postgres_a_change_made_outside_the_app_is_heard(app, client, sms, pg_url):
    """A person at psql (or another worker, or the CLI) changes the case: the triggers tell every
    worker, and the next poll after the news is a 200 with the change."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138074")
    url, cached, full = _polled_from_memory(app, client, case['id'], citizen["headers"])
    outside = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with outside.connect() as conn:
            conn.execute(text("INSERT INTO events (application_id, at, event, actor_role, message) "
                              "VALUES (:id, now(), 'note', 'clerk', '窗口电话告知')"), {"id": case["id"]})
        changed = _poll_until(lambda: (r := client.get(url, headers=cached)).status_code == 200 and r,
                              "the event added at psql")
        assert changed.json["timeline"][-1]["message"] == "窗口电话告知"
        again = {**citizen["headers"], "If-None-Match": changed.headers["ETag"]}
        assert _remembered(app, client, url, again).status_code == 304
        with outside.connect() as conn:  # a change to the case row alone (its version)
            conn.execute(text("UPDATE applications SET version = version + 1 WHERE id = :id"), {"id": case["id"]})
        _poll_until(lambda: client.get(url, headers=again).status_code == 200, "the row updated at psql")
    finally:
        outside.dispose()


def test_postgres_an_agent_is_cut_off_when_the_authorisation_is_revoked_anywhere(app, client, sms, today, pg_url):
    parent, child, granted, application = _agent_application(client, sms, today)
    _fill_and_submit(client, child["headers"], application)
    url, cached, full = _polled_from_memory(app, client, application['id'], child["headers"])
    outside = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with outside.connect() as conn:
            conn.execute(text("UPDATE authorizations SET revoked_at = now() WHERE id = :id"), {"id": granted["id"]})
        _poll_until(lambda: client.get(url, headers=cached).status_code == 404, "the agent refused")
    finally:
        outside.dispose()
    assert client.get(url, headers=parent["headers"]).status_code == 200  # the principal keeps the case


def test_postgres_while_the_feed_is_down_the_database_answers(app, client, sms, pg_url):
    """The watcher's connection is killed: the worker stops trusting what it kept (a change made now
    would not be heard), answers from the database, and trusts its memory again once it listens."""
    from app.extensions import db
    from app.gateways.changes import watcher_of

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138075")
    url, cached, full = _polled_from_memory(app, client, case['id'], citizen["headers"])
    with app.app_context():
        watcher = watcher_of(db.engine)
    connections, pid = watcher.connections, watcher.backend_pid
    outside = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with outside.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            _poll_until(lambda: not _cache(app).live or watcher.connections > connections, "the feed noticed")
            # Changed while nobody may be listening: must be seen all the same.
            conn.execute(text("INSERT INTO events (application_id, at, event, actor_role, message) "
                              "VALUES (:id, now(), 'note', 'clerk', '断线期间的变更')"), {"id": case["id"]})
        changed = client.get(url, headers=cached)
        assert changed.status_code == 200 and changed.json["timeline"][-1]["message"] == "断线期间的变更"
        _poll_until(lambda: watcher.connections > connections and _cache(app).live, "the feed back")
        again = {**citizen["headers"], "If-None-Match": changed.headers["ETag"]}
        assert _remembered(app, client, url, again).status_code == 304
    finally:
        outside.dispose()


def test_postgres_a_new_day_is_read_from_the_database(app, client, sms, clock, pg_url):
    """Stamps are kept for the day they were read on (an authorisation lapses at midnight; the
    remaining working days change): the first poll of a new day asks the database again."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138076")
    url, cached, full = _polled_from_memory(app, client, case['id'], citizen["headers"])
    clock.advance(days=1)
    tomorrow, statements = _count(app, client, url, cached)
    assert tomorrow.status_code == 200 and tomorrow.headers["ETag"] != full.headers["ETag"] and statements


def test_postgres_a_deaf_feed_is_not_trusted(app, pg_url):
    """A connection that still answers but hears nothing (its beats no longer come back: a quiet
    failure, or a pooler that does not carry LISTEN) turns the cache dark; it is trusted again only
    once a beat comes back."""
    from sqlalchemy import create_engine as engine_for

    from app.gateways.changes import ChangeWatcher
    from app.services.progress_cache import ProgressCache

    engine = engine_for(pg_url)
    watcher = ChangeWatcher(engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                            heartbeat=0.3)
    cache = ProgressCache()
    try:
        watcher.subscribe(cache)
        _poll_until(lambda: cache.live, "live once its first beat came back")
        watcher.beat_channel = "onetrip_nobody_listens"
        _poll_until(lambda: not cache.live, "dark when the beats stop coming back")
        connections = watcher.connections
        _poll_until(lambda: watcher.connections > connections, "it tries again")
        assert not cache.live  # reconnected, but still deaf: never trusted
        watcher.beat_channel = "onetrip_progress"
        _poll_until(lambda: cache.live, "trusted again once a beat comes back")
    finally:
        watcher.stop()
        engine.dispose()
