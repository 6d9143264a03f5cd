"""Two workers at once, a pass that fails, and SIGTERM (finding 9)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import SHANGHAI
from app.services import deadline_scan
from app.services.worker import run
from models.application import Application
from models.evaluation import Alert
from tests.factories import submitted_and_accepted

ROOT = Path(__file__).resolve().parents[2]


def _accepted_cases(client, sms, count: int) -> None:
    for n in range(count):
        submitted_and_accepted(client, sms, phone=f"1380013820{n}")


def _late(db_session) -> datetime:
    latest = max(db_session.scalars(select(Application.promised_date)))
    return datetime.combine(latest, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(days=40)


def test_two_scans_at_once_change_each_case_once(client, sms, app, db_session, monkeypatch):
    """One worker's scan runs to the end while the other is between reading and writing the same
    cases: neither crashes, each light changes once, no alert is written twice."""
    from app.extensions import db

    _accepted_cases(client, sms, 3)
    late = _late(db_session)
    other = Session(db.engine)
    real = deadline_scan.compute_deadline
    raced, started = [], []

    def racing(*args, **kwargs):
        if not started:
            started.append(True)  # the other worker's scan runs once, whole, in the middle of mine
            raced.append(deadline_scan.scan_deadlines(session=other, clock=lambda: late))
        return real(*args, **kwargs)

    monkeypatch.setattr(deadline_scan, "compute_deadline", racing)
    mine = Session(db.engine)
    try:
        report = deadline_scan.scan_deadlines(session=mine, clock=lambda: late)
    finally:
        mine.close()
        other.close()
    changed = report.applications + raced[0].applications
    assert changed == 3  # every case once, by one worker or the other
    alerts = db_session.scalar(select(func.count()).select_from(Alert).where(Alert.subcase_id.is_(None)))
    assert alerts == 3
    assert set(db_session.scalars(select(Application.light))) == {"red"}


def test_the_worker_loop_survives_a_failing_pass(app, db_session, monkeypatch, sms):
    import app.services.worker as worker

    calls = []

    def flaky_scan(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bad row")
        return deadline_scan.ScanReport()

    monkeypatch.setattr(worker, "scan_deadlines", flaky_scan)
    stop, passes = threading.Event(), []

    def report(r):
        passes.append(r)
        stop.set()

    failures = run(session=db_session, clock=app.extensions["onetrip"].clock, sms=sms, wechat=None,
                   interval=0, once=False, stop=stop, report=report)
    assert failures == 1 and len(calls) == 2 and len(passes) == 1


@pytest.mark.live  # a real worker process waited on: not under libfaketime, whose sleep fails with EINVAL
def test_sigterm_stops_the_worker_cleanly(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "OBJECT_STORE": f"local:{tmp_path}",
           "SECRET_KEY": "test-secret-key-for-onetrip-tests-only", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--interval", "0.2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("outbox:"):
                break
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(seen) + out
    assert "worker: stopped" in out
