"""Test fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), the demo
seed restored before every test, fakes for SMS and WeChat, and SeaweedFS for S3."""
from __future__ import annotations

import os
import secrets
from datetime import datetime

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from app.clock import MovableClock, local_date
from tests import helpers
from tests.fakes import FakeSms, FakeWechat
from tests.services import seaweedfs_server

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Tests never read the wall clock (DESIGN rule 20): the app runs on a movable clock that starts at
# this moment in every test. `--clock` (or ONETRIP_TEST_CLOCK) runs the whole suite on another day;
# CI does so for a Tuesday, a Friday, the eve of National Day and New Year's Eve.
DEFAULT_START = "2026-11-24T10:00:00+08:00"  # a Tuesday
H5_ORIGIN = "https://h5.onetrip.test"
TEST_PASSWORD_HASH_METHOD = "scrypt:128:8:1"  # the same scrypt at 1/256 of its cost (OpenSSL refuses N < 128)


def pytest_addoption(parser):
    parser.addoption("--clock", default=os.environ.get("ONETRIP_TEST_CLOCK", DEFAULT_START),
                     help="ISO datetime with offset at which the app's clock starts in every test")
    parser.addoption("--without-s3", action="store_true", default=False,
                     help="skip tests that talk to S3 (for runs under faketime: the S3 server refuses "
                          "requests signed with a moved clock, and boto3's retry sleeps fail there)")


def pytest_configure(config):
    start = datetime.fromisoformat(config.getoption("--clock"))
    if start.tzinfo is None:
        raise pytest.UsageError("--clock needs an offset, e.g. 2026-09-30T10:00:00+08:00")
    config.onetrip_start = start
    config.addinivalue_line("markers", "fuzz: searches many inputs (schemathesis, sweeps of layouts, loads "
                                       "and callers); slow, run in CI (one case of each sweep stays in the "
                                       "fast loop)")
    config.addinivalue_line("markers", "browser: drives headless Chromium against a live server")
    config.addinivalue_line("markers", "s3: talks to an S3 endpoint (skipped by --without-s3)")
    config.addinivalue_line("markers", "live: a real server process or a gateway that really sleeps "
                                       "(left out of the runs under faketime)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--without-s3"):
        skip = pytest.mark.skip(reason="S3 tests skipped for this run (--without-s3)")
        for item in items:
            if "s3" in item.keywords:
                item.add_marker(skip)


def pytest_report_header(config):
    return f"onetrip: app clock starts at {config.onetrip_start.isoformat()} in every test"


