"""The progress cache under attack (commit 8cbb25c: stamps kept while a LISTEN/NOTIFY feed hears every
change, bodies kept under their tag, a commit forgets its own cases at once, the access line in WSGI
middleware).

The promise attacked: never an answer older than the case (no stale 304, no stale 200 body), never
another citizen's case, 401/404 as before, every change heard however it is made, the database
answering while the feed is down; and the request id / access line / metrics as before.

"Deaf" runs (PostgreSQL): the watcher keeps its connection (the cache stays live) but every
notification is held back, as on a loaded machine where the news has not arrived yet. A change made
through the app must then still be seen on the very next poll: only the committing worker's own
forgetting (hear_own_commits) can make that happen. Changes made outside the app (psql) are allowed a
bounded wait for their notification.
"""
from __future__ import annotations

import json
import logging
import os

import pytest
from sqlalchemy import create_engine, text

from tests.api import test_adversary_progress as earlier
from tests.api.test_help_agents import _agent_application, _fill_and_submit
from tests.api.test_post import carrier_secret  # noqa: F401  (autouse: the carrier webhook's secret)
from tests.api.test_progress_edge import _count
from tests.factories import submitted_and_accepted
from tests.helpers import assert_error, bearer, login_citizen, login_staff

from tests.api.test_progress_cache import _cache, _poll_until  # noqa: E402


def _watched_from_memory(app, client, application_id: int, headers: dict):
    """The progress URL, a poll with its ETag answered from memory, and this process's watcher."""
    url = f"/api/v1/applications/{application_id}/progress"
    full = client.get(url, headers=headers)
    cached = {**headers, "If-None-Match": full.headers["ETag"]}
    watcher = _watcher(app)
    _poll_until(lambda: not _count(app, client, url, cached)[1], "a poll answered from memory")
    return url, cached, watcher


def _watcher(app):
    """Starts this process's watcher (as a worker's first poll does) and waits until it listens."""
    from app.extensions import db
    from app.gateways.changes import watcher_of
    from app.web import progress_cache

    with app.test_request_context():
        cache = progress_cache()
        watcher = watcher_of(db.engine)
    _poll_until(lambda: cache.live, "the change feed listening")
    return watcher


@pytest.fixture
def deaf(app, pg_url):
    """The feed listens (the cache is live) but hears nothing: the notifications are held back."""
    watcher = _watcher(app)
    held: list[str] = []
    watcher._deliver = held.append  # the instance attribute shadows the method the thread calls
    try:
        yield held
    finally:
        del watcher._deliver


def _stack_of(watcher) -> str:
    import sys
    import traceback

    frame = sys._current_frames().get(watcher._thread.ident)
    return "".join(traceback.format_stack(frame)) if frame else "no frame"


def _outside(pg_url):
    return create_engine(pg_url, isolation_level="AUTOCOMMIT")


# -- every command through the app, with the notifications held back -----------------------------

def test_deaf_every_step_of_a_pledged_case_is_seen_at_once(deaf, client, sms, clock, today):
    """Visits, a materials request (pause), supply, a pledged material supplied and checked, a holiday
    declared and withdrawn, three approvals, the window issue: the next poll after each is new."""
    earlier.test_etag_moves_with_every_step_of_a_pledged_case(client, sms, clock, today)


def test_deaf_every_shipment_step_is_seen_at_once(deaf, client, sms):
    """Pack, pickup, the carrier's webhook, delivery: the next poll after each is new."""
    earlier.test_etag_moves_with_every_shipment_step(client, sms)


def test_deaf_an_agent_is_cut_off_by_a_revocation_through_the_app(deaf, app, client, sms, today):
    parent, child, granted, application = _agent_application(client, sms, today)
    _fill_and_submit(client, child["headers"], application)
    url = f"/api/v1/applications/{application['id']}/progress"
    full = client.get(url, headers=child["headers"])
    cached = {**child["headers"], "If-None-Match": full.headers["ETag"]}
    assert client.get(url, headers=cached).status_code == 304
    assert client.delete(f"/api/v1/authorizations/{granted['id']}", headers=parent["headers"]).status_code == 204
    assert_error(client.get(url, headers=cached), 404, "not_found")
    assert_error(client.get(url, headers=child["headers"]), 404, "not_found")
    assert client.get(url, headers=parent["headers"]).status_code == 200


