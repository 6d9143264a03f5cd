"""Pure rules of authorisations (委托代办): status by day and scope."""
from __future__ import annotations

from datetime import date, datetime, timezone

from models.assistance import Authorization


def _auth(kind: str, codes: list[str], revoked: bool = False) -> Authorization:
    return Authorization(principal_id=1, agent_phone="13900139000", scope_kind=kind, scope_codes=codes,
                         valid_until=date(2026, 11, 30), created_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                         revoked_at=datetime(2026, 11, 2, tzinfo=timezone.utc) if revoked else None)


def test_status_by_day():
    auth = _auth("any", [])
    assert auth.status(date(2026, 11, 30)) == "active"  # the last day still counts
    assert auth.status(date(2026, 12, 1)) == "expired"
    assert _auth("any", [], revoked=True).status(date(2026, 11, 3)) == "revoked"


def test_scope():
    assert _auth("any", []).covers(item_code="X", bundle_code=None)
    items = _auth("items", ["RSJ-YLJ-001"])
    assert items.covers(item_code="RSJ-YLJ-001", bundle_code=None)
    assert not items.covers(item_code=None, bundle_code="RETIRE")
    bundles = _auth("bundles", ["RETIRE"])
    assert bundles.covers(item_code=None, bundle_code="RETIRE")
    assert not bundles.covers(item_code="RSJ-YLJ-001", bundle_code=None)
