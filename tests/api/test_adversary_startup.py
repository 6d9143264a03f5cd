"""A mistyped setting stops the app (and every `flask --app wsgi ...` command) with one clear line
naming it: an operator at a county data centre should not have to read a Python traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# A Python process per setting (~1.5 s each): the first in the fast loop, the rest with the fuzzers
# (each setting's own check is tested in-process in tests/unit/test_rules.py).
@pytest.mark.parametrize("name, value", [
    ("CORS_ORIGINS", "h5.example.gov.cn"),
    *(pytest.param(name, value, marks=pytest.mark.fuzz) for name, value in (
        ("OBJECT_STORE", "ftp://files.example"),
        ("S3_ENDPOINT_URL", "not a url"),
        ("ACCESS_TOKEN_MINUTES", "thirty"),
    )),
])
def test_a_bad_setting_stops_the_app_with_one_clear_line(tmp_path, name, value):
    env = {**os.environ, "SECRET_KEY": "k" * 32, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite",
           "ONETRIP_VAR_DIR": str(tmp_path), "OBJECT_STORE": "s3://onetrip", name: value}
    # No timeout=: under libfaketime (.ci/run's dated runs) subprocess's polling sleep fails with EINVAL.
    ran = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr, ran.stderr
    assert name in ran.stderr and value in ran.stderr, ran.stderr
