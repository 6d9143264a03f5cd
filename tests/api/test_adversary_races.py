"""Two requests move the same case at once, through the whole web edge, on PostgreSQL (issue 12 put
every use case in one `with transaction(session)`): both read before either writes (a barrier holds
each request at its first UPDATE), exactly one wins, the other answers 409 `conflict`, and the
database holds what one uncontested move writes — no second event, outbox message, sub-case,
shipment or number."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from tests.api.test_post import carrier_secret, completed_by_post  # noqa: F401  (the fixture too)
from tests.factories import ready_application, submitted_and_accepted
from tests.helpers import login_staff

# What two racing requests may both write: the staff read audit, token bookkeeping.
IGNORED = {"access_log", "refresh_tokens", "idempotency_records", "alembic_version"}


def _counts(app) -> dict[str, int]:
    with app.app_context():
        with db.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t))
                    for t in db.metadata.sorted_tables if t.name not in IGNORED}


def _delta(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def _race(app, calls) -> list:
    """Run each (method, url, headers, json) on its own thread and connection; every thread waits at
    its first UPDATE until all have read (or until 3 s pass, when one holds a lock the other waits on)."""
    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(len(calls), timeout=3)
    racers, answers = {}, [None] * len(calls)

    def hold(conn, cursor, statement, *args):
        me = threading.get_ident()
        if racers.get(me) is False and statement.lstrip().upper().startswith("UPDATE"):
            racers[me] = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    def run(n, method, url, headers, body):
        racers[threading.get_ident()] = False
        answer = app.test_client().open(url, method=method, headers=headers, json=body)
        answers[n] = (answer.status_code, answer.get_json())

    event.listen(engine, "before_cursor_execute", hold)
    try:
        threads = [threading.Thread(target=run, args=(n, *call)) for n, call in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    return answers


def _one_wins(answers) -> None:
    codes = sorted(status for status, _ in answers)
    assert codes == [200, 409], answers
    loser = next(body for status, body in answers if status == 409)
    assert loser["error"] == "conflict", loser


def _uncontested(app, once) -> dict:
    before = _counts(app)
    once()
    return _delta(before, _counts(app))


def test_two_clerks_accept_at_once(app, client, sms, pg_url):
    clerk = login_staff(client, "clerk")["headers"]
    other = login_staff(client, "clerk")["headers"]
    cases = []
    for phone in ("13800138001", "13800138002"):
        citizen, application = ready_application(client, sms, phone=phone)
        assert client.post(f"/api/v1/applications/{application['id']}/submit",
                           headers=citizen["headers"]).status_code == 200
        cases.append(application["id"])
    alone = _uncontested(app, lambda: client.post(f"/api/v1/hall/applications/{cases[0]}/accept",
                                                  headers=clerk, json={}))
    assert alone.get("subcases") == 3, alone
    url = f"/api/v1/hall/applications/{cases[1]}/accept"
    before = _counts(app)
    _one_wins(_race(app, [("POST", url, clerk, {}), ("POST", url, other, {})]))
    assert _delta(before, _counts(app)) == alone


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_approve_and_another_decision_at_once(app, client, sms, pg_url, second):
    citizen, application, _ = submitted_and_accepted(client, sms)
    reviewer = login_staff(client, "reviewer-rsj")["headers"]
    colleague = login_staff(client, "reviewer-rsj")["headers"]
    sub = client.get("/api/v1/department/subcases?status=pending", headers=reviewer).json[0]
    base = f"/api/v1/department/subcases/{sub['id']}"
    body = {} if second == "approve" else {"reason": "材料不符"}
    before = _counts(app)
    answers = _race(app, [("POST", f"{base}/approve", reviewer, {}), ("POST", f"{base}/{second}", colleague, body)])
    _one_wins(answers)
    after = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    status = next(s["status"] for s in after["subcases"] if s["item_code"] == sub["item_code"])
    won = "approve" if answers[0][0] == 200 else second
    assert status == {"approve": "approved", "reject": "rejected"}[won]
    delta = _delta(before, _counts(app))
    assert delta.get("events", 0) <= 2 and delta.get("notifications", 0) <= 1, delta


def test_pack_twice_at_once(app, client, sms, pg_url):
    _, _, clerk, shipment = completed_by_post(client, sms)
    other = login_staff(client, "clerk")["headers"]
    url = f"/api/v1/hall/shipments/{shipment['id']}/pack"
    before = _counts(app)
    _one_wins(_race(app, [("POST", url, clerk["headers"], {}), ("POST", url, other, {})]))
    delta = _delta(before, _counts(app))
    assert delta.get("events", 0) <= 1 and delta.get("notifications", 0) <= 1, delta
