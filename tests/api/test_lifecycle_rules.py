"""Deadlines on real dates, concurrent moves, constant-statement progress, the notification outbox."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import SHANGHAI
from app.errors import Conflict
from app.services import department, hall, outbox, progress
from models.application import Application, SubCase
from models.notification import Notification
from models.staff import Staff
from tests.factories import ready_application, submitted_and_accepted
from tests.helpers import app_now, login_staff


def _clerk(session) -> Actor:
    staff = session.scalars(select(Staff).where(Staff.username == "clerk")).one()
    return Actor("staff", staff.id, "clerk", hall_id=staff.hall_id, region_code="330825")


def _reviewer(session, username: str) -> Actor:
    staff = session.scalars(select(Staff).where(Staff.username == username)).one()
    return Actor("staff", staff.id, "reviewer", department_id=staff.department_id)


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_accepted_before_national_day(client, sms, db_session):
    citizen, app = ready_application(client, sms)  # 退休一件事: promised 5 working days
    client.post(f"/api/v1/applications/{app['id']}/submit", headers=citizen["headers"])
    hall.accept(session=db_session, clock=lambda: _at(2025, 9, 30, 16, 0), actor=_clerk(db_session),
                application_id=app["id"], pending_materials=[], commitment_due=None)
    application = db_session.get(Application, app["id"])
    view = progress.progress(session=db_session, clock=lambda: _at(2025, 10, 10, 9, 0), application=application)
    deadline = view["deadline"]
    assert deadline["promised_date"].isoformat() == "2025-10-14"
    assert deadline["remaining_working_days"] == 3  # 10-11 (调休 Saturday), 10-13, 10-14
    assert deadline["light"] == "yellow" or deadline["light"] == "green"
    assert deadline["calendar_fallback_years"] == []
    late = progress.progress(session=db_session, clock=lambda: _at(2025, 10, 15, 9, 0), application=application)
    assert late["deadline"]["light"] == "red" and late["deadline"]["remaining_working_days"] == -1


def test_pause_moves_the_promised_date(client, sms, db_session):
    citizen, app = ready_application(client, sms)
    client.post(f"/api/v1/applications/{app['id']}/submit", headers=citizen["headers"])
    hall.accept(session=db_session, clock=lambda: _at(2025, 9, 30, 16, 0), actor=_clerk(db_session),
                application_id=app["id"], pending_materials=[], commitment_due=None)
    sub = db_session.scalars(select(SubCase).where(SubCase.application_id == app["id"])).first()
    reviewer = _reviewer(db_session, "reviewer-rsj")
    department.request_materials(session=db_session, clock=lambda: _at(2025, 10, 9, 10, 0), actor=reviewer,
                                 subcase_id=sub.id, problems=[{"target": "ID_CARD", "reason": "模糊"}])
    application = db_session.get(Application, app["id"])
    paused = progress.progress(session=db_session, clock=lambda: _at(2025, 10, 10, 9), application=application)
    assert paused["deadline"]["light"] == "paused" and paused["deadline"]["paused_working_days"] == 1
    from app.actors import Actor as A
    from app.services import applications

    applications.supply(session=db_session, clock=lambda: _at(2025, 10, 13, 9),
                        actor=A("citizen", application.citizen_id, "citizen"), application_id=app["id"])
    resumed = progress.progress(session=db_session, clock=lambda: _at(2025, 10, 13, 10), application=application)
    # Paused 10-09 .. 10-13: three working days (10-10, 10-11 调休, 10-13) move 10-14 to 10-17.
    assert resumed["deadline"]["paused_working_days"] == 3
    assert resumed["deadline"]["promised_date"].isoformat() == "2025-10-17"
    assert any("暂停" in t["message"] for t in resumed["timeline"])


def test_progress_statements_do_not_grow(client, sms, app):
    from app.extensions import db

    def count_for(application_id: int, headers, status: int = 200) -> int:
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        # Warm the per-process calendar cache (60 s): on a slow machine it may expire between the
        # two counts, which would add one statement to one of them.
        client.get(f"/api/v1/applications/{application_id}/progress", headers=headers)
        event.listen(engine, "before_cursor_execute", before)
        try:
            answer = client.get(f"/api/v1/applications/{application_id}/progress", headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        assert answer.status_code == status
        return len(statements)

    small_citizen, small, _ = submitted_and_accepted(client, sms, bundle_code="RETIRE", phone="13800138001")
    small_count = count_for(small["id"], small_citizen["headers"])
    citizen, big, clerk = submitted_and_accepted(client, sms, bundle_code="BIRTH", phone="13800138002")
    for _ in range(10):
        client.post(f"/api/v1/hall/applications/{big['id']}/visits", headers=clerk["headers"],
                    json={"purpose": "咨询"})
    big_count = count_for(big["id"], citizen["headers"])
    assert big_count == small_count <= 10
    etag = client.get(f"/api/v1/applications/{big['id']}/progress", headers=citizen["headers"]).headers["ETag"]
    assert count_for(big["id"], {**citizen["headers"], "If-None-Match": etag}, 304) <= 3


def test_progress_etag(client, sms):
    citizen, app, clerk = submitted_and_accepted(client, sms)
    url = f"/api/v1/applications/{app['id']}/progress"
    first = client.get(url, headers=citizen["headers"])
    assert client.get(url, headers={**citizen["headers"], "If-None-Match": first.headers["ETag"]}).status_code == 304
    client.post(f"/api/v1/hall/applications/{app['id']}/visits", headers=clerk["headers"], json={"purpose": "核验"})
    assert client.get(url, headers={**citizen["headers"], "If-None-Match": first.headers["ETag"]}).status_code == 200


def test_two_concurrent_accepts_exactly_one_wins(client, sms, app, pg_url):
    """Two real connections read the same submitted application; exactly one acceptance commits."""
    from app.extensions import db

    citizen, application = ready_application(client, sms)
    client.post(f"/api/v1/applications/{application['id']}/submit", headers=citizen["headers"])
    with app.app_context():
        engine = db.engine
        first, second = Session(engine), Session(engine)
        try:
            actor = _clerk(first)
            # Both read before either writes (and keep what they read: the identity map holds it weakly).
            seen = [hall.hall_application(first, actor, application["id"]),
                    hall.hall_application(second, actor, application["id"])]
            now = lambda: app_now()  # noqa: E731
            hall.accept(session=first, clock=now, actor=actor, application_id=application["id"],
                        pending_materials=[], commitment_due=None)
            with pytest.raises(Conflict) as lost:
                hall.accept(session=second, clock=now, actor=actor, application_id=application["id"],
                            pending_materials=[], commitment_due=None)
            assert lost.value.code == "conflict" and len(seen) == 2
            check = Session(engine)
            assert check.scalar(select(Application.status).where(Application.id == application["id"])) == "accepted"
            assert len(check.scalars(select(SubCase).where(SubCase.application_id == application["id"])).all()) == 3
            check.close()
        finally:
            first.close()
            second.close()


def test_concurrent_decisions_on_one_application(client, sms, app, pg_url):
    """Two departments decide at once: one commits, the other gets 409 and its retry completes it."""
    from app.extensions import db

    citizen, application, _ = submitted_and_accepted(client, sms)
    with app.app_context():
        engine = db.engine
        a, b = Session(engine), Session(engine)
        try:
            subs = {s.item_code: s.id for s in a.scalars(select(SubCase).where(
                SubCase.application_id == application["id"]))}
            now = lambda: app_now()  # noqa: E731
            cipher = app.extensions["onetrip"].cipher
            department.approve(session=a, clock=now, actor=_reviewer(a, "reviewer-rsj"),
                               cipher=cipher, subcase_id=subs["RSJ-YLJ-001"], note=None)
            seen = [b.get(Application, application["id"]),  # b read before a's next commit
                    *b.scalars(select(SubCase).where(SubCase.application_id == application["id"])).all()]
            department.approve(session=a, clock=now, actor=_reviewer(a, "reviewer-ybj"),
                               cipher=cipher, subcase_id=subs["YBJ-DYBG-001"], note=None)
            assert len(seen) == 4
            with pytest.raises(Conflict):
                department.approve(session=b, clock=now, actor=_reviewer(b, "reviewer-gjj"),
                                   cipher=cipher, subcase_id=subs["GJJ-TQ-001"], note=None)
            b.close()
            b = Session(engine)
            department.approve(session=b, clock=now, actor=_reviewer(b, "reviewer-gjj"),
                               cipher=cipher, subcase_id=subs["GJJ-TQ-001"], note=None)
            assert b.scalar(select(Application.status).where(Application.id == application["id"])) == "completed"
        finally:
            a.close()
            b.close()


class FlakySms:
    def __init__(self, fail_times: int):
        self.fail_times, self.sent = fail_times, []

    def send(self, phone, template, params, text, *, message_id=None):
        from app.gateways import GatewayError

        if self.fail_times > 0:
            self.fail_times -= 1
            raise GatewayError("gateway down")
        self.sent.append((phone, template, text))


def test_outbox_survives_a_gateway_outage(client, sms, db_session):
    citizen, application, _ = submitted_and_accepted(client, sms)
    pending = db_session.scalars(select(Notification).where(Notification.application_id == application["id"])
                                 .order_by(Notification.id)).all()
    assert [n.template for n in pending] == ["application_submitted", "application_accepted"]
    now = app_now()
    flaky = FlakySms(fail_times=2)
    report = outbox.deliver_due(session=db_session, clock=lambda: now, sms=flaky, wechat=None)
    assert (report.sent, report.retried) == (0, 2) and flaky.sent == []
    # Nothing is due until the backoff has passed.
    assert outbox.deliver_due(session=db_session, clock=lambda: now, sms=flaky, wechat=None).sent == 0
    later = now + timedelta(minutes=5)
    report = outbox.deliver_due(session=db_session, clock=lambda: later, sms=flaky, wechat=None)
    assert report.sent == 2 and [t for _, t, _ in flaky.sent] == ["application_submitted", "application_accepted"]
    rows = db_session.scalars(select(Notification).order_by(Notification.id)).all()
    assert all(r.status == "sent" and r.attempts == 2 and r.channel == "sms" for r in rows)
    assert outbox.deliver_due(session=db_session, clock=lambda: later, sms=flaky, wechat=None).sent == 0


def test_outbox_gives_up_after_the_last_retry(client, sms, db_session):
    submitted_and_accepted(client, sms)
    flaky = FlakySms(fail_times=10**6)
    moment = app_now()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(session=db_session, clock=lambda: moment, sms=flaky, wechat=None)
        moment += timedelta(hours=2)
    rows = db_session.scalars(select(Notification)).all()
    assert {r.status for r in rows} == {"failed"} and all("gateway down" in r.last_error for r in rows)


def test_wechat_only_citizens_get_wechat_messages(client, wechat, db_session):
    wechat.openids["js"] = "openid-1"
    tokens = client.post("/api/v1/auth/wechat-tokens", json={"code": "js"}).json
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    created = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"})
    application = db_session.get(Application, created.json["id"])
    from app.services.notify import notify

    notify(db_session, application, "application_delivered", at=app_now())
    db_session.commit()

    class Recorder:
        sent = []

        def send(self, openid, template, params, text, *, message_id=None):
            self.sent.append(openid)

    recorder = Recorder()
    outbox.deliver_due(session=db_session, clock=lambda: app_now(), sms=None, wechat=recorder)
    assert recorder.sent == ["openid-1"]
    assert db_session.scalars(select(Notification)).one().channel == "wechat"


def test_worker_command_once(client, sms, app):
    submitted_and_accepted(client, sms)
    sms.sent.clear()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent=2" in result.output
    assert [m["template"] for m in sms.sent] == ["application_submitted", "application_accepted"]


def test_many_workers_never_send_twice(client, sms, app, pg_url):
    """Four workers on four connections drain the outbox together: each message goes out once."""
    import threading

    from app.extensions import db

    for n in range(3):
        submitted_and_accepted(client, sms, phone=f"1380013810{n}")
    login_staff(client, "clerk")
    sent, lock = [], threading.Lock()

    class Recording:
        def send(self, phone, template, params, text, *, message_id=None):
            with lock:
                sent.append((phone, template, params["number"]))

    with app.app_context():
        engine = db.engine

    def work():
        session = Session(engine)
        try:
            outbox.deliver_due(session=session, clock=lambda: app_now(), sms=Recording(), wechat=None)
        finally:
            session.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 6 and len(set(sent)) == 6


def test_numbers_never_collide_under_concurrent_creation(app, pg_url):
    import threading

    from app.extensions import db
    from app.services.numbers import next_number

    with app.app_context():
        engine = db.engine
    numbers, lock = [], threading.Lock()

    def create(n: int):
        session = Session(engine)
        try:
            for _ in range(n):
                number = next_number(session, "330825", datetime(2026, 11, 23).date())
                session.commit()
                with lock:
                    numbers.append(number)
        finally:
            session.close()

    threads = [threading.Thread(target=create, args=(25,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 200 and len(set(numbers)) == 200
    assert sorted(int(n.split("-")[2]) for n in numbers) == list(range(1, 201))


def test_idempotency_key_edges(client, sms):
    from tests.helpers import assert_error, login_citizen

    headers = login_citizen(client, sms)["headers"]
    assert_error(client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "x" * 65},
                             json={"item_code": "RSJ-YLJ-001"}), 422, "validation_failed")
    # A failed request releases its key: the corrected retry with the same key goes through.
    bad = client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "fix-me"},
                      json={"item_code": "NOPE"})
    assert bad.status_code == 422
    still_bad = client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "fix-me"},
                       json={"item_code": "NOPE"})
    assert still_bad.status_code == 422  # same body, still wrong: not a replay of a stored success
    fixed = client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "fix-me-2"},
                        json={"item_code": "RSJ-YLJ-001"})
    assert fixed.status_code == 201
    # Keys belong to one caller: another citizen's identical key is independent.
    other = login_citizen(client, sms, "13900139000")["headers"]
    mine = client.post("/api/v1/applications", headers={**other, "Idempotency-Key": "fix-me-2"},
                       json={"item_code": "RSJ-YLJ-001"})
    assert mine.status_code == 201 and mine.json["id"] != fixed.json["id"]
    # Whitespace in the JSON does not make it another body.
    again = client.post("/api/v1/applications", headers={**headers, "Idempotency-Key": "fix-me-2",
                                                         "Content-Type": "application/json"},
                        data='{ "item_code" :  "RSJ-YLJ-001" }')
    assert again.status_code == 201 and again.json["id"] == fixed.json["id"]


def test_calendar_overrides_through_admin(client):
    from tests.helpers import assert_error

    admin = login_staff(client, "admin")["headers"]
    answer = client.put("/api/v1/admin/calendar/2027-01-04", headers=admin,
                        json={"is_workday": False, "reason": "2027 年元旦调休（国务院办公厅通知）"})
    assert answer.status_code == 200 and answer.json["day"] == "2027-01-04"
    listed = client.get("/api/v1/admin/calendar", headers=admin).json
    assert [d["day"] for d in listed] == ["2027-01-04"]
    assert client.delete("/api/v1/admin/calendar/2027-01-04", headers=admin).status_code == 204
    assert_error(client.delete("/api/v1/admin/calendar/2027-01-04", headers=admin), 404, "not_found")
    assert_error(client.put("/api/v1/admin/calendar/2027-13-40", headers=admin,
                            json={"is_workday": True, "reason": "x"}), 404, "not_found")
