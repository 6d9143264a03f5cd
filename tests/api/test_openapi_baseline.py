"""The OpenAPI document before the web edge was rebuilt (issue 12, commit 78c24d9) is a floor:
every path, method, response code, parameter (the Idempotency-Key header included), security
requirement and schema it described must still be described the same way. Additions are the
backend's to choose (API.md); anything missing or changed is a contract change."""
from __future__ import annotations

import json
from pathlib import Path

BASELINE = Path(__file__).parent / "data" / "openapi-78c24d9.json"


def _canon(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _lost(before, now, where: str, out: list[str]) -> None:
    """What `before` says that `now` no longer says (dict keys may be added, list items too)."""
    if type(before) is not type(now):
        out.append(f"{where}: {_canon(before)[:160]} -> {_canon(now)[:160]}")
    elif isinstance(before, dict):
        for key, value in before.items():
            if key not in now:
                out.append(f"{where}/{key}: missing (was {_canon(value)[:160]})")
            else:
                _lost(value, now[key], f"{where}/{key}", out)
    elif isinstance(before, list):
        if where.endswith("/parameters"):
            # Parameters are identified by (in, name); compare each one found by its identity.
            by_id = {(p.get("in"), p.get("name")): p for p in now if isinstance(p, dict)}
            for param in before:
                key = (param.get("in"), param.get("name")) if isinstance(param, dict) else None
                if key not in by_id:
                    out.append(f"{where}: parameter {key or _canon(param)} missing")
                else:
                    _lost(param, by_id[key], f"{where}[{key[0]}:{key[1]}]", out)
        else:
            missing = {_canon(v) for v in before} - {_canon(v) for v in now}
            out.extend(f"{where}: item {item[:160]} missing" for item in sorted(missing))
    elif before != now:
        out.append(f"{where}: {before!r} -> {now!r}")


def test_openapi_document_keeps_everything_it_described(client):
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    now = client.get("/openapi.json").json
    lost: list[str] = []
    _lost(before, now, "", lost)
    assert not lost, "the OpenAPI document lost or changed:\n" + "\n".join(lost)


def test_idempotency_key_still_described_where_it_was(client):
    """Spelled out because phones rely on it: every operation that took an Idempotency-Key header
    still documents it."""
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    now = client.get("/openapi.json").json

    def keyed(spec):
        found = set()
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if not isinstance(op, dict):
                    continue
                for param in op.get("parameters", []) + item.get("parameters", []):
                    if "$ref" in param:
                        param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
                    if param.get("in") == "header" and param.get("name") == "Idempotency-Key":
                        found.add((method, path))
        return found

    assert keyed(before), "the baseline documents Idempotency-Key"
    assert keyed(before) <= keyed(now), sorted(keyed(before) - keyed(now))
