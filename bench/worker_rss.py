"""Memory of a gunicorn worker after a soak, against a bare Flask app served the same way.

    .venv/bin/python bench/worker_rss.py [--minutes 3] [--threads 6] [--runs 3]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/worker_rss.py

Starts the app with the repo's gunicorn.conf.py (2 gthread workers of 4 threads, as production) on a
throwaway database (SQLite in a temporary directory; with DATABASE_URL, a fresh database created on
that PostgreSQL server and dropped afterwards), seeds the demo, then soaks it with a realistic mix from
client threads, a new connection per request (a reverse proxy without upstream keep-alive): SMS logins
(through a capturing SMS gateway) and password logins and token refreshes, progress 200 and 304, the
lists of each role, a 12-megapixel 3.5 MB phone photo uploaded by presigned POST and completed
(checked and normalised), a small direct upload, the verification page and JSON, an e-license QR code,
the shipping label as PNG and PDF, /docs, /openapi.json, /metrics, and errors (404, 401, malformed
JSON, 422). Each worker's memory is read from /proc (VmRSS, VmHWM, RssAnon, RssFile, Pss) after
import, after a warm-up, between segments of the soak (nothing in flight) and after it. Worker
recycling (max_requests) is off for the measurement, so a leak cannot hide behind a restart. The
baseline is bench/baseline_app.py under the same gunicorn.conf.py, loaded by the same client threads.
Prints medians over --runs. `--where` runs the mix in one process through the test client and prints
what each kind of request leaves behind (RSS, and RSS after malloc_trim: memory in use vs memory glibc
keeps), then whether anything grows over more steps of the mix (--tracemalloc: what, by line).

Where the memory went (2026-11-24, 2 cores shared with five other helpers, load average 12-24 during
the runs, so only 7-20 requests a second got through; SQLite; 2-minute soaks; median of 3 runs;
MB of RSS per worker, mean of the 2 workers):

                                         import   warm-up   after soak   largest   bare Flask
    before (main at 78c24d9)              107.6     159.1        167.5     167.7         30.3
    after the three steps below            99.5     130.7        136.5     137.0         30.8
    PostgreSQL, 1 run, before             115.5     163.5        168.8     172.2         30.3
    PostgreSQL, 1 run, after              107.3     131.9        139.3     140.4         30.8

1. Flask-Migrate was imported by app/extensions.py in every worker: alembic with the DDL of every
   dialect, mako and pygments, 149 modules, 11 MB, used only by `flask db` and the test/bench set-up.
   app/migrations_cli.py registers stand-ins that load it on first use: -8 MB at import.
2. The label's font faces sat in an lru_cache (up to 32): a face of the 16 MB Noto Sans CJK font holds
   3-5 MB (FreeType's tables and the pages of the file it touched), and one PNG plus one PDF label kept
   12-16 MB for good (--where: label_png +12.7 MB still in use after malloc_trim). Opening a face takes
   about 1 ms, so a label now opens its own and lets them go: label_png +3.0 MB, most of it Pillow's
   PNG/PDF plugins and FreeType's library, loaded once.
3. glibc arena retention: normalising a 12-megapixel photo allocates ~100 MB for a moment and frees
   it; glibc keeps freed memory in the arena of the thread that used it (--where: photo_upload +15.6 MB
   of RSS, +0.6 MB after malloc_trim), and with 4 threads per worker each thread's arena kept its own.
   gunicorn.conf.py's post_request calls malloc_trim(0) after a request with a body over 64 KiB or an
   answer that is a file or a page, and every 500th request (0.16 ms; a no-op costs 8 µs): the rest of
   the ~30 MB. MALLOC_ARENA_MAX=2 alone did not help (a photo normalised 3 times in each of 2 threads,
   4 rounds: 44-50 MB of anonymous memory kept without it, 18-52 MB with it); malloc_trim after each
   round brought it back to 15 MB every time.

Growth: the 2-minute soaks above were too short on this loaded machine (600-2,400 requests) to tell the
end of the warm-up from growth. An 8-minute soak on PostgreSQL of the landed code (c18555f, 15,364
requests, --segment 60): 142.7 MB after the warm-up, 142.1-145.7 MB at every sample, 143.5 MB after
(largest 143.6), +0.10 MB per 1,000 requests a worker served; bare Flask 30.7 MB (4.67x). In one process
(--where), 3,000 steps of the mix after a warm-up: 124.2 MB at step 500, 125.2 MB at step 3,000 (after
malloc_trim; +0.4 MB per 1,000 requests), SQLAlchemy's compiled cache flat at 71 statements (its
bound is 500), the in-memory rate-limit keys 60-100 (they expire; production shares them in Redis).
No per-request object is kept. max_requests (2000) stays in gunicorn.conf.py as a backstop only.

Looked at and left: boto3/botocore are already imported only by storage/s3.py (an S3 store);
schemathesis, hypothesis, zxingcpp and pypdf are not imported by the app (tests/unit/test_worker_memory.py
keeps it so); PIL (4 MB) and requests (6 MB) load at start but every worker meets an upload and an SMS
login within minutes, so importing them late would only move the figure; SQLAlchemy with its ORM is
32 MB, Flask and Werkzeug 20 MB, cryptography 7 MB. preload_app would share pages copy-on-write (PSS
drops) but not RSS, which counts shared pages. A password check (werkzeug's scrypt, N=2^15, r=8) takes
32 MB for its duration, returned at once (mmap); 4 threads logging in at once raise the peak (VmHWM),
not the resident size after. The peak column (VmHWM, ~190 MB) is two photos normalised at once
(NORMALISE_CONCURRENCY=2) beside the resident set.
"""
from __future__ import annotations