def test_deaf_return_withdraw_and_resubmit_are_seen_at_once(deaf, client, sms):
    """A clerk returns a case for correction, the citizen resubmits it; another withdraws before
    acceptance: each next poll with the old ETag is a 200 with the new status."""
    from tests.factories import ready_application

    citizen, application = ready_application(client, sms, phone="13800138091")
    url = f"/api/v1/applications/{application['id']}"
    assert client.post(url + "/submit", headers=citizen["headers"]).status_code == 200
    phone = earlier.Watch(client, citizen["headers"], application["id"])
    phone.unchanged()
    clerk = login_staff(client, "clerk")["headers"]
    returned = client.post(f"/api/v1/hall/applications/{application['id']}/return", headers=clerk,
                           json={"problems": [{"target": "applicant_name", "reason": "姓名与身份证不符"}]})
    if returned.status_code == 200:
        assert phone.changed("returned for correction")["status"] == "returned"
        assert client.post(url + "/submit", headers=citizen["headers"]).status_code == 200
        assert phone.changed("resubmitted")["status"] == "submitted"
    assert client.post(url + "/withdraw", headers=citizen["headers"]).status_code == 200
    assert phone.changed("withdrawn")["status"] == "withdrawn"


# -- changes made outside the app (psql): a bounded wait for the notification ------------------------

def test_postgres_a_case_moved_to_another_citizen_at_psql(app, client, sms, pg_url):
    owner, case, clerk = submitted_and_accepted(client, sms, phone="13800138092")
    other = login_citizen(client, sms, "13800138093")
    url = f"/api/v1/applications/{case['id']}/progress"
    full = client.get(url, headers=owner["headers"])
    cached = {**owner["headers"], "If-None-Match": full.headers["ETag"]}
    _watcher(app)
    _poll_until(lambda: not _count(app, client, url, cached)[1], "a poll answered from memory")
    outside = _outside(pg_url)
    try:
        with outside.connect() as conn:
            conn.execute(text("UPDATE applications SET citizen_id = :c WHERE id = :id"),
                         {"c": other["citizen"]["id"], "id": case["id"]})
        _poll_until(lambda: client.get(url, headers=cached).status_code == 404, "the old owner refused")
        assert client.get(url, headers=other["headers"]).status_code == 200
    finally:
        outside.dispose()


def _delete_account_at_psql(pg_url, citizen_id: int, *, replica: bool = False) -> None:
    """What a person at psql does to delete an account: its rows, then the account, in one transaction
    (`replica`: as a logical-replication apply or a restore runs, foreign keys and triggers off)."""
    outside = create_engine(pg_url)
    try:
        with outside.begin() as conn:
            if replica:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                conn.execute(text("UPDATE applications SET submitted_by_id = NULL WHERE submitted_by_id = :id"),
                             {"id": citizen_id})
                for table in ("access_log", "notifications", "evaluations", "complaints", "elicenses", "uploads"):
                    conn.execute(text(f"DELETE FROM {table} WHERE citizen_id = :id"), {"id": citizen_id})
            conn.execute(text("DELETE FROM citizens WHERE id = :id"), {"id": citizen_id})
    finally:
        outside.dispose()


@pytest.mark.parametrize("replica", [False, True], ids=["plain", "replica_role"])
def test_postgres_a_token_of_an_account_deleted_at_psql_is_refused(app, client, sms, today, pg_url, replica):
    """The agent's account is deleted at psql: the stamp the worker kept for it must not answer for a
    token naming nobody (401 token_invalid), whether the delete ran plainly or under
    session_replication_role = replica (a logical-replication subscriber applying the publisher's
    changes, a data fix run the way pg_restore runs): triggers that are not ENABLE ALWAYS do not fire
    then."""
    parent, child, granted, application = _agent_application(client, sms, today)
    _fill_and_submit(client, child["headers"], application)
    url = f"/api/v1/applications/{application['id']}/progress"
    full = client.get(url, headers=child["headers"])
    cached = {**child["headers"], "If-None-Match": full.headers["ETag"]}
    _watcher(app)
    _poll_until(lambda: not _count(app, client, url, cached)[1], "a poll answered from memory")
    _delete_account_at_psql(pg_url, child["citizen"]["id"], replica=replica)
    _poll_until(lambda: client.get(url, headers=cached).status_code == 401, "the deleted account refused")
    assert_error(client.get(url, headers=cached), 401, "token_invalid")


