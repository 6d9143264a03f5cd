"""Supervision statistics for one county and one month as the history grows: 10k, 100k, 1M
applications on PostgreSQL (target: under 300 ms at 1M).

    .venv/bin/python bench/stats_scale.py [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                          [--sizes 10000,100000,1000000]

Creates a throwaway database on the server, migrates it, seeds the demo catalogue, grows the history
step by step (ANALYZE after each), and prints the median of 7 timed calls of the stats service,
plus each step's time relative to the first (how it grows).
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"onetrip_bench_{secrets.token_hex(4)}"
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    try:
        run(url, [int(x) for x in args.sizes.split(",")])
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(url: str, sizes: list[int]) -> None:
    import tempfile

    os.environ["ONETRIP_VAR_DIR"] = tempfile.mkdtemp(prefix="onetrip-bench-")
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.clock import local_date, utcnow
    from app.extensions import db
    from app.services import stats
    from app.services.history import seed_history
    from app.services.seed import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    today = local_date(utcnow())
    month = {"region_code": "330825", "date_from": today - timedelta(days=60), "date_to": today - timedelta(days=31)}
    with app.app_context():
        upgrade()
        seed_demo(session=db.session, clock=app.extensions["onetrip"].clock, cipher=app.extensions["onetrip"].cipher,
                  passwords=app.extensions["onetrip"].passwords)
        have, first = 0, None
        print(f"{'applications':>12}  {'seed s':>8}  {'stats ms':>9}  {'growth':>7}  in the month")
        for size in sizes:
            started = time.perf_counter()
            seed_history(session=db.session, count=size - have, months=12, today=today, seed=size)
            seeded = time.perf_counter() - started
            have = size
            db.session.commit()
            # What autovacuum does on a live server after a load: statistics and the visibility map
            # (index-only scans need it).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            stats.compute(db.session, today=today, **month)  # warm the cache as a live server would be
            times = []
            for _ in range(7):
                start = time.perf_counter()
                figures = stats.compute(db.session, today=today, **month)
                times.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
            median = statistics.median(times)
            first = first or median
            print(f"{size:>12,}  {seeded:>8.1f}  {median:>9.1f}  {median / first:>6.2f}x  {figures['applications']:,}")


if __name__ == "__main__":
    main()
