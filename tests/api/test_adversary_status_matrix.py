"""Every operation of the OpenAPI document, called by nobody, a citizen and each staff role, with no
body and with a broken JSON body, on ids that do not exist: the status and error code each gets is
the one it got before issue 12 rebuilt the web edge (78c24d9, recorded in data/). Decorator order
(who is checked before what is parsed), role checks and error codes are behaviour the clients see."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import login_citizen, login_staff

BASELINE = Path(__file__).parent / "data" / "status-matrix-78c24d9.json"
METHODS = ("get", "post", "put", "patch", "delete")


def _error(answer) -> str | None:
    body = answer.get_json(silent=True) if answer.is_json else None
    if isinstance(body, dict):
        return body.get("error")
    return type(body).__name__ if answer.is_json else answer.mimetype


STAFF = ("clerk", "reviewer-rsj", "courier", "supervisor", "admin")


# Nobody and a citizen in the fast loop: every public client is one of them. The five staff roles,
# 226 requests each, run with the fuzzers in CI.
@pytest.mark.parametrize("caller", ["anon", "citizen",
                                    *(pytest.param(role, marks=pytest.mark.fuzz) for role in STAFF)])
def test_every_operation_answers_every_caller_as_before(client, sms, caller):
    before = {key: answer for key, answer in json.loads(BASELINE.read_text(encoding="utf-8")).items()
              if key.split(" ")[2] == caller}
    assert len(before) == 226  # every operation with and without a body, as recorded
    spec = client.get("/openapi.json").json
    if caller == "anon":
        headers = {}
    elif caller == "citizen":
        headers = login_citizen(client, sms)["headers"]
    else:
        headers = login_staff(client, caller)["headers"]
    now = {}
    for path, item in sorted(spec["paths"].items()):
        url = re.sub(r"\{[^}]+\}", "999999", path)
        for method in sorted(m for m in item if m in METHODS):
            for body in ("none", "garbage"):
                kwargs = {} if body == "none" else {"data": b"{not json", "content_type": "application/json"}
                answer = client.open(url, method=method.upper(), headers=headers, **kwargs)
                now[f"{method.upper()} {path} {caller} {body}"] = [answer.status_code, _error(answer)]
    changed = {key: (before[key], now.get(key)) for key in before if before[key] != now.get(key)}
    assert not changed, "\n".join(f"{k}: {b} -> {n}" for k, (b, n) in sorted(changed.items()))
