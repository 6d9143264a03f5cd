"""Every list at a million applications: ms per page on PostgreSQL (goal: < 20 ms) and SQL statements
per request (goal: <= 3, the staff access-log INSERT aside), against GET /healthz in the same run.

    .venv/bin/python bench/list_pages.py [--server postgresql+psycopg://postgres@127.0.0.1:5432/]
                                         [--count 1000000] [--repeat 21] [--db NAME] [--keep]

Creates a fresh database on the server (or reuses --db NAME when it already holds a seeded history),
migrates it, seeds the demo catalogue and `count` past applications (app.services.history.seed_history,
COPY on PostgreSQL), VACUUM ANALYZEs (what autovacuum does after a load), then times each list through
the Flask test client: the first page, a deep page and a filtered page, median of --repeat calls after
one warm-up. The database is dropped at the end unless --keep (then pass --db NAME to reuse it).
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (who, path) — `citizen` is the applicant of the newest history case.
LISTS = [
    ("citizen", "/api/v1/applications"),
    ("citizen", "/api/v1/applications?status=delivered"),
    ("clerk", "/api/v1/hall/applications"),
    ("clerk", "/api/v1/hall/applications?status=delivered"),
    ("clerk", "/api/v1/hall/applications?status=in_review"),
    ("clerk", "/api/v1/hall/shipments"),
    ("clerk", "/api/v1/hall/shipments?status=delivered"),
    ("reviewer-rsj", "/api/v1/department/subcases"),
    ("reviewer-rsj", "/api/v1/department/subcases?status=pending"),
    ("courier", "/api/v1/courier/shipments"),
    ("courier", "/api/v1/courier/shipments?status=delivered"),
    ("supervisor", "/api/v1/supervision/warnings"),
    ("supervisor", "/api/v1/supervision/warnings?light=red"),
    ("clerk", "/api/v1/alerts"),
    ("reviewer-rsj", "/api/v1/alerts"),
    ("clerk", "/api/v1/supervision/rectifications"),
    ("supervisor", "/api/v1/supervision/rectifications"),
    ("supervisor", "/api/v1/supervision/rectifications?status=open"),
    ("supervisor", "/api/v1/supervision/complaints"),
    ("supervisor", "/api/v1/supervision/complaints?status=open"),
    ("reviewer-gjj", "/api/v1/supervision/complaints"),
]
DEEP_PAGE = 50  # page 50 of 20: 980 rows skipped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--db", help="reuse this database if it exists (seeded by an earlier --keep run)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each list's statements")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = args.db or f"onetrip_lists_{secrets.token_hex(4)}"
    admin = create_engine(make_url(args.server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    try:
        run(url, args, seeded=bool(exists))
    finally:
        if args.keep:
            print(f"kept database {name}: rerun with --db {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(url: str, args, *, seeded: bool) -> None:
    var = Path(tempfile.mkdtemp(prefix="onetrip-bench-"))
    os.environ.update({"ONETRIP_VAR_DIR": str(var), "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                       "OBJECT_STORE": f"local:{var / 'objects'}", "DATABASE_URL": url})
    from flask_migrate import upgrade
    from sqlalchemy import event, func, select, text

    from app import create_app
    from app.clock import local_date
    from app.extensions import db
    from app.services.history import seed_history
    from app.services.seed import seed_demo
    from models.application import Application
    from models.citizen import Citizen
    from tests.fakes import FakeSms
    from tests.helpers import login_citizen, login_staff

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    app.extensions["onetrip"].sms = FakeSms()
    logging.getLogger("onetrip").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        have = db.session.scalar(select(func.count()).select_from(Application))
        if not seeded or have < args.count:
            seed_demo(session=db.session, clock=app.extensions["onetrip"].clock, cipher=app.extensions["onetrip"].cipher)
            started = time.perf_counter()
            seed_history(session=db.session, count=args.count, months=12,
                         today=local_date(app.extensions["onetrip"].clock()))
            print(f"seeded {args.count} applications in {time.perf_counter() - started:.0f} s")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                started = time.perf_counter()
                conn.execute(text("VACUUM ANALYZE"))
                print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
        have = db.session.scalar(select(func.count()).select_from(Application))
        newest = db.session.scalar(select(Application.citizen_id).order_by(Application.id.desc()).limit(1))
        phone = db.session.scalar(select(Citizen.phone).where(Citizen.id == newest))
        engine = db.engine
    client = app.test_client()
    headers = {"citizen": login_citizen(client, app.extensions["onetrip"].sms, phone)["headers"]}
    for who in {w for w, _ in LISTS} - {"citizen"}:
        headers[who] = login_staff(client, who)["headers"]

    def statements(url: str, who: str) -> list[tuple]:
        seen = []
        listener = lambda conn, cursor, statement, parameters, *rest: seen.append((statement, parameters))  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            answer = client.get(url, headers=headers[who])
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert answer.status_code == 200, (url, answer.status_code, answer.get_data(as_text=True)[:300])
        return seen

    def timed(url: str, who: str) -> tuple[float, float, int, str]:
        """Median ms of the whole request, and median ms of it spent waiting for the database (from
        sending each statement to having its rows; the access-log INSERT included, its COMMIT not)."""
        client.get(url, headers=headers[who])  # warm-up
        times, in_sql, started_sql = [], [], []

        def before(*_):
            started_sql.append(time.perf_counter())

        def after(*_):
            in_sql[-1] += time.perf_counter() - started_sql.pop()

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            for _ in range(args.repeat):
                in_sql.append(0.0)
                started = time.perf_counter()
                answer = client.get(url, headers=headers[who])
                times.append(time.perf_counter() - started)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        assert answer.status_code == 200, (url, answer.status_code)
        return (statistics.median(times) * 1000, statistics.median(in_sql) * 1000, len(answer.json),
                answer.headers.get("X-Pagination", ""))

    load = os.getloadavg()
    print(f"{have} applications; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"median of {args.repeat}")
    base, _, _, _ = timed("/healthz", "citizen")
    print(f"{'baseline GET /healthz':60} {base:7.2f} ms")
    print(f"{'list':60} {'ms':>7} {'ratio':>6} {'in SQL':>6} {'rows':>4} {'SQL':>3}  X-Pagination")
    worst = 0.0
    for who, path in LISTS:
        joint = "&" if "?" in path else "?"
        for label, url in ((path, path), (f"{path} page {DEEP_PAGE}", f"{path}{joint}page={DEEP_PAGE}")):
            sql = statements(url, who)
            counted = [s for s, _ in sql if not s.lstrip().upper().startswith("INSERT INTO ACCESS_LOG")]
            ms, sql_ms, rows, meta = timed(url, who)
            worst = max(worst, ms)
            print(f"{who + ' ' + label:60} {ms:7.2f} {ms / base:6.1f} {sql_ms:6.2f} {rows:4} {len(counted):3}  {meta}")
            if args.explain:
                explain(engine, sql)
    print(f"slowest page {worst:.2f} ms (goal < 20 ms)")


def explain(engine, statements: list[tuple]) -> None:
    """EXPLAIN ANALYZE each SELECT as it ran, with its parameters."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            print("    " + " ".join(statement.split())[:300])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            for (line,) in cursor.fetchall():
                print("      " + line)
        raw.rollback()
    finally:
        raw.close()


if __name__ == "__main__":
    main()