def test_postgres_a_change_made_at_once_after_the_feed_is_cut_is_not_missed(app, client, sms, pg_url):
    """The watcher's backend is terminated and the case changed in the same breath, before the
    watcher noticed: the change must still be seen (within the bounded wait)."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138094")
    url, cached, watcher = _watched_from_memory(app, client, case["id"], citizen["headers"])
    outside = _outside(pg_url)
    try:
        with outside.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": watcher.backend_pid})
            conn.execute(text("INSERT INTO events (application_id, at, event, actor_role, message) "
                              "VALUES (:id, now(), 'note', 'clerk', '断线瞬间的变更')"), {"id": case["id"]})
        changed = _poll_until(lambda: (r := client.get(url, headers=cached)).status_code == 200 and r,
                              "the change made as the feed was cut")
        assert changed.json["timeline"][-1]["message"] == "断线瞬间的变更"
    finally:
        outside.dispose()


# -- the generation race ---------------------------------------------------------------------------

def test_postgres_a_stamp_read_before_a_change_and_kept_after_it_is_refused(app, client, sms, pg_url, monkeypatch):
    """The poll's stamp statement runs, then (before the poll keeps what it read) a change is made
    at psql and its notification heard: the old stamp must not be kept; the next poll is new."""
    import app.services.progress as progress_module

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138095")
    url = f"/api/v1/applications/{case['id']}/progress"
    watcher = _watcher(app)
    first = client.get(url, headers=citizen["headers"])
    cached = {**citizen["headers"], "If-None-Match": first.headers["ETag"]}
    _cache(app).clear()
    outside = _outside(pg_url)
    real = progress_module.read_connection
    interleaved = []

    class _Late:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, statement, *args, **kwargs):
            result = self.conn.execute(statement, *args, **kwargs)
            if statement is progress_module._STAMP and not interleaved:
                row = result.first()
                connections, generation = watcher.connections, _cache(app).generation
                with outside.connect() as conn:  # the change commits after the read
                    conn.execute(text("INSERT INTO events (application_id, at, event, actor_role, message) "
                                      "VALUES (:id, now(), 'note', 'clerk', '读后写')"), {"id": case["id"]})
                _poll_until(lambda: _cache(app).generation > generation or watcher.connections != connections,
                            f"the news heard before the read is kept (watcher connected={watcher.connected}, "
                            f"thread alive={watcher._thread.is_alive()}, live={_cache(app).live}, "
                            f"subscribed={_cache(app) in watcher._caches}) "
                            f"{_stack_of(watcher)}")
                interleaved.append(True)
                return _Rows(row)
            return result

        def __getattr__(self, name):
            return getattr(self.conn, name)

    class _Rows:
        def __init__(self, row):
            self.row = row

        def first(self):
            return self.row

    monkeypatch.setattr(progress_module, "read_connection", lambda session: _Late(real(session)))
    try:
        stale = client.get(url, headers=cached)
        assert interleaved and stale.status_code == 304  # read before the change: an old answer, once
        monkeypatch.setattr(progress_module, "read_connection", real)
        fresh = client.get(url, headers=cached)
        assert fresh.status_code == 200 and fresh.json["timeline"][-1]["message"] == "读后写"
    finally:
        outside.dispose()


# -- bodies: a tag must name everything the body is built from ---------------------------------------

def _item_payload(guide: dict) -> dict:
    keep = ("main_name", "sub_name", "legal_basis", "statutory_days", "promised_days", "max_visits", "mobile",
            "cross_region", "delivery_options", "fee", "life_event", "steps", "internal_steps", "form",
            "hall_levels")
    payload = {k: guide[k] for k in keep if k in guide}
    department = guide.get("department")
    payload["department"] = department["code"] if isinstance(department, dict) else department
    payload["result_elicense_type"] = guide.get("result_elicense_type")
    if isinstance(payload["result_elicense_type"], dict):
        payload["result_elicense_type"] = payload["result_elicense_type"]["code"]
    payload["materials"] = [{"code": m["code"], "required": m.get("required", True),
                             "commitment_allowed": m.get("commitment_allowed", False)} for m in guide["materials"]]
    return payload


def test_a_renamed_item_reaches_a_phone_without_an_etag(app, client, sms):
    """On any database. A phone with no ETag (a fresh install, a cleared cache) always had the
    database's answer; with bodies kept under the tag, an item renamed by the admin (the sub-case's
    item_name in the body) must not be answered with the old name."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138096")
    url = f"/api/v1/applications/{case['id']}/progress"
    before = client.get(url, headers=citizen["headers"])
    subcase = before.json["subcases"][0]
    admin = login_staff(client, "admin")["headers"]
    guide = client.get(f"/api/v1/items/{subcase['item_code']}").json
    payload = _item_payload(guide)
    payload["main_name"] = "改名后的事项"
    renamed = client.put(f"/api/v1/admin/items/{subcase['item_code']}", json=payload, headers=admin)
    assert renamed.status_code == 200, renamed.json
    after = client.get(url, headers=citizen["headers"])
    names = {s["item_code"]: s["item_name"] for s in after.json["subcases"]}
    assert names[subcase["item_code"]] == "改名后的事项", "the body kept under the tag names the old item"