import argparse
import http.server
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import free_port, wait_for  # noqa: E402

MB = 1024 * 1024


# --- /proc ------------------------------------------------------------------------------------------

def _kb(text: str, field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) * 1024 if match else 0


def memory(pid: int) -> dict[str, int]:
    """Bytes: rss, hwm (peak rss), anon, file, pss (shared pages divided among the sharers)."""
    status = Path(f"/proc/{pid}/status").read_text()
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        rollup = ""
    return {"rss": _kb(status, "VmRSS"), "hwm": _kb(status, "VmHWM"), "anon": _kb(status, "RssAnon"),
            "file": _kb(status, "RssFile"), "pss": _kb(rollup, "Pss")}


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


# --- servers ----------------------------------------------------------------------------------------

class Server:
    """gunicorn -c gunicorn.conf.py with 2 workers and no recycling; its own metrics directory."""

    def __init__(self, app: str, env: dict, cwd: Path):
        self.port = free_port()
        self.metrics = tempfile.mkdtemp(prefix="onetrip-rss-metrics-")
        env = {**env, "GUNICORN_WORKERS": "2", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
               "GUNICORN_MAX_REQUESTS": "0", "GUNICORN_LOGLEVEL": "warning",
               "PROMETHEUS_MULTIPROC_DIR": self.metrics}
        exe = Path(sys.executable).parent / "gunicorn"
        self.log = open(Path(env["ONETRIP_VAR_DIR"]) / f"gunicorn-{self.port}.log", "w")
        self.proc = subprocess.Popen([str(exe), "-c", str(ROOT / "gunicorn.conf.py"), app], cwd=cwd, env=env,
                                     stdout=self.log, stderr=self.log)
        wait_for(self.port)
        self.settle()

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def settle(self) -> None:
        """Until both workers exist and their RSS stopped moving (the app is imported)."""
        last, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline:
            pids = self.workers()
            now = [memory(p)["rss"] for p in pids] if len(pids) == 2 else None
            if now and now == last:
                return
            last = now
            time.sleep(1)

    def sample(self) -> list[dict[str, int]]:
        return [memory(p) for p in self.workers()]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()
        self.log.close()
        shutil.rmtree(self.metrics, ignore_errors=True)


class SmsCapture(http.server.ThreadingHTTPServer):
    """The SMS gateway: remembers the last login code sent to each phone."""

    def __init__(self):
        self.codes: dict[str, str] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.codes[body["phone"]] = body["params"]["code"]
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


# --- data -------------------------------------------------------------------------------------------

