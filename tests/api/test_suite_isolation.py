"""The suite's isolation: every test starts from the seeded database whatever the last one wrote and
through whichever connection; runs beside each other (xdist workers, two checkouts) share one Redis
and never reset each other's limits; the session app's limits stay in the storage its config names
even after a test built an app of its own."""
from __future__ import annotations

import os
import secrets

from app.extensions import limiter
from tests.conftest import SESSION_LIMITS, _snapshot, limits_back_on, need_service, restore_seed
from tests.helpers import login_citizen

PHONE = "13800138000"


def test_the_seed_comes_back_whatever_a_test_wrote_and_through_any_connection(app, client, sms, database_url):
    from sqlalchemy import create_engine, text

    from app.extensions import db

    first = login_citizen(client, sms, PHONE)["citizen"]["id"]  # rows written by the app
    elsewhere = create_engine(database_url)  # as a gunicorn or worker process writes: not the app's engine
    with elsewhere.begin() as conn:
        conn.execute(text("UPDATE staff SET display_name = 'changed elsewhere'"))
    elsewhere.dispose()
    restore_seed(app)
    with app.app_context():
        assert _snapshot(db) == app.config["SEED_SNAPSHOT"]
    limiter.reset()  # as before every test: the SMS code just sent counts against the phone
    assert login_citizen(client, sms, PHONE)["citizen"]["id"] == first  # ids start again, too


def test_the_session_apps_limits_come_back_after_another_app_was_made(app, client):
    from app import create_app

    ours, _ = app.extensions[SESSION_LIMITS]
    assert limiter.storage is ours  # put back before this test (apps were made earlier in most runs)
    create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-for-onetrip-tests-only",
                "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert limiter.storage is not ours  # Flask-Limiter re-points the shared limiter at the new app's
    assert limits_back_on(app) is ours and limiter.storage is ours  # what every test starts with
    expected = "RedisStorage" if os.environ.get("TEST_REDIS_URL") else "MemoryStorage"
    assert type(ours).__name__ == expected


def test_a_reset_deletes_this_runs_limits_and_no_one_elses(app, client):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        need_service("this test needs Redis: set TEST_REDIS_URL")
    import redis

    server = redis.Redis.from_url(url, socket_timeout=2)
    ours = limits_back_on(app)
    assert ours.key_prefix.startswith("onetrip-test-")
    neighbour = f"onetrip-test-{secrets.token_hex(4)}:LIMITS/sms-codes/10.0.0.1"  # another run's counter
    server.set(neighbour, 1, ex=60)
    try:
        assert client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}).status_code == 202
        assert server.keys(f"{ours.key_prefix}:*")  # counted under this run's prefix
        limiter.reset()
        assert server.keys(f"{ours.key_prefix}:*") == [] and server.get(neighbour) == b"1"
    finally:
        server.delete(neighbour)
