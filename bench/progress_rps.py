"""Requests per second of GET /applications/{id}/progress (200 and 304) against a bare Flask JSON
endpoint, both under gunicorn with 2 workers and the production gunicorn.conf.py, loaded by wrk on
loopback in the same run; then where a request's time goes (in-process, no HTTP server).

    .venv/bin/python bench/progress_rps.py [--seconds 10] [--connections 16] [--runs 3]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/progress_rps.py

Needs `wrk` (Debian: apt-get install wrk) and gunicorn (the dev extra). SQLite by default (a
throwaway file); with DATABASE_URL naming a PostgreSQL server, a throwaway database is created on
that server (`onetrip_bench_<pid>`) and dropped at the end. Each figure is the median of --runs
rounds (baseline, 200, 304 measured in turn in each round). Both servers write their logs to a file
(as a production server writes to its journal), not to the terminal.

The goals (issue 12, on PostgreSQL): 200 >= 0.5x bare Flask, 304 >= 0.8x; <= 3 statements for a
200 and 1 for a 304, constant in sub-cases, events and visits (tests/api/test_progress_edge.py).

What each step bought (PostgreSQL; every figure the median of 3 rounds of this bench, on the
shared 2-core machine at a load average of 17-19 while five other helpers ran their suites, so
absolute req/s swing by 2x between rounds; ratios are taken within a round):
    step                                                           200 ratio  304 ratio  statements
    issue 12's table (old bench: bare on a sync worker, one run)      0.044      0.123     9 / 3
    before, this bench (both on gunicorn.conf.py, no recycling)       0.009      0.031     9 / 3
    stamp = account + visible_to + version/last event in one row;
      document built by the database in one statement (json_build_object,
      orjson, no marshmallow dump); token signature cached;
      autocommit reads (no BEGIN/ROLLBACK round trips)                0.141*     0.321*    2 / 1
    per request: idle-only ping (pool_pre_ping was a round trip on
      every checkout), flask-limiter's empty before-request check
      skipped, no cookie-session serializer, ensure_sync cached;
      chinese-calendar answers memoised (30 look-ups a deadline)      0.053      0.132     2 / 1
    (* with worker recycling still on, at a lower moment of the load: the two last rows are
    not comparable with each other, the "before" and "last" rows were measured back to back)
Against "before" measured the same way, a 200 serves ~4x and a 304 ~5x more requests a second.
On a quiet machine (load 0.3, nothing else running; PostgreSQL, median of 3 rounds of 8 s, landed
code f4c71a7): bare 4,222 req/s, progress 200 563 req/s (0.127x), 304 1,008 req/s (0.228x); 2 / 1
statements. In-process: bare 60 µs, a 304 1,188 µs wall (stamp statement 692, of which a bare
SELECT 1 round trip through the session is already the most; framework beyond bare Flask 429), a
200 2,351 µs (document statement + deadline + dump 1,132).

Goals not reached (0.5x / 0.8x). Where the remaining time goes (the breakdown printed at the end;
CPU of the worker process, in-process, same loaded machine, SQLite run: bare Flask 78 µs, a 304
1,259 µs, a 200 2,313 µs):
  - the stamp statement, ~490 µs on a 304: SQLAlchemy Core execute of a cached statement, the
    pool checkout and the driver; on PostgreSQL plus one round trip whose server side runs on the
    same two cores (a bare SELECT 1 through the session costs about as much as bare Flask);
  - the framework beyond bare Flask, ~690 µs: per a CPU profile of a 304, the session teardown
    (return to the pool, reset) ~10%, the access log as a JSON line and the Prometheus histogram in
    multiprocess mode (app/observability.py) ~10%, werkzeug's context-local look-ups ~8%, the
    before-request hooks ~7%, flask-smorest's response/etag wrappers and Flask's dispatch the rest;
  - on a 200, the document statement (8 correlated sub-selects, ~0.5 ms of server time) and the
    deadline.
Why they cannot go in this shape: a 304 that reads the database costs at least bare Flask + one
round trip + one access-log line and one histogram sample (kept: production needs them), which
on this machine is already more than twice bare Flask: at most ~0.4x, not 0.8x. 0.8x needs a 304
answered without the database (a per-worker stamp cache invalidated by LISTEN/NOTIFY, or the tag
checked in front of the app) and the hooks moved out of Python's per-request path (a WSGI
middleware for the access line and the histogram); not attempted in this session.
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
        seed_demo(session=db.session, clock=app.extensions["onetrip"].clock, cipher=app.extensions["onetrip"].cipher)
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

        for _ in range(100):
            once()
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            once()
        return (time.perf_counter() - started) / n * 1e6, (time.process_time() - cpu) / n * 1e6

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
    from app.services.progress import progress_json, progress_stamp

    def median3(measure):
        runs = [measure() for _ in range(3)]
        return tuple(statistics.median(r[k] for r in runs) for k in (0, 1))

    front = app.wsgi_app
    while not isinstance(front, ProgressFront):
        front = front.wsgi_app
    conditional = {**auth, "If-None-Match": etag}
    bare_us = median3(lambda: per_request(bare, "/json", {}))
    front_us = median3(lambda: per_request(app, url, conditional))
    answered = front.answered
    front._unchanged = lambda environ, application_id: None  # the front stands aside: every poll to Flask
    flask_304_us = median3(lambda: per_request(app, url, conditional))
    del front._unchanged
    warm_200_us = median3(lambda: per_request(app, url, auth))
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
            progress_json(session=db.session, clock=clock, application_id=app_id)
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
    line("304 answered in front of Flask", front_us, f"{ratio(front_us)} ({front.answered - answered} in front)")
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