def test_a_renamed_item_is_never_answered_unchanged(app, client, sms, db_session, monkeypatch):
    """A phone that keeps its ETag: the body names the sub-case's item, so an item renamed in the
    catalogue changes the tag (at once in the worker that renamed it; in another worker within the
    minute it remembers the names, or at once on PostgreSQL when it hears `*`). The tag named only
    the case, so the phone was told 304 and showed the old name for the life of the case."""
    from sqlalchemy import update

    from app.services import progress
    from models.catalogue import Department

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138095")
    url = f"/api/v1/applications/{case['id']}/progress"
    before = client.get(url, headers=citizen["headers"])
    tag = before.headers["ETag"]
    assert client.get(url, headers={**citizen["headers"], "If-None-Match": tag}).status_code == 304
    subcase = before.json["subcases"][0]
    admin = login_staff(client, "admin")["headers"]
    payload = _item_payload(client.get(f"/api/v1/items/{subcase['item_code']}").json)
    payload["main_name"] = "改名后的事项"
    assert client.put(f"/api/v1/admin/items/{subcase['item_code']}", json=payload, headers=admin).status_code == 200
    after = client.get(url, headers={**citizen["headers"], "If-None-Match": tag})
    assert after.status_code == 200, "the renamed item was answered 304: the phone keeps the old name"
    assert {s["item_code"]: s["item_name"] for s in after.json["subcases"]}[subcase["item_code"]] == "改名后的事项"
    again = client.get(url, headers={**citizen["headers"], "If-None-Match": after.headers["ETag"]})
    assert again.status_code == 304  # and the new tag holds

    # Renamed behind this worker's back (another worker, or SQL): the minute it remembers names is up.
    db_session.execute(update(Department).where(Department.code == subcase["department"])
                       .values(name="改名后的部门"))
    db_session.commit()
    monkeypatch.setattr(progress._names, "_copies", {})
    renamed = client.get(url, headers={**citizen["headers"], "If-None-Match": after.headers["ETag"]})
    assert renamed.status_code == 200
    assert {s["department"]: s["department_name"] for s in renamed.json["subcases"]}[subcase["department"]] == "改名后的部门"


