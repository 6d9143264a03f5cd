"""A web worker's memory (issue 12: < 150 MB after a soak, bench/worker_rss.py): what the app imports
at start, the label's fonts, and gunicorn handing freed memory back after big requests."""
from __future__ import annotations

import gc
import importlib.util
import json
import os
import subprocess
import sys
import weakref
from pathlib import Path
from types import SimpleNamespace

from PIL import ImageFont

from storage.labels import shipping_label

ROOT = Path(__file__).resolve().parents[2]

# Never needed to answer a request: migrations (alembic brings mako and pygments), the S3 client
# when the store is local, and what only the tests use.
NOT_AT_START = ("flask_migrate", "alembic", "mako", "pygments", "boto3", "botocore", "schemathesis",
                "hypothesis", "zxingcpp", "pypdf", "pytest")


def test_the_app_starts_without_migrations_s3_or_test_packages(tmp_path):
    code = ("import json, sys\nfrom app import create_app\ncreate_app()\n"
            f"print(json.dumps([m for m in {NOT_AT_START!r} if m in sys.modules]))")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OBJECT_STORE")}
    env.update({"SECRET_KEY": "test-secret-key-for-onetrip-tests-only", "ONETRIP_VAR_DIR": str(tmp_path),
                "OBJECT_STORE": f"local:{tmp_path / 'objects'}"})
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_flask_db_still_runs_flask_migrate(database_url, app):
    """`flask db` and flask_migrate.upgrade() load Flask-Migrate when first used."""
    from app import create_app

    fresh = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-for-onetrip-tests-only",
                        "SQLALCHEMY_DATABASE_URI": database_url})
    runner = fresh.test_cli_runner()
    helped = runner.invoke(args=["db", "--help"])
    assert helped.exit_code == 0 and "upgrade" in helped.output and "--directory" in helped.output
    current = runner.invoke(args=["db", "current"])
    assert current.exit_code == 0, current.output
    assert "Context impl" in current.output  # alembic ran against the database
    assert type(fresh.extensions["migrate"]).__module__ == "flask_migrate"
    assert fresh.extensions["migrate"].directory.endswith("migrations")


def test_a_label_keeps_no_font_faces(monkeypatch):
    """A CJK face holds 3-5 MB; a cache of them stayed in every worker that printed a label.
    Every face the labels open is watched and must be gone after a collection (counting the faces
    among all of gc's objects took ~2 s this late in a run: a million objects, twice)."""
    opened = []
    load = ImageFont.FreeTypeFont.__init__

    def watched(self, *args, **kwargs):
        load(self, *args, **kwargs)
        opened.append(weakref.ref(self))

    monkeypatch.setattr(ImageFont.FreeTypeFont, "__init__", watched)
    for kind in ("png", "pdf"):
        shipping_label(shipment_number="EMS0000000001", kind=kind,
                       lines=[("收件人", "王建国 13800138000"), ("地址", "浙江省衢州市龙游县龙洲街道荣昌路 1 号")])
    assert len(opened) >= 2  # each label opened its faces (the watch saw them)
    gc.collect()
    assert [ref for ref in opened if ref() is not None] == []


def _gunicorn_conf(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    spec = importlib.util.spec_from_file_location("onetrip_gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_gunicorn_hands_freed_memory_back_after_big_requests(monkeypatch, tmp_path):
    conf = _gunicorn_conf(monkeypatch, tmp_path)
    worker = SimpleNamespace(nr=1)
    conf.post_worker_init(worker)
    assert conf._libc is not None  # glibc: the soak's workers run on it
    trims = []
    monkeypatch.setattr(conf, "_libc", SimpleNamespace(malloc_trim=trims.append))

    def answered(content_type: str | None, *, body: int = 0, nr: int = 1) -> bool:
        worker.nr, before = nr, len(trims)
        headers = [("Content-Type", content_type)] if content_type else []
        conf.post_request(worker, None, {"CONTENT_LENGTH": str(body) if body else ""},
                          SimpleNamespace(headers=[("X-Request-ID", "x"), *headers]))
        return len(trims) > before

    assert not answered("application/json")  # progress, lists: nothing big was freed
    assert not answered(None)  # 304
    assert answered("image/png") and answered("application/pdf") and answered("text/html; charset=utf-8")
    assert answered("application/json", body=3_500_000)  # an upload's form or a direct upload
    assert answered("application/json", nr=conf.TRIM_EVERY)
    assert trims == [0] * 5
    conf.post_request(worker, None, {}, None)  # the app failed before an answer existed


def test_a_worker_freezes_the_loaded_app_once_it_is_loaded(monkeypatch, tmp_path):
    """gunicorn calls post_worker_init after the worker loaded the app: what is left after one
    collection is frozen, so full collections stop walking the app's ~200,000 objects (a pause of
    100-150 ms every few hundred list pages: bench/list_pages.py --gc)."""
    conf = _gunicorn_conf(monkeypatch, tmp_path)
    calls = []
    monkeypatch.setattr(conf, "gc", SimpleNamespace(collect=lambda: calls.append("collect"),
                                                    freeze=lambda: calls.append("freeze")))
    conf.post_worker_init(SimpleNamespace(nr=0))
    assert calls == ["collect", "freeze"]  # garbage collected first: never frozen for the worker's life
