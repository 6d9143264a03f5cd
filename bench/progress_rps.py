"""Requests per second of GET /applications/{id}/progress (200 and 304) against a bare Flask JSON
endpoint, both under gunicorn with 2 workers, loaded by wrk on loopback in the same run.

    .venv/bin/python bench/progress_rps.py [--seconds 10] [--connections 16]

Needs `wrk` (Debian: apt-get install wrk) and gunicorn (the dev extra). Uses a throwaway SQLite
database unless DATABASE_URL is set.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listening on {port}")


def gunicorn(app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen([str(exe), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
                            cwd=cwd, env=env)
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


def prepare(var: Path, env: dict) -> tuple[int, str, str, int]:
    """Migrate, seed, and drive one 新生儿出生一件事 to acceptance with some history."""
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
    sys.path.insert(0, str(ROOT))
    from tests.factories import submitted_and_accepted

    citizen, application, clerk = submitted_and_accepted(client, app.extensions["onetrip"].sms, bundle_code="BIRTH")
    for n in range(5):
        client.post(f"/api/v1/hall/applications/{application['id']}/visits", headers=clerk["headers"],
                    json={"purpose": f"咨询 {n}"})
    url = f"/api/v1/applications/{application['id']}/progress"
    first = client.get(url, headers=citizen["headers"])
    with app.app_context():
        engine = db.engine

    def statements(headers) -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        client.get(url, headers=headers)
        event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    counts = (statements(citizen["headers"]),
              statements({**citizen["headers"], "If-None-Match": first.headers["ETag"]}))
    return application["id"], citizen["access_token"], first.headers["ETag"], counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    var = Path(tempfile.mkdtemp(prefix="onetrip-bench-"))
    env = {**os.environ, "ONETRIP_VAR_DIR": str(var), "SECRET_KEY": "bench-secret-key-0123456789abcdef",
           "OBJECT_STORE": f"local:{var / 'objects'}"}
    app_id, token, etag, statements = prepare(var, env)
    ours, base = free_port(), free_port()
    servers = [gunicorn("wsgi:app", ours, env, ROOT), gunicorn("baseline_app:app", base, env, ROOT / "bench")]
    try:
        auth = {"Authorization": f"Bearer {token}"}
        url = f"http://127.0.0.1:{ours}/api/v1/applications/{app_id}/progress"
        wrk(url, 2, args.connections, auth)  # warm-up
        baseline = wrk(f"http://127.0.0.1:{base}/json", args.seconds, args.connections, {})
        full = wrk(url, args.seconds, args.connections, auth)
        cached = wrk(url, args.seconds, args.connections, {**auth, "If-None-Match": etag})
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait()
        shutil.rmtree(var, ignore_errors=True)
    print(f"bare Flask JSON       {baseline:10.1f} req/s  (baseline)")
    print(f"progress 200          {full:10.1f} req/s  ratio {full / baseline:.3f}")
    print(f"progress 304          {cached:10.1f} req/s  ratio {cached / baseline:.3f}")
    print(f"SQL statements per request: 200 -> {statements[0]}, 304 -> {statements[1]} "
          "(whatever the number of sub-cases and events)")


if __name__ == "__main__":
    main()