def test_bodies_never_cross_languages_or_cases(client, sms):
    """Same case in zh-CN and en, two cases of one citizen: each body is its own."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138097")
    url = f"/api/v1/applications/{case['id']}/progress"
    for _ in range(2):
        zh = client.get(url, headers=citizen["headers"])
        en = client.get(url, headers={**citizen["headers"], "Accept-Language": "en"})
        assert zh.headers["ETag"] != en.headers["ETag"] and zh.get_data() != en.get_data()
        assert zh.json["stage"] == "已受理" and en.json["stage"] != "已受理"
        assert zh.json["id"] == en.json["id"] == case["id"]


def test_a_huge_timeline_is_answered_whole_and_not_kept(app, client, sms, db_session, monkeypatch):
    from models.application import Event
    from tests.helpers import app_now

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138098")
    cache = _cache(app)
    monkeypatch.setattr(cache, "max_body_bytes", 64 * 1024)
    for n in range(400):
        db_session.add(Event(application_id=case["id"], at=app_now(), event="note", actor_role="clerk",
                             message=f"很长的说明 {n} " + "字" * 40))
    db_session.commit()
    url = f"/api/v1/applications/{case['id']}/progress"
    first = client.get(url, headers=citizen["headers"])
    assert len(first.get_data()) > 16 * 1024 and len(first.json["timeline"]) >= 400
    assert cache.body(first.headers["ETag"]) is None  # over a quarter of the budget: not kept
    assert cache._body_bytes <= cache.max_body_bytes
    again = client.get(url, headers=citizen["headers"])
    assert again.get_data() == first.get_data()


# -- who may ask ------------------------------------------------------------------------------------

def test_strangers_staff_and_dead_tokens_never_reach_a_remembered_case(app, client, sms):
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138099")
    url = f"/api/v1/applications/{case['id']}/progress"
    full = client.get(url, headers=citizen["headers"])
    etag = full.headers["ETag"]
    assert client.get(url, headers={**citizen["headers"], "If-None-Match": etag}).status_code == 304
    stranger = login_citizen(client, sms, "13700137001")
    for _ in range(3):
        assert_error(client.get(url, headers={**stranger["headers"], "If-None-Match": etag}), 404, "not_found")
        assert_error(client.get(url, headers=stranger["headers"]), 404, "not_found")
    assert_error(client.get(url, headers={**clerk["headers"], "If-None-Match": etag}), 403, "forbidden")
    from flask_jwt_extended import create_access_token

    with app.app_context():
        nobody = create_access_token(identity="citizen:987654")
    for _ in range(2):
        assert_error(client.get(url, headers={**bearer(nobody), "If-None-Match": etag}), 401, "token_invalid")
    assert_error(client.get(url, headers={"If-None-Match": etag}), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/applications/{case['id'] + 100000}/progress", headers=citizen["headers"]),
                 404, "not_found")


# -- a forked worker --------------------------------------------------------------------------------

def test_postgres_a_forked_worker_does_not_trust_the_parents_memory(app, client, sms, pg_url):
    """gunicorn --preload: the parent remembered a stamp, then the case changed where the parent did
    not hear it. A worker forked now must ask the database (its feed starts with it)."""
    from app.extensions import db

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138100")
    url, cached, watcher = _watched_from_memory(app, client, case["id"], citizen["headers"])
    watcher._deliver = lambda payload: None  # the parent hears nothing more
    outside = _outside(pg_url)
    try:
        with outside.connect() as conn:
            conn.execute(text("INSERT INTO events (application_id, at, event, actor_role, message) "
                              "VALUES (:id, now(), 'note', 'clerk', '分叉前的变更')"), {"id": case["id"]})
        assert client.get(url, headers=cached).status_code == 304  # the parent's memory is stale (held back)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                os.close(read)
                with app.app_context():
                    db.engine.dispose(close=False)  # as gunicorn's post_fork: never the parent's sockets
                answer = app.test_client().get(url, headers=cached)
                os.write(write, json.dumps({"status": answer.status_code}).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        seen = json.loads(os.read(read, 1000) or b"{}")
        os.close(read)
        assert status == 0 and seen.get("status") == 200, seen
    finally:
        del watcher._deliver
        outside.dispose()


# -- the access line, the request id, the metrics ---------------------------------------------------

def test_request_id_echoed_generated_and_hostile_ones_replaced(client):
    good = client.get("/api/v1/halls", headers={"X-Request-ID": "abc-123.x:y_z"})
    assert good.headers["X-Request-ID"] == "abc-123.x:y_z"
    assert good.headers.getlist("X-Request-ID") == ["abc-123.x:y_z"]  # once, not twice
    made = {client.get("/api/v1/halls").headers["X-Request-ID"] for _ in range(3)}
    assert len(made) == 3 and all(len(r) == 32 for r in made)
    for hostile in ("a" * 65, "x" * 1024, "中文编号", "a b", "<script>", "a\tb", ""):
        answer = client.get("/api/v1/halls", headers={"X-Request-ID": hostile})
        rid = answer.headers["X-Request-ID"]
        assert rid != hostile and len(rid) == 32 and rid.isalnum(), (hostile, rid)


def test_request_id_on_errors_and_on_the_431(client, app):
    for url, status in (("/api/v1/nowhere", 404), ("/api/v1/me", 401)):
        answer = client.get(url, headers={"X-Request-ID": f"err-{status}"})
        assert answer.status_code == status and answer.headers["X-Request-ID"] == f"err-{status}"
        assert answer.is_json and "code" in answer.json
    limit = app.config["MAX_HEADER_BYTES"]
    big = client.get("/api/v1/halls", headers={"X-Request-ID": "big-1", "X-Padding": "p" * (limit + 10)})
    assert_error(big, 431, "request_header_too_large")
    assert big.headers["X-Request-ID"] == "big-1"


def test_the_access_line_carries_the_request_id_and_status(client, caplog):
    with caplog.at_level(logging.INFO, logger="onetrip.access"):
        client.get("/api/v1/halls", headers={"X-Request-ID": "line-200"})
        client.get("/api/v1/nowhere", headers={"X-Request-ID": "line-404"})
        client.get("/api/v1/me", headers={"X-Request-ID": "line-401"})
    lines = {r.request_id: r for r in caplog.records if r.name == "onetrip.access"}
    assert lines["line-200"].status == 200 and lines["line-404"].status == 404 and lines["line-401"].status == 401
    assert lines["line-404"].path == "/api/v1/nowhere" and lines["line-200"].method == "GET"


def test_metrics_labels_errors_and_do_not_count_themselves(client):
    from app.observability import REQUEST_SECONDS

    def count(endpoint, status):
        for metric in REQUEST_SECONDS.collect():
            for sample in metric.samples:
                if sample.name.endswith("_count") and sample.labels.get("endpoint") == endpoint \
                        and sample.labels.get("status") == status:
                    return sample.value
        return 0

    before = {key: count(*key) for key in (("/api/v1/halls", "200"), ("unmatched", "404"), ("/api/v1/me", "401"),
                                           ("/metrics", "200"))}
    client.get("/api/v1/halls")
    client.get("/api/v1/nowhere/at/all")
    client.get("/api/v1/me")
    client.get("/metrics")
    assert count("/api/v1/halls", "200") == before[("/api/v1/halls", "200")] + 1
    assert count("unmatched", "404") == before[("unmatched", "404")] + 1
    assert count("/api/v1/me", "401") == before[("/api/v1/me", "401")] + 1
    assert count("/metrics", "200") == before[("/metrics", "200")]


def test_a_log_line_inside_a_request_carries_its_request_id(app, client, caplog, monkeypatch):
    """A line written inside the view, and the access line of its 500, name the request."""
    from app.observability import _RequestIdFilter

    endpoint = next(r.endpoint for r in app.url_map.iter_rules() if r.rule == "/api/v1/halls")

    def boom(*args, **kwargs):
        logging.getLogger("onetrip.test").warning("inside the view")
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, endpoint, boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    flt = _RequestIdFilter()
    with caplog.at_level(logging.INFO):
        caplog.handler.addFilter(flt)
        try:
            answer = client.get("/api/v1/halls", headers={"X-Request-ID": "inside-1"})
        finally:
            caplog.handler.removeFilter(flt)
    assert answer.status_code == 500 and answer.headers["X-Request-ID"] == "inside-1"
    assert answer.is_json and answer.json.get("code")
    inside = [r for r in caplog.records if r.getMessage() == "inside the view"]
    assert inside and inside[0].request_id == "inside-1"
    access = [r for r in caplog.records if r.name == "onetrip.access" and r.request_id == "inside-1"]
    assert access and access[0].status == 500


def test_staff_reads_logged_with_the_answers_request_id(client, sms, db_session):
    """The access-log rows (who read a citizen's case) keep the request id the answer carried."""
    from sqlalchemy import select

    from models.access_log import AccessLogEntry

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138101")
    read = client.get(f"/api/v1/hall/applications/{case['id']}", headers={**clerk["headers"],
                                                                          "X-Request-ID": "audit-777"})
    assert read.status_code == 200 and read.headers["X-Request-ID"] == "audit-777"
    db_session.expire_all()
    ids = set(db_session.scalars(select(AccessLogEntry.request_id)))
    assert "audit-777" in ids, ids
