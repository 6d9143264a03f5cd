"""Every list at a million applications: ms per page on PostgreSQL (goal: < 20 ms) and SQL statements
per request (goal: <= 3, the staff access-log INSERT aside; 2 now), against GET /healthz in the same run.

    .venv/bin/python bench/list_pages.py [--server postgresql+psycopg://postgres@127.0.0.1:5432/]
                                         [--count 1000000] [--repeat 21] [--db NAME] [--keep] [--explain]
                                         [--only PATH-PART ...] [--profile N] [--gc N]

Creates a fresh database on the server (or reuses --db NAME when it already holds a seeded history),
migrates it, seeds the demo catalogue and `count` past applications (app.services.history.seed_history,
COPY on PostgreSQL), VACUUM ANALYZEs (what autovacuum does after a load), then times each list through
the Flask test client: the first page, page 50 and filtered pages, median of --repeat calls after one
warm-up. Columns: wall ms, its ratio to /healthz, the app's own CPU ms (Flask, auth, SQLAlchemy,
marshmallow), ms waiting for the database (statements and the access-log COMMIT), the server's own ms
(EXPLAIN ANALYZE planning + execution of the request's SELECTs, run once more, per-node timing off
unless --explain), rows, statements.
--explain prints every plan. --only times the lists whose path holds the text (repeatable); --profile N
cProfiles N requests of each instead of timing them. A summary per list closes the run. The database
is dropped at the end unless --keep (then --db NAME).

Seeding a million applications (1M cases, 1.5M sub-cases, 2M materials, 400k shipments...) took 939 s
with the machine at load 8-10 on 2 cores; random.choices with cumulative weights made once, one pass a
row into COPY and constant empty JSON documents take, by the profile, about a quarter off the Python
side (the same rows for the same seed).

What each step bought (the synthetic history puts 龙游's 500k cases, all 400k shipments and all
rectifications on one hall and one carrier: the worst case for their lists). Server figures are EXPLAIN
ANALYZE on the 1M database; wall figures are medians on a machine shared with five other sessions
(load average 8-30 on 2 cores all afternoon: every wall figure is inflated several times, compare the
server and CPU columns).

  before (78c24d9): the total was an exact COUNT(*) over the list's rows, the page an ORDER BY/OFFSET.
    hall inbox ?status=completed 1,151 ms wall: `region_code LIKE '330825%'` is only a filter under the
      database's C.UTF-8 collation and `submitted_at IS NOT NULL` was in no index, so the COUNT was a
      parallel seq scan of the table (463 ms server); department inbox 1,841 ms (COUNT of the joined
      414k sub-cases of 人社局); warnings 691 ms (sub-cases had no index on light: seq scan of 1.5M);
      courier 214 ms, hall shipments ?status=delivered 174 ms; my applications and the hall inbox 5
      statements (applicants and materials read after the page).
  1. region scopes as a range of codes (`BETWEEN '330800' AND '330899'`, equality for a county), and
     applicants, agents and materials joined to the page (the LIMIT in a subquery, then the joins):
     every list in 3 statements (the account, the total, the page) whatever the page size.
  2. one index per list: its filter columns, then its sort columns (migration 37800812921b). Even so
     an exact COUNT stays the killer: a county's 396k delivered cases take 93 ms to count (parallel
     index-only scan, 321 buffers, all in memory), 人社局's 414k sub-cases 127 ms, against a page that
     reads 10 index entries in 0.05 ms.
  3. the total counted up to a bound (app/services/paging.py): `SELECT count(*) FROM (SELECT 1 ...
     LIMIT 10001)` is an index-only scan of at most 10,001 entries, 1.2-3 ms; past it X-Pagination
     says `total_at_least` (API.md fixes only that the metadata is in X-Pagination). Totals under
     10,000 (the hall's 3,702 waiting cases, 人社局's 5,410 pending sub-cases) stay exact.
  4. the page cut from the keys alone, then read by them (`WHERE id IN (SELECT id ... ORDER BY ...
     LIMIT 10 OFFSET 490)`): an index-only scan with no heap fetches, then 10 primary-key look-ups and
     their joins. Page 50 of the department inbox: 6.1 ms server when the joins ran for the 500 skipped
     rows, 0.3 ms now; courier and department totals are counted without their mandatory joins.

  now (server, EXPLAIN ANALYZE, same 1M database): every page statement 0.05-0.9 ms, every bounded
  total 1-3 ms, the account 0.04 ms; warnings, alerts, complaints, my applications under 0.5 ms each.

  A run at 92b29f3 (13:56 UTC, load average 30/22/19 on 2 cores, median of 11): every list 3
  statements; /healthz 1.6 ms (app CPU 1.3). Per list page, first and page 50, with filters:
                                      wall ms     app CPU ms   server ms (timing off)
    my applications                   64-141      8.2-10.3     1.2-1.6
    hall inbox (3 statuses)           128-245     14.0-15.3    2.3-8.1
    hall shipments                    80-101      8.3-9.5      2.0-2.9
    department inbox                  115-201     12.1-13.6    2.2-4.7
    courier shipments                 52-106      8.4-10.7     2.3-12.3
    warnings                          47-115      10.2-12.0    1.4-1.9
    alerts (clerk, reviewer)          35-44       5.7-6.7      0.3-0.5
    rectifications                    48-79       6.8-9.5      1.8-12.7
    complaints                        20-80       5.5-7.8      0.4-1.8
  The wall figures are mostly waiting for a CPU (the "wait" column: 7-116 ms for 0.3-13 ms of server
  work): the goal of < 20 ms is not demonstrable on this machine at this load. What does not wait
  is the app's CPU plus the server's time: 6-18 ms a page, the hall inbox the most (marshmallow
  dumping ten applications with their materials, the access-log rows, the token and the account);
  a single statement's server time spikes (8-13 ms) when the run is preempted mid-scan.

  Then the app side (profiled in-process: --profile, and timers around each phase of the hall inbox):
  5. lists dumped by app/dumping.py and encoded by orjson (Blueprint.response, every many=True schema):
     the schema's dump fields read once, each value taken directly and formatted by the field's own
     _serialize, nested schemas compiled alike (equal JSON by test, on every list). marshmallow spent
     ~5 us a field through five calls; a hall page of ten applications with their materials (~730
     fields) 2.0-3.0 ms -> 0.85 ms, Flask's JSON 0.4 -> 0.07 ms. In one process, alternating the two
     (load 4): hall inbox app CPU 11.4 -> 10.2 ms, my applications 10.8 -> 10.0.
  6. the total rides on the page (paging.with_total: the bounded count as a scalar subquery column,
     an InitPlan the server runs once, and not at all when no row comes back), and a paginated view's
     request runs in autocommit from its account statement on (Blueprint.paginate / auth_required,
     unit_of_work.reads_in_autocommit): no BEGIN, no COMMIT or ROLLBACK. Statements: the account and
     the page, 2; an empty first page is an empty list (0, no count); only a page past the end counts
     apart (3). Round trips: hall and department inboxes 6 -> 3 (the access log's INSERT is the third),
     the other lists 5 -> 2. On a loaded machine each round trip is a wait for the database's process
     to be scheduled: this is where the wall time went down most (the "wait" column).
  7. the access log written by the table's INSERT (executemany in one pipeline), not the ORM's bulk
     insert of entities: 1.8 -> 1.5 ms CPU a page (a multi-VALUES INSERT was 4-5 ms: built and compiled
     anew each time).
  8. warnings: the UNION of open cases, sub-cases and overdue pledges built once per shape of filters,
     its values bound as parameters: building it took 3.7 ms a request (more than running it), 0.26 ms.
  9. the department inbox reads of each page's application only what it shows and the access log names
     (load_only): no other JSON documents decoded, 8,146 -> 6,971 calls a request.

  Python function calls per request (cProfile, --profile; the same whatever the load), d1d2e6a ->
  984d5ed, first page and page 50 with filters: my applications 8,308-10,359 -> 6,274-7,401 (-24..-29%);
  hall inbox 18,129-18,428 -> 12,782-13,092 (-29%); hall shipments 6,231-6,407 -> 4,808-4,975 (-23%);
  department inbox 9,360-9,855 -> 6,973-7,489 (-24..-26%); courier 6,319-6,491 -> 5,173-5,338 (-18%);
  warnings 8,087-8,772 -> 5,044-6,224 (-29..-38%); rectifications -17..-19%; complaints -18..-19%;
  alerts (none in this history) -2%. A page past the end (0 rows, its total counted apart): +7-9%.

  A run at 4e630b8 against the code before step 5 (d1d2e6a), alternated three times on the same 1M
  database (16:45-16:48 UTC, load average 4.5-5.0 on 2 cores: four other sessions running test suites),
  medians of 11 per round, then the median of the three rounds; first page and page 50, with filters:
                                   wall ms                app CPU ms           wait ms                server ms
                                   before -> after        before -> after      before -> after        before -> after
    my applications                19.8-26.2 -> 8.4-16.6   7.7-9.4 -> 4.9-6.0   7.0-9.8 -> 2.6-5.5     1.5-3.5 -> 1.2-1.6
    hall inbox (3 statuses)        33.9-48.1 -> 20.4-30.6 13.8-17.7 -> 8.1-12.4 16.6-24.3 -> 10.5-16.3 4.0-8.2 -> 2.9-8.0
    hall shipments                 13.1-22.2 -> 9.3-13.8   7.2-8.5 -> 4.7-5.3   6.3-7.5 -> 3.2-8.0     2.4-4.3 -> 1.9-2.4
    department inbox               23.6-35.2 -> 16.6-23.2  8.8-10.8 -> 6.4-7.7 12.4-17.7 -> 10.7-15.2 2.4-2.9 -> 2.1-5.5
    courier shipments              10.3-18.0 -> 12.2-16.5  5.9-7.6 -> 4.5-5.3   5.3-9.0 -> 6.3-11.2    2.8-4.5 -> 2.2-4.1
    warnings (0 rows here)         14.0-28.8 -> 19.2-21.2  8.5-10.2 -> 8.2-8.7  5.7-10.8 -> 8.1-11.8   1.6-2.1 -> 2.0-3.0
    alerts (0 rows here)            8.4-10.0 -> 8.4-10.3   3.5-4.7 -> 4.4-5.6   2.0-5.2 -> 1.3-5.5     0.3-0.4 -> 0.5-0.7
    rectifications                 10.1-17.7 -> 9.2-13.4   4.1-6.7 -> 4.5-6.8   4.3-9.9 -> 4.5-8.2     1.8-5.8 -> 1.8-6.4
    complaints                      9.0-19.6 -> 7.3-11.9   4.9-6.9 -> 3.8-7.1   3.7-7.1 -> 2.2-5.5     0.4-2.1 -> 0.5-3.1
  (that run was before steps 8, 9 and the empty first page). Slowest page 48.1 -> 30.6 ms. At load 3-5
  the same list's app CPU swings +-40% between runs of the same code (other processes share the cores
  and their caches): the function calls above are the steadier measure of the app's own work.

  Each step measured in one process against itself (alternating per request, so the load hits both
  alike; 100 requests, medians, load 2-4): the dump 5. hall inbox CPU 11.4 -> 10.2 ms, complaints
  3.6 -> 3.3, rectifications 4.6 -> 4.4; the total on the page 6. hall inbox 12.0 -> 10.8 ms CPU,
  department 9.6 -> 9.1, courier 7.1 -> 6.6, warnings 6.0 -> 5.6, complaints 5.0 -> 4.7, wall -0.1 to
  -1 ms; autocommit 6. the same CPU, wall -0.1 to -1 ms (fewer round trips); the warnings UNION 8.
  3.7 -> 0.26 ms to build.

  Then the whole, at 984d5ed against d1d2e6a, alternated five times on the same 1M database
  (17:16-17:18 UTC, load average 2.0-3.1 on 2 cores, other sessions' suites running), medians of 11
  per round; the median of the five rounds, and in brackets the best of the five:
                                   wall ms                         app CPU ms            server ms
    my applications                7.3-13.4 -> 7.3-12.4 [5.5-6.6]  5.0-8.4 -> 5.5-8.3    1.1-2.2 -> 1.3-2.2
    hall inbox (3 statuses)       19.8-26.7 -> 18.6-26.8 [11.9-17.4] 12.2-15.4 -> 9.4-13.7 2.6-6.5 -> 2.6-8.4
    hall shipments                 6.9-9.0 -> 5.9-10.7 [5.0-6.3]   4.5-6.0 -> 3.9-6.4    1.8-2.2 -> 1.9-2.8
    department inbox              15.9-18.1 -> 16.8-24.2 [9.4-13.8] 8.4-9.9 -> 7.6-8.9   2.2-3.1 -> 2.5-4.2
    courier shipments              8.4-9.2 -> 7.5-10.8 [6.6-9.5]   5.1-5.9 -> 4.6-6.5    2.0-3.6 -> 2.2-3.2
    warnings (0 rows here)         9.9-13.8 -> 8.0-11.2 [5.9-8.2]  6.7-7.7 -> 5.1-7.1    1.4-1.7 -> 1.5-6.4
    alerts (0 rows here)           3.7-4.2 -> 3.3-7.5 [2.9-3.8]    2.9-3.1 -> 2.8-4.8    0.3-0.3 -> 0.3-0.6
    rectifications                 6.7-10.2 -> 7.6-15.9 [5.0-7.9]  4.3-5.7 -> 4.8-6.0    1.8-4.4 -> 2.0-6.1
    complaints                     4.4-8.9 -> 5.4-8.1 [4.2-6.3]    3.4-5.0 -> 4.6-5.8    0.4-2.2 -> 0.5-2.4
  Between two processes of the same code the figures swing more than the steps moved them (the app
  CPU of one list: 3.3 ms in one process, 5.9 in the next, at the same load); the per-step figures
  above and the call counts are what the steps bought. Slowest median page 26.7 -> 26.8 ms, best of
  five 18.0 -> 17.4 ms.

  Where a hall inbox page's time goes now (phase timers, load 4, page of 10): app CPU ~10.5 ms = the
  account's statement 1.1 (the ORM Staff row, the pool checkout), the page with its total 4.8 (the
  statement built and keyed for the cache each time, 41 ORM objects: 10 applications, 20 materials,
  10 applicants, and ~110 JSON documents decoded), the dump 0.85, the access log 1.5, the query
  arguments 0.4, autocommit on and off 0.25, and ~2.5 of Flask, werkzeug, the test client and the
  hooks. The database: the bounded count (10,001 index entries of a county's delivered cases, 2-3 ms;
  6,368 in review counted exactly, ~1.5 ms), the page itself 0.3 ms, and the access log's COMMIT,
  which waits for the WAL to reach the disk: its ten rows cost ~4 ms wall on this machine's disk
  (one implicit transaction: executemany is one pipeline, one Sync), the same before and after.
  So the goal holds on this machine for every list but the hall and department inboxes, whose
  median pages are 17-27 ms at load 2-3: ~10 ms of app CPU, 3 round trips, a count and an fsync.
  What is left to take there: the access log's flush (an asynchronous commit for that one write,
  SET LOCAL synchronous_commit = off, would lose at most the last ~0.6 s of access-log rows in a
  crash of the database server: a decision about durability, not made here), the ORM objects of the
  page (reading rows, not entities, means rewriting what the staff view shows), and the count, which
  the contract's exact totals below 10,000 need.

  The same code on a quiet machine (f4a63d0, 2026-11-24 19:09 UTC, 2 cores, load average 0.8-1.5, no
  other session; median of 21): every list under the goal, the slowest page 14.5 ms.
                                      wall ms     app CPU ms   wait ms     server ms   statements
    my applications                   6.3-7.7     5.7-6.1      1.1-2.8     1.3-1.9     2/3
    hall inbox (3 statuses)          10.1-14.5    6.3-10.0     4.0-5.9     1.7-3.7     2
    hall shipments                    4.9-5.6     3.1-3.4      1.8-2.3     1.5-2.4     2
    department inbox                  6.7-8.1     4.4-5.1      2.9-4.0     1.4-1.8     2
    courier shipments                 4.6-5.2     2.9-3.4      1.9-2.1     1.5-1.6     2
    warnings (0 rows here)            4.5-6.7     3.2-4.3      1.7-3.0     1.2-1.7     2/3
    alerts (0 rows here)              2.3-3.1     2.0-2.6      0.5-0.8     0.4-0.5     2/3
    rectifications                    3.9-5.5     2.5-3.0      1.6-3.0     1.3-2.8     2
    complaints                        2.4-4.0     2.2-3.0      0.3-1.5     0.4-1.2     2/3
  (/healthz 0.21 ms.) The 18.8-24.0 ms of the hall inbox above were at load 2+ with other sessions'
  suites on the same cores: at that load the hall inbox is the list that can still pass 20 ms.
  Left alone there: orjson as the JSON columns' decoder (~0.7 ms of the ~140 documents a hall page
  decodes) reads a number past 64 bits as a float (json keeps it whole) and refuses 1e400 (json
  reads inf): a form value changed or unreadable on its way back is not worth 0.7 ms.

  10. pauses (--gc N: N requests of the lists round-robin, each timed, with the garbage collector's
      pauses by generation). A worker holds ~200,000 objects once the app is loaded; a full
      collection walks them all: one pause of 128 ms in 2,000 list pages (gen0 525 pauses of at most
      0.6 ms, gen1 48 of 1.3). gunicorn.conf.py's post_worker_init now collects once and freezes what
      is left (gc.freeze): no full collection in the next 2,000 pages, the slowest request 135 -> 19
      ms, p50 6.2 -> 5.7, p99 16.0 -> 15.3 (same process, quiet machine).
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
    parser.add_argument("--only", action="append", help="time only the lists whose path contains this (repeatable)")
    parser.add_argument("--profile", type=int, metavar="N",
                        help="instead of timing: cProfile N requests of each list (--only) and print the top")
    parser.add_argument("--gc", type=int, metavar="N",
                        help="instead of timing: N requests of the lists (--only) round-robin, with the garbage "
                             "collector's pauses, as the app loaded and then frozen as gunicorn.conf.py does")
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
    from sqlalchemy.orm import Session

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
            seed_demo(session=db.session, clock=app.extensions["onetrip"].clock,
                      cipher=app.extensions["onetrip"].cipher, passwords=app.extensions["onetrip"].passwords)
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

    def timed(url: str, who: str) -> tuple[float, float, float, int, str]:
        """Median ms of the whole request; of the app's own CPU in it (Flask, auth, SQLAlchemy,
        marshmallow: what the load on the machine does not inflate); of waiting for the database
        (sending each statement to having its rows, and the COMMIT of the access-log INSERT)."""
        client.get(url, headers=headers[who])  # warm-up
        times, cpu, in_sql, started_sql = [], [], [], []

        def before(*_):
            started_sql.append(time.perf_counter())

        def after(*_):
            if started_sql:
                in_sql[-1] += time.perf_counter() - started_sql.pop()

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        event.listen(engine, "commit", before)
        event.listen(Session, "after_commit", after)
        try:
            for _ in range(args.repeat):
                in_sql.append(0.0)
                started, started_cpu = time.perf_counter(), time.process_time()
                answer = client.get(url, headers=headers[who])
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            event.remove(engine, "commit", before)
            event.remove(Session, "after_commit", after)
        assert answer.status_code == 200, (url, answer.status_code)
        return (statistics.median(times) * 1000, statistics.median(cpu) * 1000, statistics.median(in_sql) * 1000,
                len(answer.json), answer.headers.get("X-Pagination", ""))

    lists = [(who, path) for who, path in LISTS if not args.only or any(part in path for part in args.only)]
    if args.profile:
        for who, path in lists:
            profile(client, path, headers[who], args.profile)
        return
    if args.gc:
        pauses(client, [(path, headers[who]) for who, path in lists], args.gc)
        return
    load = os.getloadavg()
    print(f"{have} applications; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"median of {args.repeat}")
    base, base_cpu, _, _, _ = timed("/healthz", "citizen")
    print(f"{'baseline GET /healthz':56} {base:6.2f} ms, app CPU {base_cpu:.2f} ms")
    print(f"{'list':56} {'ms':>6} {'ratio':>5} {'CPU':>5} {'wait':>5} {'PG':>5} {'rows':>4} {'SQL':>3}  X-Pagination")
    worst = 0.0
    ranges: dict[str, list[tuple]] = {}
    for who, path in lists:
        joint = "&" if "?" in path else "?"
        for label, url in ((path, path), (f"{path} page {DEEP_PAGE}", f"{path}{joint}page={DEEP_PAGE}")):
            sql = statements(url, who)
            counted = [s for s, _ in sql if not s.lstrip().upper().startswith("INSERT INTO ACCESS_LOG")]
            ms, cpu_ms, sql_ms, rows, meta = timed(url, who)
            worst = max(worst, ms)
            pg_ms = explain(engine, sql, show=args.explain)
            print(f"{who + ' ' + label:56} {ms:6.2f} {ms / base:5.1f} {cpu_ms:5.2f} {sql_ms:5.2f} {pg_ms:5.2f} {rows:4} "
                  f"{len(counted):3}  {meta}")
            ranges.setdefault(path.split("?")[0], []).append((ms, cpu_ms, sql_ms, pg_ms, len(counted)))
    load = os.getloadavg()
    print(f"per list, first and page {DEEP_PAGE}, with filters (load average now {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}):")
    print(f"{'':40} {'wall ms':>13} {'app CPU ms':>13} {'wait ms':>13} {'server ms':>13} statements")
    for path, seen in ranges.items():
        cells = [f"{min(c):5.1f}-{max(c):<5.1f}" for c in list(zip(*seen))[:4]]
        counts = sorted({n for *_, n in seen})
        print(f"{path:40} " + " ".join(f"{c:>13}" for c in cells) + f" {'/'.join(map(str, counts))}")
    print(f"slowest page {worst:.2f} ms (goal < 20 ms)")


def profile(client, url: str, headers: dict, n: int) -> None:
    """cProfile `n` requests of `url` (after a warm-up): the functions by own time and by cumulative time."""
    import cProfile
    import pstats

    client.get(url, headers=headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(url, headers=headers)
    profiler.disable()
    print(f"==== {url}: {n} requests")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)


def pauses(client, requests: list[tuple[str, dict]], n: int) -> None:
    """`n` requests (the lists round-robin) timed one by one, with every pause of the garbage collector
    by generation; once as the app loaded, once after gunicorn.conf.py's post_worker_init freeze."""
    import gc

    spent: dict[int, list[float]] = {0: [], 1: [], 2: []}
    began = [0.0]

    def watch(phase, info):
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            spent[info["generation"]].append((time.perf_counter() - began[0]) * 1000)

    for url, headers in requests:
        client.get(url, headers=headers)
    gc.callbacks.append(watch)
    try:
        for label in ("as loaded", "frozen (gunicorn.conf.py)"):
            if label != "as loaded":
                gc.collect()
                gc.freeze()
            for each in spent.values():
                each.clear()
            times = []
            for i in range(n):
                url, headers = requests[i % len(requests)]
                started = time.perf_counter()
                client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(f"{label:28} ms a request: p50 {times[n // 2]:6.2f}  p99 {times[int(n * 0.99)]:6.2f}  "
                  f"max {times[-1]:6.2f};  collections (count, longest ms, total ms): " + "  ".join(
                      f"gen{g} {len(p)}, {max(p, default=0):.1f}, {sum(p):.0f}" for g, p in spent.items()))
    finally:
        gc.callbacks.remove(watch)
        gc.unfreeze()


def explain(engine, statements: list[tuple], *, show: bool) -> float:
    """EXPLAIN ANALYZE each SELECT as it ran, with its parameters; the server's planning + execution
    ms summed over the request's SELECTs (printed with the plans if `show`)."""
    import re

    raw = engine.raw_connection()
    spent = 0.0
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            # Per-node timing (--explain) costs a clock read a row, which a loaded machine inflates.
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if show else "EXPLAIN (ANALYZE, TIMING OFF) ") + statement,
                           parameters)
            plan = [line for (line,) in cursor.fetchall()]
            spent += sum(float(m.group(1)) for line in plan
                         for m in [re.search(r"(?:Planning|Execution) Time: ([\d.]+) ms", line)] if m)
            if show:
                print("    " + " ".join(statement.split())[:300])
                print("\n".join("      " + line for line in plan))
        raw.rollback()
    finally:
        raw.close()
    return spent


if __name__ == "__main__":
    main()