def phone_photo() -> bytes:
    """A 12-megapixel phone JPEG (4032 x 3024, quality 90, with texture so it weighs what a photo does)."""
    from PIL import Image, ImageFilter

    rng = random.Random(12)
    small = Image.frombytes("RGB", (504, 378), rng.randbytes(504 * 378 * 3))
    image = small.filter(ImageFilter.GaussianBlur(2)).resize((4032, 3024), Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", image.size, rng.randbytes(4032 * 3024)).convert("RGB")
    image = Image.blend(image, grain, 0.08)  # sensor noise: a photo's weight, not a drawing's
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def prepare(env: dict) -> dict:
    """Migrate and seed the throwaway database, then build through the API what the mix needs: a case
    with history for progress, a shipment for its label, an issued e-license for its verification."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services.seed import seed_demo
    from tests.factories import issued_certificate, submitted_and_accepted
    from tests.fakes import FakeSms
    from tests.helpers import PASSWORDS, login_staff

    app = create_app()
    with app.app_context():
        upgrade()
        seed_demo(session=db.session, clock=app.extensions["onetrip"].clock, cipher=app.extensions["onetrip"].cipher,
                  passwords=app.extensions["onetrip"].passwords)
    app.extensions["onetrip"].sms = FakeSms()
    sms, client = app.extensions["onetrip"].sms, app.test_client()

    citizen, application, clerk = submitted_and_accepted(client, sms, bundle_code="BIRTH", phone="13800138000")
    for n in range(5):
        client.post(f"/api/v1/hall/applications/{application['id']}/visits", headers=clerk["headers"],
                    json={"purpose": f"咨询 {n}"})
    progress = f"/api/v1/applications/{application['id']}/progress"

    _, posted, _ = submitted_and_accepted(client, sms, delivery="post", phone="13800138001")
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = login_staff(client, reviewer)["headers"]
        for sub in client.get("/api/v1/department/subcases?status=pending", headers=headers).json:
            client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers, json={})
    issued = client.post(f"/api/v1/hall/applications/{posted['id']}/issue", headers=clerk["headers"], json={})
    assert issued.status_code == 200, issued.json
    shipment = client.get("/api/v1/hall/shipments", headers=clerk["headers"]).json[0]

    holder, _, licence = issued_certificate(client, sms)
    code = licence["verification_url"].rstrip("/").rsplit("/", 1)[1]
    staff = {name: login_staff(client, name) for name in
             ("clerk", "supervisor", "courier", "reviewer-wjj", "reviewer-rsj")}
    etag = client.get(progress, headers=citizen["headers"]).headers["ETag"]  # after the last change to it
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    prepared = {"citizen": citizen, "holder": holder, "progress": progress, "etag": etag,
            "shipment": shipment["id"], "licence": licence["id"], "code": code,
            "staff": {k: v["access_token"] for k, v in staff.items()},
            "passwords": PASSWORDS}
    return prepared


# --- the mix ----------------------------------------------------------------------------------------

class Mix:
    """One client thread's requests, drawn by weight. Counts answers by status class."""

    def __init__(self, base: str, data: dict, sms: SmsCapture, photo: bytes, seed: int):
        import requests

        self.http, self.base, self.data, self.sms, self.photo = requests.Session(), base, data, sms, photo
        self.rng = random.Random(seed)
        self.seed = seed
        self.own_refresh = None  # rotated on each use: one family per thread
        self.sent = 0
        self.unexpected: list[str] = []
        bearer = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
        self.citizen = bearer(data["citizen"]["access_token"])
        self.holder = bearer(data["holder"]["access_token"])
        self.staff = {name: bearer(token) for name, token in data["staff"].items()}
        self.actions = [  # (weight, action)
            (30, self.progress_200), (30, self.progress_304), (12, self.lists), (2, self.me),
            (1, self.staff_login), (1, self.citizen_login), (1, self.refresh_token),
            (1, self.photo_upload), (1, self.direct_upload), (3, self.verify), (1, self.qrcode),
            (1, self.label_png), (1, self.label_pdf), (1, self.docs), (1, self.metrics), (3, self.errors),
        ]
        self.weights = [w for w, _ in self.actions]

    def call(self, method: str, path: str, expect: tuple[int, ...], **kwargs):
        # A new connection per request, as from a reverse proxy without upstream keep-alive: the
        # requests spread over both workers (kept-alive connections all stay with the first).
        headers = {"X-Forwarded-For": f"10.{self.seed}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}",
                   "Connection": "close", **kwargs.pop("headers", {})}
        answer = self.http.request(method, path if path.startswith("http") else self.base + path,
                                   headers=headers, timeout=60, **kwargs)
        self.sent += 1
        if answer.status_code not in expect:
            self.unexpected.append(f"{method} {path} -> {answer.status_code} {answer.text[:200]}")
        return answer

    def step(self, action=None) -> None:
        try:
            (action or self.rng.choices(self.actions, self.weights)[0][1])()
        except Exception as exc:  # noqa: BLE001 - counted and shown, the soak goes on
            self.unexpected.append(f"{type(exc).__name__}: {exc}")

    def progress_200(self):
        self.call("GET", self.data["progress"], (200,), headers=self.citizen)

    def progress_304(self):
        self.call("GET", self.data["progress"], (304,), headers={**self.citizen, "If-None-Match": self.data["etag"]})

    def lists(self):
        path, who = self.rng.choice([
            ("/api/v1/applications", None), ("/api/v1/hall/applications", "clerk"),
            ("/api/v1/hall/shipments", "clerk"), ("/api/v1/department/subcases", "reviewer-wjj"),
            ("/api/v1/department/subcases?status=approved", "reviewer-rsj"),
            ("/api/v1/courier/shipments", "courier"), ("/api/v1/supervision/warnings", "supervisor"),
            ("/api/v1/supervision/complaints", "supervisor"), ("/api/v1/supervision/rectifications", "supervisor"),
            ("/api/v1/me/messages", None), ("/api/v1/elicenses", "holder"), ("/api/v1/items?q=退休", "anon"),
            ("/api/v1/bundles", "anon"), ("/api/v1/halls", "anon")])
        headers = {None: self.citizen, "holder": self.holder, "anon": {}, **self.staff}[who]
        self.call("GET", path, (200,), headers=headers)

    def me(self):
        self.call("GET", "/api/v1/me", (200,), headers=self.citizen)

    def staff_login(self):
        name = self.rng.choice(["clerk", "courier", "supervisor", "reviewer-wjj"])
        answer = self.call("POST", "/api/v1/auth/staff-tokens", (200, 429),
                           json={"username": name, "password": self.data["passwords"][name]})
        if answer.status_code == 200:
            self.own_refresh = answer.json()["refresh_token"]

    def citizen_login(self):
        phone = f"139{self.seed:02d}{self.rng.randrange(10**6):06d}"
        if self.call("POST", "/api/v1/auth/sms-codes", (202, 429), json={"phone": phone}).status_code == 202:
            self.call("POST", "/api/v1/auth/citizen-tokens", (200,),
                      json={"phone": phone, "code": self.sms.codes[phone]})

    def refresh_token(self):
        if self.own_refresh is None:
            self.staff_login()
            return
        answer = self.call("POST", "/api/v1/auth/refresh", (200,), json={"refresh_token": self.own_refresh})
        self.own_refresh = answer.json()["refresh_token"] if answer.status_code == 200 else None

    def photo_upload(self):
        made = self.call("POST", "/api/v1/uploads", (201,), headers=self.citizen,
                         json={"filename": "IMG_0001.jpg", "content_type": "image/jpeg", "size": len(self.photo),
                               "purpose": "material"})
        if made.status_code != 201:
            return
        body = made.json()
        url = body["url"] if body["url"].startswith("http") else self.base + "/" + body["url"].lstrip("/")
        self.call("POST", url, (200, 201, 204), data=body["fields"],
                  files={"file": ("IMG_0001.jpg", self.photo, "image/jpeg")})
        self.call("POST", f"/api/v1/uploads/{body['id']}/complete", (200,), headers=self.citizen)

    def direct_upload(self):
        from tests.factories import jpeg

        self.call("POST", "/api/v1/uploads/direct", (201,), headers=self.citizen,
                  data={"purpose": "material"}, files={"file": ("scan.jpg", jpeg(640, 480), "image/jpeg")})

    def verify(self):
        if self.rng.random() < 0.5:
            self.call("GET", f"/v/{self.data['code']}", (200, 429))
        else:
            self.call("GET", f"/api/v1/verify/{self.data['code']}", (200, 429))

    def qrcode(self):
        self.call("GET", f"/api/v1/elicenses/{self.data['licence']}/qrcode.png", (200,), headers=self.holder)

    def label_png(self):
        self.call("GET", f"/api/v1/hall/shipments/{self.data['shipment']}/label.png", (200,),
                  headers=self.staff["clerk"])

    def label_pdf(self):
        self.call("GET", f"/api/v1/hall/shipments/{self.data['shipment']}/label.png?format=pdf", (200,),
                  headers=self.staff["clerk"])

    def docs(self):
        self.call("GET", self.rng.choice(["/docs", "/openapi.json"]), (200,))

    def metrics(self):
        self.call("GET", "/metrics", (200,))

    def errors(self):
        kind = self.rng.randrange(4)
        if kind == 0:
            self.call("GET", f"/api/v1/no-such-thing/{self.rng.randrange(10**6)}", (404,))
        elif kind == 1:
            self.call("GET", "/api/v1/applications", (401,), headers={"Authorization": "Bearer not.a.token"})
        elif kind == 2:
            self.call("POST", "/api/v1/applications", (400,), headers={**self.citizen,
                      "Content-Type": "application/json"}, data=b'{"item_code": ')
        else:
            self.call("PATCH", "/api/v1/me", (422,), headers=self.citizen, json={"id_number": "12345"})


class _Answer:
    def __init__(self, status_code: int, text: str, body):
        self.status_code, self.text, self._body = status_code, text, body

    def json(self):
        return self._body


class TestClientHttp:
    """What Mix needs of requests.Session, over Flask's test client (for --where, in one process)."""

    def __init__(self, client):
        self.client = client

    def request(self, method, url, headers=None, timeout=None, json=None, data=None, files=None):
        path = "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url
        environ = {"REMOTE_ADDR": (headers or {}).get("X-Forwarded-For", "127.0.0.1")}
        if files:
            form = dict(data or {})
            for field, (name, content, ctype) in files.items():
                form[field] = (io.BytesIO(content), name, ctype)
            answer = self.client.open(path, method=method, headers=headers, data=form,
                                      content_type="multipart/form-data", environ_base=environ)
        else:
            answer = self.client.open(path, method=method, headers=headers, json=json, data=data,
                                      environ_base=environ)
        return _Answer(answer.status_code, answer.get_data().decode(errors="replace"), answer.get_json(silent=True))


def where(args) -> None:
    """In one process, through the test client: what each action of the mix leaves behind (RSS, and RSS
    after malloc_trim: memory still in use vs memory glibc keeps), then whether anything grows over more
    steps of the mix (and with --tracemalloc, what, by line)."""
    import ctypes
    import tracemalloc

    libc = ctypes.CDLL("libc.so.6")
    sms = SmsCapture()
    var = Path(tempfile.mkdtemp(prefix="onetrip-rss-"))
    env = {"ONETRIP_VAR_DIR": str(var), "SECRET_KEY": "bench-secret-key-0123456789abcdef",
           "OBJECT_STORE": f"local:{var / 'objects'}", "SMS_GATEWAY_URL": sms.url,
           "SMS_GATEWAY_SECRET": "bench-sms-secret", "SMS_PHONE_LIMITS": "100/minute"}
    data = subprocess_prepare({**os.environ, **env})
    os.environ.update(env)
    from app import create_app

    app = create_app()
    mix = Mix("", data, sms, phone_photo(), seed=1)
    mix.http = TestClientHttp(app.test_client())

    def rss() -> float:
        return memory(os.getpid())["rss"] / MB

    libc.malloc_trim(0)
    print(f"after create_app: {rss():.1f} MB; modules {len(sys.modules)}")
    print(f"{'action (x5)':22s} {'rss +MB':>8s} {'trimmed +MB':>12s}")
    for _, action in mix.actions:
        before = rss()
        for _ in range(5):
            mix.step(action)
        grown = rss() - before
        libc.malloc_trim(0)
        print(f"{action.__name__:22s} {grown:8.1f} {rss() - before:12.1f}")
    print(f"all actions once: {rss():.1f} MB after trim; modules {len(sys.modules)}")
    from app.extensions import db, limiter

    with app.app_context():
        engine = db.engine
    print("then the mix: RSS after malloc_trim, compiled SQL statements cached, rate-limit keys held")
    if args.tracemalloc:
        tracemalloc.start(8)
        first = tracemalloc.take_snapshot()
    for n in range(1, args.where_steps + 1):
        mix.step()
        if n % 500 == 0 or n == args.where_steps:
            libc.malloc_trim(0)
            keys = len(getattr(limiter._storage, "storage", None) or {})  # memory://; Redis keeps its own
            print(f"  {n:6d} steps  {rss():6.1f} MB  {len(engine._compiled_cache):4d} statements  {keys:4d} keys")
    if args.tracemalloc:
        second = tracemalloc.take_snapshot()
        print(f"traced +{sum(s.size_diff for s in second.compare_to(first, 'filename')) / MB:.2f} MB; "
              "largest growth:")
        for stat in second.compare_to(first, "traceback")[:8]:
            print(f"  {stat.size_diff / 1024:+8.1f} KiB  {stat.count_diff:+6d} blocks")
            for frame in stat.traceback.format()[-6:]:
                print("      " + frame.strip())
    if mix.unexpected:
        print(f"{len(mix.unexpected)} unexpected answers, e.g. {mix.unexpected[:3]}")
    sms.shutdown()
    shutil.rmtree(var, ignore_errors=True)


class BaselineMix(Mix):
    def step(self, action=None) -> None:
        self.call("GET", "/json", (200,))


def drive(mixes: list[Mix], seconds: float) -> None:
    stop = time.monotonic() + seconds

    def loop(mix):
        while time.monotonic() < stop:
            mix.step()

    threads = [threading.Thread(target=loop, args=(m,), daemon=True) for m in mixes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- one run ----------------------------------------------------------------------------------------

def _mean(samples: list[dict], key: str) -> float:
    return statistics.mean(s[key] for s in samples) / MB


def _pg_database(url: str, name: str, create: bool) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return target.set(database=name).render_as_string(hide_password=False)


def one_run(args, photo: bytes) -> dict:
    var = Path(tempfile.mkdtemp(prefix="onetrip-rss-"))
    sms = SmsCapture()
    env = {**os.environ, "ONETRIP_VAR_DIR": str(var), "SECRET_KEY": "bench-secret-key-0123456789abcdef",
           "OBJECT_STORE": f"local:{var / 'objects'}", "SMS_GATEWAY_URL": sms.url,
           "SMS_GATEWAY_SECRET": "bench-sms-secret", "PROXY_FIX_X_FOR": "1", "LOG_FORMAT": "json"}
    pg_name = None
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        pg_name = f"onetrip_rss_{os.getpid()}"
        env["DATABASE_URL"] = _pg_database(os.environ["DATABASE_URL"], pg_name, create=True)
    result = {}
    try:
        data = subprocess_prepare(env)
        ours = Server("wsgi:app", env, ROOT)
        try:
            result.update(soak(args, ours, data, sms, photo))
        finally:
            ours.stop()
        baseline = Server("baseline_app:app", env, ROOT / "bench")
        try:
            result["base_import"] = baseline.sample()
            drive([BaselineMix(f"http://127.0.0.1:{baseline.port}", data, sms, photo, seed=n + 1)
                   for n in range(args.threads)], min(60, args.minutes * 60))
            result["base_soak"] = baseline.sample()
        finally:
            baseline.stop()
    finally:
        sms.shutdown()
        shutil.rmtree(var, ignore_errors=True)
        if pg_name:
            _pg_database(os.environ["DATABASE_URL"], pg_name, create=False)
    return result


def soak(args, ours: Server, data: dict, sms: SmsCapture, photo: bytes) -> dict:
    result = {"import": ours.sample()}
    base_url = f"http://127.0.0.1:{ours.port}"
    mixes = [Mix(base_url, data, sms, photo, seed=n + 1) for n in range(args.threads)]
    # Warm-up: every action once per thread, then the mix for a short while.
    for mix in mixes:
        for _, action in mix.actions:
            mix.step(action)
    drive(mixes, args.warmup)
    result["warm"] = ours.sample()
    warm_requests = sum(m.sent for m in mixes)
    timeline = []
    started, stop = time.monotonic(), time.monotonic() + args.minutes * 60
    while time.monotonic() < stop:  # in segments; each sample is taken with no request in flight
        drive(mixes, min(args.segment, stop - time.monotonic()))
        timeline.append((sum(m.sent for m in mixes) - warm_requests, ours.sample()))
    result["seconds"] = time.monotonic() - started
    result["soak"] = ours.sample()
    result["requests"] = sum(m.sent for m in mixes) - warm_requests
    result["timeline"] = timeline
    result["unexpected"] = [u for m in mixes for u in m.unexpected]
    return result


def subprocess_prepare(env: dict) -> dict:
    """prepare() in its own interpreter, so this process stays small and imports nothing of the app."""
    # The same test phone logs in several times while the data is built.
    out = subprocess.run([sys.executable, __file__, "--prepare-only"], env={**env, "SMS_PHONE_LIMITS": "100/minute"},
                         cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"prepare failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def growth_per_k(timeline: list) -> float:
    """Least-squares slope of the workers' mean RSS (sampled between segments, nothing in flight) over
    the soak, in MB per 1,000 requests a worker served (the mix's total / 2)."""
    points = [(n / 2 / 1000, _mean(s, "rss")) for n, s in timeline if len(s) == 2]
    if len(points) < 3:
        return float("nan")
    xs, ys = zip(*points)
    mx, my = statistics.mean(xs), statistics.mean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--warmup", type=float, default=20, help="seconds of mix before the soak")
    parser.add_argument("--segment", type=float, default=20, help="seconds between samples")
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--timeline", action="store_true", help="print every sample of every run")
    parser.add_argument("--where", action="store_true", help="in one process: what each action leaves behind")
    parser.add_argument("--where-steps", type=int, default=3000)
    parser.add_argument("--tracemalloc", action="store_true", help="with --where: what grew, by line (slow)")
    args = parser.parse_args()
    if args.where:
        where(args)
        return
    if args.prepare_only:
        data = prepare(dict(os.environ))
        print(json.dumps(data, ensure_ascii=False))
        return
    photo = phone_photo()
    db_kind = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgresql") else "SQLite"
    load_before = os.getloadavg()
    runs = []
    for n in range(args.runs):
        run = one_run(args, photo)
        runs.append(run)
        print(f"run {n + 1}: {run['requests']} requests in {run['seconds']:.0f} s "
              f"({run['requests'] / run['seconds']:.0f} req/s); worker RSS MB import "
              f"{_mean(run['import'], 'rss'):.1f}, warm {_mean(run['warm'], 'rss'):.1f}, soak "
              f"{_mean(run['soak'], 'rss'):.1f} (max {max(s['rss'] for s in run['soak']) / MB:.1f}); baseline "
              f"{_mean(run['base_soak'], 'rss'):.1f}", flush=True)
        if args.timeline:
            for count, samples in run["timeline"]:
                print(f"    {count:7d} req  " + "  ".join(
                    f"rss {s['rss'] / MB:6.1f} anon {s['anon'] / MB:6.1f} file {s['file'] / MB:5.1f} "
                    f"pss {s['pss'] / MB:6.1f} hwm {s['hwm'] / MB:6.1f}" for s in samples))
        if run["unexpected"]:
            print(f"    {len(run['unexpected'])} unexpected answers, e.g. {run['unexpected'][:3]}")
    load_after = os.getloadavg()

    def med(fn) -> float:
        return statistics.median(fn(r) for r in runs)

    print(f"\n{db_kind}, gunicorn.conf.py with 2 workers, {args.threads} client threads, {args.minutes:g}-minute soak, "
          f"median of {len(runs)} run(s); load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
          f"({os.cpu_count()} cores)")
    print(f"{'MB per worker (mean of 2)':28s} {'rss':>7s} {'anon':>7s} {'file':>7s} {'pss':>7s} {'peak':>7s}")
    for label, key in (("after import", "import"), ("after warm-up", "warm"), ("after the soak", "soak"),
                       ("baseline after import", "base_import"), ("baseline after load", "base_soak")):
        print(f"{label:28s} " + " ".join(f"{med(lambda r: _mean(r[key], field)):7.1f}"
                                         for field in ("rss", "anon", "file", "pss", "hwm")))
    worst = med(lambda r: max(s["rss"] for s in r["soak"]) / MB)
    print(f"largest worker after the soak: {worst:.1f} MB (goal < 150)")
    print(f"growth during the soak: {med(lambda r: (_mean(r['soak'], 'rss') - _mean(r['warm'], 'rss'))):+.1f} MB; "
          f"per 1,000 requests a worker served (slope): {med(lambda r: growth_per_k(r['timeline'])):+.2f} MB")
    print(f"ratio to bare Flask (RSS after the soak / after load): "
          f"{med(lambda r: _mean(r['soak'], 'rss') / _mean(r['base_soak'], 'rss')):.2f}x")


if __name__ == "__main__":
    main()