def need_service(reason: str):
    """Skip with the reason, or fail when CI demands every real component (REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def _memory_backed_directory() -> str | None:
    """A fresh directory in RAM (tmpfs /dev/shm) where the machine has one, else None (disk then).
    The suite commits ~4,000 times; each commit on disk waits for an fsync (~8 ms), on tmpfs it does
    not (~0.3 ms): half a minute of the fast loop. SQLite behaves the same otherwise (same file
    format, journal and locks)."""
    import tempfile

    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return tempfile.mkdtemp(prefix="onetrip-test-db-", dir=shm)
    return None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        import shutil

        in_memory = _memory_backed_directory()
        directory = in_memory or tmp_path_factory.mktemp("db")
        try:
            yield f"sqlite:///{os.path.join(directory, 'test.db')}"
        finally:
            if in_memory:
                shutil.rmtree(in_memory, ignore_errors=True)
        return
    # A fresh database per run on the shared server, dropped afterwards.
    name = f"onetrip_test_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, pytestconfig):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services.seed import seed_demo

    objects = tmp_path_factory.mktemp("objects")
    # Rate limits on Redis as in production when TEST_REDIS_URL is set (CI sets it), else in memory.
    # Each run (each xdist worker) keeps its keys under a prefix of its own: `limiter.reset()`
    # deletes the keys under its prefix, and must never wipe the limits of a run beside it.
    limits_storage = os.environ.get("TEST_REDIS_URL") or "memory://"
    limits_prefix = f"onetrip-test-{secrets.token_hex(4)}"
    if limits_storage != "memory://":
        import redis

        try:
            redis.Redis.from_url(limits_storage, socket_timeout=2).ping()
        except redis.RedisError as exc:
            need_service(f"Redis at {limits_storage}: {exc}")
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-for-onetrip-tests-only",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "OBJECT_STORE": f"local:{objects}",
        "RATELIMIT_STORAGE_URI": limits_storage,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": limits_prefix},
        # An H5 page on another origin calls the API, as in the field (tests/api/test_clients.py).
        "CORS_ORIGINS": [H5_ORIGIN],
        # Staff passwords at a test cost: scrypt at production cost took ~0.2 s a login here, 90 s of
        # the fast loop (445 hashes). Production's cost is checked in tests/unit/test_rules.py.
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
    })
    application.extensions["onetrip"].sms = FakeSms()
    application.extensions["onetrip"].wechat = FakeWechat()
    application.extensions[SESSION_LIMITS] = limits_of_current_app()
    with application.app_context():
        upgrade()
        seed_demo(session=db.session, clock=MovableClock(pytestconfig.onetrip_start),
                  cipher=application.extensions["onetrip"].cipher,
                  passwords=application.extensions["onetrip"].passwords)
        application.config["SEED_SNAPSHOT"] = _snapshot(db)
        application.extensions[SEEDED_FILE] = _pristine_copy(db)
        db.session.remove()
    yield application
    limits_back_on(application).reset()  # this run's keys, nobody else's
    with application.app_context():
        from app.gateways.changes import watcher_of

        watcher = watcher_of(db.engine)
        if watcher is not None:  # the database is dropped next: no reconnecting to it
            watcher.stop()
        db.engine.dispose()
    if application.extensions[SEEDED_FILE] is not None:
        application.extensions[SEEDED_FILE].close()


SESSION_LIMITS = "onetrip-test-limits"


def limits_of_current_app() -> tuple:
    """The storage (and its strategy) the shared limiter was last pointed at."""
    from app.extensions import limiter

    return limiter._storage, limiter._limiter


def limits_back_on(application):
    """Point the shared limiter at the session app's storage again and return that storage.
    Flask-Limiter keeps one storage per Limiter object, and every create_app re-points the shared
    `limiter` at its own: after a test that builds an app of its own (memory://), the session app's
    limits would stay in memory for the rest of the run, never on the Redis that CI gives it."""
    from app.extensions import limiter

    limiter._storage, limiter._limiter = application.extensions[SESSION_LIMITS]
    return limiter.storage


SEEDED_FILE = "onetrip-test-seeded-sqlite"


def restore_seed(application) -> None:
    """The database back to the seeded demo state, whatever the last test wrote and through
    whichever connection (the app's, another app's, a gunicorn or worker process)."""
    from app.extensions import db

    with application.app_context():
        pristine = application.extensions[SEEDED_FILE]
        if pristine is not None:
            with db.engine.connect() as conn:
                pristine.backup(conn.connection.driver_connection)
        else:
            _restore(db, application.config["SEED_SNAPSHOT"])


def _pristine_copy(db):
    """SQLite: the whole seeded file (schema, rows, sequences) copied into memory, to be copied back
    page by page with SQLite's backup API before each test: ~1 ms, where deleting and inserting
    every table took ~6 ms. None on PostgreSQL, which deletes and inserts (`_restore`)."""
    import sqlite3

    if db.engine.dialect.name != "sqlite":
        return None
    pristine = sqlite3.connect(":memory:")
    with db.engine.connect() as conn:
        conn.connection.driver_connection.backup(pristine)
    return pristine


def _tables(db):
    return list(db.metadata.sorted_tables)


def _snapshot(db) -> list[tuple]:
    with db.engine.connect() as conn:
        return [(table, [dict(row._mapping) for row in conn.execute(select(table))]) for table in _tables(db)]


def _restore(db, snapshot) -> None:
    with db.engine.begin() as conn:
        for table in reversed(_tables(db)):
            conn.execute(table.delete())
        for table, rows in snapshot:
            if rows:
                conn.execute(insert(table), rows)
        if conn.dialect.name == "postgresql":
            for table, _ in snapshot:
                if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


@pytest.fixture(autouse=True)
def _fresh_state(request):
    """Every test that touches the app starts from the seeded demo catalogue and no limits."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    from app.extensions import db, limiter
    from app.services.remembered import forget_all

    restore_seed(application)
    limits_back_on(application)
    limiter.reset()
    services = application.extensions["onetrip"]
    services.progress_cache.clear()  # ids start again after the restore: nothing remembered of the last test
    forget_all()  # the calendar and the catalogue's names went back to the seed's behind the app's back
    services.sms.sent.clear()
    services.sms.fail = False
    services.wechat.reset()
    services.clock = helpers.APP_CLOCK = MovableClock(request.config.onetrip_start)
    yield
    with application.app_context():
        db.session.remove()


@pytest.fixture
def clock(app) -> MovableClock:
    """The app's clock for this test: starts at `--clock`; `clock.set(...)`/`clock.advance(days=3)`."""
    return app.extensions["onetrip"].clock


@pytest.fixture
def today(clock):
    """Today in Asia/Shanghai by the app's clock (never the machine's date)."""
    return local_date(clock())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sms(app) -> FakeSms:
    return app.extensions["onetrip"].sms


@pytest.fixture
def wechat(app) -> FakeWechat:
    return app.extensions["onetrip"].wechat


@pytest.fixture
def passwords(app):
    """How the app hashes staff passwords (scrypt at TEST_PASSWORD_HASH_METHOD's cost)."""
    return app.extensions["onetrip"].passwords


@pytest.fixture
def db_session(app):
    from app.extensions import db

    with app.app_context():
        yield db.session


def start_seaweedfs(request, tmp_path_factory, name: str):
    """A SeaweedFS of its own (a context manager), or the skip (or CI failure) that says why not."""
    if request.config.getoption("--without-s3"):
        pytest.skip("S3 tests skipped for this run (--without-s3)")
    try:
        return seaweedfs_server(tmp_path_factory.mktemp(name))
    except RuntimeError as exc:
        need_service(str(exc))


@pytest.fixture(scope="session")
def s3_server(request, tmp_path_factory):
    """A real S3 server (SeaweedFS), started once per session."""
    with start_seaweedfs(request, tmp_path_factory, "seaweed") as running:
        yield running


@pytest.fixture(scope="session")
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        need_service("this test needs PostgreSQL: set TEST_DATABASE_URL")
    return database_url


@pytest.fixture(params=["local", "s3"])
def app_store(request, app, tmp_path, monkeypatch):
    """The app's object store, once on local disk and once on SeaweedFS, for flows that go through
    the app's presigned uploads and downloads."""
    import secrets

    from storage.local import LocalObjectStore
    from storage.s3 import S3ObjectStore

    if request.param == "local":
        store = LocalObjectStore(tmp_path / "objects", secret="k")
    else:
        server = request.getfixturevalue("s3_server")
        store = S3ObjectStore(f"store-{secrets.token_hex(4)}", endpoint_url=server.endpoint_url,
                              access_key=server.access_key, secret_key=server.secret_key)
        store.create_bucket()
    monkeypatch.setattr(app.extensions["onetrip"], "store", store)
    return store
