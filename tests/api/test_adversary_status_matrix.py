"""Every operation of the OpenAPI document, called by nobody, a citizen and each staff role, with no
body and with a broken JSON body, on ids that do not exist: the status and error code each gets is
the one it got before issue 12 rebuilt the web edge (78c24d9, recorded in data/). Decorator order
(who is checked before what is parsed), role checks and error codes are behaviour the clients see."""
from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import login_citizen, login_staff

BASELINE = Path(__file__).parent / "data" / "status-matrix-78c24d9.json"
METHODS = ("get", "post", "put", "patch", "delete")


def _error(answer) -> str | None:
    body = answer.get_json(silent=True) if answer.is_json else None
    if isinstance(body, dict):
        return body.get("error")
    return type(body).__name__ if answer.is_json else answer.mimetype


def test_every_operation_answers_every_caller_as_before(client, sms):
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    spec = client.get("/openapi.json").json
    callers = {"anon": {}, "citizen": login_citizen(client, sms)["headers"]}
    for role in ("clerk", "reviewer-rsj", "courier", "supervisor", "admin"):
        callers[role] = login_staff(client, role)["headers"]
    now = {}
    for path, item in sorted(spec["paths"].items()):
        url = re.sub(r"\{[^}]+\}", "999999", path)
        for method in sorted(m for m in item if m in METHODS):
            for name, headers in callers.items():
                for body in ("none", "garbage"):
                    kwargs = {} if body == "none" else {"data": b"{not json", "content_type": "application/json"}
                    answer = client.open(url, method=method.upper(), headers=headers, **kwargs)
                    now[f"{method.upper()} {path} {name} {body}"] = [answer.status_code, _error(answer)]
    changed = {key: (before.get(key), now.get(key)) for key in before.keys() | now.keys()
               if key in before and before[key] != now.get(key)}
    assert not changed, "\n".join(f"{k}: {b} -> {n}" for k, (b, n) in sorted(changed.items()))
