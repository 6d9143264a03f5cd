"""Requests per second of GET /applications/{id}/progress (200 and 304) against a bare Flask JSON
endpoint, both under gunicorn with 2 workers and the production gunicorn.conf.py, loaded by wrk on
loopback in the same run; then where a request's time goes (in-process, no HTTP server).

    .venv/bin/python bench/progress_rps.py [--seconds 10] [--connections 16] [--runs 3]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/progress_rps.py

Needs `wrk` (Debian: apt-get install wrk) and gunicorn (the dev extra). SQLite by default (a
throwaway file); with DATABASE_URL naming a PostgreSQL server, a throwaway database is created on
that server (`onetrip_bench_<pid>`) and dropped at the end. Three servers: the bare Flask app, the
app as production runs it, and the app with the worker's memory of progress off
(PROGRESS_CACHE_CASES=0, PROGRESS_CACHE_BODY_BYTES=0: every poll as a changed case or a first poll
costs). Each figure is the median of --runs rounds (in each round: bare, then 200 and 304 on each
app). All servers write their logs to a file (as a production server writes to its journal).

The goals (issue 12, on PostgreSQL): 200 >= 0.5x bare Flask, 304 >= 0.8x; <= 3 statements for a
200 and 1 for a 304, constant in sub-cases, events and visits (tests/api/test_progress_edge.py).

What each step bought (PostgreSQL; medians of 3 rounds on the shared 2-core machine while other
sessions ran their suites, so absolute req/s swing by 2x between rounds; ratios are taken within a
round):
    step                                                           200 ratio  304 ratio  statements
    issue 12's table (old bench: bare on a sync worker, one run)      0.044      0.123     9 / 3
    before, this bench (both on gunicorn.conf.py, no recycling)       0.009      0.031     9 / 3
    1. stamp = account + visible_to + version/last event in one row;
      document built by the database in one statement (json_build_object,
      orjson, no marshmallow dump); token signature cached;
      autocommit reads (no BEGIN/ROLLBACK round trips); idle-only ping,
      limiter's empty check skipped, no cookie sessions, calendar memoised
      (quiet machine, f4c71a7)                                        0.127      0.228     2 / 1
    2. a worker's memory (app/services/progress_cache.py): the stamp of a
      case kept while a LISTEN/NOTIFY feed (app/gateways/changes.py,
      triggers of migration c3f1a9d2b7e4) proves it hears every change,
      the built body kept under its tag; the access line and latency
      sample from WSGI middleware instead of Flask hooks (app/observability
      .py: no context-local look-ups, no logging caller search; load 2-4)  0.541      0.568     0 / 0 *
    3. the 304 in front of Flask (app/progress_front.py): an unchanged
      poll whose token, stamp, calendar and tag are all in memory gets
      Flask's own 304 headers (learned per Origin) from a WSGI layer (load 4) 0.514      0.903     0 / 0 *
    4. the front also gives a remembered body (200 without an ETag, or
      with an old one); a remembered poll through Flask makes no session
      (the calendar's version read by key). Final run, 17:55 UTC, nothing
      else running (load 2.5 before, 4.6 after: the bench's own servers),
      5 rounds of 8 s: bare 3,251 req/s; 200 3,232 (rounds 0.81-1.19)     1.036      0.948     0 / 0 *
      (304 3,164 req/s, rounds 0.85-1.30)
    * an unchanged case polled again; a changed case, a first poll or a worker whose feed is down
      still costs 2 / 1, as in step 1 (tests/api/test_progress_edge.py counts both).
    The same final run with the memory off: 200 0.160, 304 0.268 (step 1's path; worse than step 1's
    quiet figures because the three servers and wrk share the two cores with PostgreSQL).
    Round-to-round swings of 2x are gunicorn's: 16 keep-alive connections spread over 2 workers as
    they happen to be accepted, for the bare app as for ours; take the median of several rounds.

Where the time goes now (the breakdown at the end, in-process, µs of the worker's CPU, final run):
bare Flask 109; a 304 in front 65 and a remembered 200 in front 58 (cheaper than bare Flask: no Flask
at all: one dict look-up each for the token, the stamp, the calendar, the language and the body, a
SHA-1, the access line and the histogram sample); through Flask with the stamp and body remembered
~470 (measured before step 4 at load 2: Flask's request context, routing, flask-smorest's wrappers,
the auth wrapper, the hooks); with nothing in memory a 304 is ~1,300 and a 200 ~2,300 (one and two
statements: each a round trip through SQLAlchemy to a PostgreSQL that shares the same two cores).

What the memory costs and risks (README, "Running in production"): one more PostgreSQL connection
per worker (LISTEN), ~250 bytes a remembered case (10,000 by default) and 1 MiB of bodies; a change
is visible to other workers once PostgreSQL delivers its NOTIFY (milliseconds), to the worker that
made it at once; while the feed is down, deaf (its beat does not come back within 3 s) or the
process was forked from another, nothing kept is trusted and every poll reads the database.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import free_port, wait_for  # noqa: E402


def gunicorn(app: str, port: int, env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    """The production configuration (gunicorn.conf.py: gthread, keep-alive, ...) for both servers,
    with 2 workers; logs to a file."""
    exe = Path(sys.executable).parent / "gunicorn"
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(exe), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2",
                                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
                                cwd=cwd, env=env, stdout=out, stderr=out)
    wait_for(port)
    return proc


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error answers\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def throwaway_database(server_url: str) -> tuple[str, callable]:
    """A fresh database on the PostgreSQL server of `server_url`, and how to drop it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"onetrip_bench_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def prepare(env: dict):
    """Migrate, seed, and drive one 新生儿出生一件事 (3 sub-cases) to acceptance with 5 trips."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from app.services.seed import seed_demo

    app = create_app()
    with app.app_context():
        upgrade()
        seed_demo(session=db.session, clock=app.extensions["onetrip"].clock, cipher=app.extensions["onetrip"].cipher,
                  passwords=app.extensions["onetrip"].passwords)
    client = app.test_client()
    from tests.fakes import FakeSms

    app.extensions["onetrip"].sms = FakeSms()
    from tests.factories import submitted_and_accepted

    citizen, application, clerk = submitted_and_accepted(client, app.extensions["onetrip"].sms, bundle_code="BIRTH")
    for n in range(5):
        client.post(f"/api/v1/hall/applications/{application['id']}/visits", headers=clerk["headers"],
                    json={"purpose": f"咨询 {n}"})
    url = f"/api/v1/applications/{application['id']}/progress"
    first = client.get(url, headers=citizen["headers"])
    with app.app_context():
        engine = db.engine

    cache = app.extensions["onetrip"].progress_cache

    def statements(headers, cold: bool) -> int:
        if cold:
            cache.clear()
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        client.get(url, headers=headers)
        event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    conditional = {**citizen["headers"], "If-None-Match": first.headers["ETag"]}
    counts = {"cold": (statements(citizen["headers"], True), statements(conditional, True))}
    for _ in range(50 if engine.dialect.name == "postgresql" else 1):  # until the feed is live and quiet
        client.get(url, headers=citizen["headers"])
        counts["warm"] = (statements(citizen["headers"], False), statements(conditional, False))
        if counts["warm"] == (0, 0):
            break
        time.sleep(0.1)
    return app, application["id"], citizen["access_token"], first.headers["ETag"], counts


def breakdown(app, app_id: int, token: str, etag: str, n: int = 2000) -> None:
    """Microseconds per request in this process (no HTTP server, no wrk): the bare Flask app, ours
    on each path, and the parts of ours timed alone."""
    import logging

    from werkzeug.test import EnvironBuilder

    sys.path.insert(0, str(ROOT / "bench"))
    from baseline_app import app as bare

    for handler in logging.getLogger().handlers:  # as under gunicorn: to a file, not the terminal
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))
    url = f"/api/v1/applications/{app_id}/progress"
    auth = {"Authorization": f"Bearer {token}"}
    cache = app.extensions["onetrip"].progress_cache

    def per_request(wsgi, path: str, headers: dict, before=None) -> float:
        environ = EnvironBuilder(path=path, headers=headers).get_environ()

        def start_response(*args):
            pass

        def once():
            if before is not None:
                before()
            body = wsgi(dict(environ), start_response)
            b"".join(body)
            getattr(body, "close", lambda: None)()

        return timed(once)

    def timed(func) -> float:
        for _ in range(50):
            func()
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            func()
        return (time.perf_counter() - started) / n * 1e6, (time.process_time() - cpu) / n * 1e6

    from sqlalchemy import text

    from app.auth import token_subject
    from app.extensions import db
    from app.progress_front import ProgressFront
    from app.services.progress import progress_answer, progress_stamp

    def median3(measure):
        runs = [measure() for _ in range(3)]
        return tuple(statistics.median(r[k] for r in runs) for k in (0, 1))

    front = app.wsgi_app
    while not isinstance(front, ProgressFront):
        front = front.wsgi_app
    conditional = {**auth, "If-None-Match": etag}
    bare_us = median3(lambda: per_request(bare, "/json", {}))
    answered = front.answered
    front_us = median3(lambda: per_request(app, url, conditional))
    front_200_us = median3(lambda: per_request(app, url, auth))
    front._answer = lambda *args: None  # the front stands aside: every poll to Flask
    flask_304_us = median3(lambda: per_request(app, url, conditional))
    warm_200_us = median3(lambda: per_request(app, url, auth))
    del front._answer
    cold_304_us = median3(lambda: per_request(app, url, conditional, before=cache.clear))
    cold_200_us = median3(lambda: per_request(app, url, auth, before=cache.clear))
    with app.test_request_context(url, headers=auth):
        token_us = timed(token_subject)
        clock = app.extensions["onetrip"].clock
        citizen_id = token_subject()[1]

        def stamp():
            progress_stamp(session=db.session, clock=clock, citizen_id=citizen_id, application_id=app_id)
            db.session.rollback()

        def document():
            progress_answer(session=db.session, clock=clock, application_id=app_id)
            db.session.rollback()

        def round_trip():
            db.session.execute(text("SELECT 1"))
            db.session.rollback()

        stamp_us, document_us, trip_us = timed(stamp), timed(document), timed(round_trip)

    def line(name: str, value: tuple[float, float], note: str = "") -> None:
        print(f"  {name:<50}{value[0]:8.0f}{value[1]:8.0f}   {note}")

    def ratio(value):
        return f"ratio wall {bare_us[0] / value[0]:.3f}, cpu {bare_us[1] / value[1]:.3f}"

    print("\nWhere a request's time goes, in this process without a server (µs per request; wall: with the")
    print("database's answer awaited; cpu: this process's CPU, what a loaded worker pays; median of 3):")
    print(f"  {'':<50}{'wall':>8}{'cpu':>8}")
    line("bare Flask JSON", bare_us)
    line("304 answered in front of Flask", front_us, f"{ratio(front_us)} ({front.answered - answered} answered there)")
    line("200 answered in front of Flask (body remembered)", front_200_us, ratio(front_200_us))
    line("304 through Flask, stamp remembered", flask_304_us, ratio(flask_304_us))
    line("200 through Flask, stamp and body remembered", warm_200_us, ratio(warm_200_us))
    line("304, worker remembers nothing (first poll, SQLite)", cold_304_us, ratio(cold_304_us))
    line("200, worker remembers nothing (a changed case)", cold_200_us, ratio(cold_200_us))
    line("  token check (signature cached)", token_us)
    line("  stamp statement (account, visibility, tag)", stamp_us, f"a bare SELECT 1 round trip: {trip_us[0]:.0f} wall, {trip_us[1]:.0f} cpu")
    line("  document statement + deadline + dump", document_us)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    var = Path(tempfile.mkdtemp(prefix="onetrip-bench-"))
    # Steady state: no worker recycling (gunicorn.conf.py's max_requests) in the middle of a round;
    # a recycled OneTrip worker re-imports the app, a recycled bare one almost nothing.
    env = {**os.environ, "ONETRIP_VAR_DIR": str(var), "SECRET_KEY": "bench-secret-key-0123456789abcdef",
           "OBJECT_STORE": f"local:{var / 'objects'}", "GUNICORN_MAX_REQUESTS": "0"}
    drop = None
    if env.get("DATABASE_URL", "").startswith("postgresql"):
        env["DATABASE_URL"], drop = throwaway_database(env["DATABASE_URL"])
    servers = []
    app = None
    try:
        app, app_id, token, etag, statements = prepare(env)
        ours, forgetful, base = free_port(), free_port(), free_port()
        servers = [gunicorn("wsgi:app", ours, env, ROOT, var / "ours.log"),
                   gunicorn("wsgi:app", forgetful, {**env, "PROGRESS_CACHE_CASES": "0", "PROGRESS_CACHE_BODY_BYTES": "0"},
                            ROOT, var / "forgetful.log"),
                   gunicorn("baseline_app:app", base, env, ROOT / "bench", var / "baseline.log")]
        auth = {"Authorization": f"Bearer {token}"}
        conditional = {**auth, "If-None-Match": etag}
        path = f"/api/v1/applications/{app_id}/progress"
        url, url_off = f"http://127.0.0.1:{ours}{path}", f"http://127.0.0.1:{forgetful}{path}"
        for warm in (url, url_off):
            wrk(warm, 2, args.connections, auth)
            wrk(warm, 2, args.connections, conditional)
        wrk(f"http://127.0.0.1:{base}/json", 2, args.connections, {})
        rounds = []
        for _ in range(args.runs):
            baseline = wrk(f"http://127.0.0.1:{base}/json", args.seconds, args.connections, {})
            measured = [wrk(target, args.seconds, args.connections, headers)
                        for target in (url, url_off) for headers in (auth, conditional)]
            rounds.append((baseline, *measured))
            print(f"  round: bare {baseline:8.1f}  200 {measured[0]:8.1f} ({measured[0] / baseline:.3f})  "
                  f"304 {measured[1]:8.1f} ({measured[1] / baseline:.3f})  memory off: "
                  f"200 {measured[2]:8.1f} ({measured[2] / baseline:.3f})  "
                  f"304 {measured[3]:8.1f} ({measured[3] / baseline:.3f})", flush=True)
        for proc in servers:
            proc.terminate()
            proc.wait()
        servers = []
        medians = [statistics.median(r[i] for r in rounds) for i in range(5)]
        ratios = [statistics.median(r[i] / r[0] for r in rounds) for i in range(5)]
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {args.runs} runs")
        print(f"bare Flask JSON                 {medians[0]:10.1f} req/s  (baseline)")
        print(f"progress 200                    {medians[1]:10.1f} req/s  ratio {ratios[1]:.3f}  (goal 0.5)")
        print(f"progress 304                    {medians[2]:10.1f} req/s  ratio {ratios[2]:.3f}  (goal 0.8)")
        print(f"progress 200, worker memory off {medians[3]:10.1f} req/s  ratio {ratios[3]:.3f}")
        print(f"progress 304, worker memory off {medians[4]:10.1f} req/s  ratio {ratios[4]:.3f}")
        print(f"SQL statements per request (200 / 304), whatever the number of sub-cases and events: "
              f"memory off or a changed case {statements['cold'][0]} / {statements['cold'][1]}, "
              f"an unchanged case polled again {statements['warm'][0]} / {statements['warm'][1]}")
        if not args.no_breakdown:
            breakdown(app, app_id, token, etag)
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait()
        if app is not None:
            with app.app_context():
                from app.extensions import db
                from app.gateways.changes import watcher_of

                watcher = watcher_of(db.engine)
                if watcher is not None:  # the database is dropped next
                    watcher.stop()
                db.session.remove()
                db.engine.dispose()
        if drop is not None:
            drop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
