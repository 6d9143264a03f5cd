"""Supervision: figures equal an independent count, deadlines are watched, ratings are acted on."""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from flask import current_app

from app.clock import SHANGHAI, local_date
from app.services import deadline_scan
from app.services.history import seed_history
from models.application import Application, ApplicationMaterial, SubCase, Visit
from models.evaluation import Complaint, Evaluation, Rectification
from models.staff import Staff
from tests.factories import submitted_and_accepted
from tests.helpers import app_now, assert_error, login_citizen, login_staff

@pytest.fixture
def history(db_session, today):
    seed_history(session=db_session, count=1500, months=6, today=today, seed=7, batch=400)  # crosses flushes
    return db_session


def independent(session, *, region: str | None = None, start: date | None = None, end: date | None = None,
                department_id: int | None = None, item_code: str | None = None) -> dict:
    """The figures again, the slow obvious way: Python over every row."""
    today = local_date(current_app.extensions["onetrip"].clock())
    apps = session.scalars(select(Application).where(Application.submitted_at.is_not(None))).all()
    subcases = {}
    for s in session.scalars(select(SubCase)):
        subcases.setdefault(s.application_id, []).append(s)

    def keep(a):
        local = a.submitted_at.astimezone(SHANGHAI).date()
        subs = subcases.get(a.id, [])
        return ((region is None or a.region_code.startswith(region.rstrip("0") if region.endswith("00") else region))
                and (start is None or local >= start) and (end is None or local <= end)
                and (department_id is None or any(s.department_id == department_id for s in subs))
                and (item_code is None or any(s.item_code == item_code for s in subs)))

    apps = [a for a in apps if keep(a)]
    ids = {a.id for a in apps}
    visits = {}
    for v in session.execute(select(Visit.application_id)):
        visits[v.application_id] = visits.get(v.application_id, 0) + 1
    items = {application_id: len(subs) for application_id, subs in subcases.items()}
    done = [a for a in apps if a.completed_at is not None]
    delivered = [a for a in apps if a.status == "delivered"]
    ratings = [e for e in session.scalars(select(Evaluation)) if e.application_id in ids and e.dismissed_at is None]
    rects = [r for r in session.scalars(select(Rectification)) if r.application_id in ids and r.status != "dismissed"]
    taken = sorted(a.working_days_taken for a in done)
    evaluations = {e.application_id: e for e in session.scalars(select(Evaluation))}
    invited = [a for a in apps if a.evaluation_invited_at is not None]
    by_kind = {kind: [e for e in ratings if e.invited is kind] for kind in (True, False)}
    complaints = [c for c in session.scalars(select(Complaint))
                  if (region is None or c.region_code.startswith(region.rstrip("0") if region.endswith("00") else region))
                  and (start is None or c.created_at.astimezone(SHANGHAI).date() >= start)
                  and (end is None or c.created_at.astimezone(SHANGHAI).date() <= end)
                  and (department_id is None or c.department_id == department_id)
                  and (item_code is None or c.item_code == item_code)]

    def rate(part, whole):
        return None if not whole else round(part / whole, 4)

    return {
        "applications": len(apps), "accepted": sum(a.accepted_at is not None for a in apps), "completed": len(done),
        "mobile_rate": rate(sum(a.channel == "mobile" for a in apps), len(apps)),
        "zero_trip_rate": rate(sum(visits.get(a.id, 0) == 0 for a in done), len(done)),
        "at_most_one_trip_rate": rate(sum(visits.get(a.id, 0) <= 1 for a in done), len(done)),
        "on_time_rate": rate(sum(bool(a.on_time) for a in done), len(done)),
        "overdue": sum((a.completed_at is not None and a.on_time is False)
                       or (a.status in ("accepted", "in_review") and a.promised_date and a.promised_date < today)
                       for a in apps),
        "avg_working_days": round(sum(taken) / len(taken), 2) if taken else None,
        "p90_working_days": taken[math.ceil(0.9 * len(taken)) - 1] if taken else None,
        "promised_days_avg": round(sum(a.promised_days for a in apps) / len(apps), 2) if apps else None,
        "statutory_days_avg": round(sum(a.statutory_days for a in apps) / len(apps), 2) if apps else None,
        "materials_exempted": sum(1 for m in session.execute(select(ApplicationMaterial.application_id,
                                                                  ApplicationMaterial.satisfied_by))
                                  if m.application_id in ids and m.satisfied_by in ("elicense", "data")),
        "post_delivery_rate": rate(sum(a.delivery_method == "post" for a in delivered), len(delivered)),
        "satisfaction_rate": rate(sum(e.score >= 3 for e in ratings), len(ratings)),
        "ratings": len(ratings), "rectified_rate": rate(sum(r.status == "resolved" for r in rects), len(rects)),
        "trips_saved": sum(max(0, items.get(a.id, 1) - visits.get(a.id, 0)) for a in done),
        **{f"channel_{kind}_rate": rate(sum(a.channel == kind for a in apps), len(apps))
           for kind in ("mobile", "agent", "assisted")},
        "invited_response_rate": rate(sum(a.id in evaluations and evaluations[a.id].invited for a in invited),
                                      len(invited)),
        "satisfaction_rate_spontaneous": rate(sum(e.score >= 3 for e in by_kind[False]), len(by_kind[False])),
        "satisfaction_rate_invited": rate(sum(e.score >= 3 for e in by_kind[True]), len(by_kind[True])),
        "commitments_overdue": sum(a.commitment_overdue for a in apps),
        "complaints_overdue": sum((c.answered_on is not None and c.answered_on > c.due_on)
                                  or (c.status == "open" and c.due_on < today) for c in complaints),
        "escalations": sum(a.escalated_at is not None for a in apps),
    }


def _stats(client, headers, **params):
    answer = client.get("/api/v1/supervision/stats", headers=headers, query_string=params)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_stats_equal_an_independent_count(client, history, today):
    supervisor = login_staff(client, "supervisor")["headers"]
    assert _stats(client, supervisor) == independent(history, region="330825")
    month = {"from": (today - timedelta(days=60)).isoformat(), "to": (today - timedelta(days=31)).isoformat()}
    got = _stats(client, supervisor, **month)
    assert got == independent(history, region="330825", start=today - timedelta(days=60),
                              end=today - timedelta(days=31))
    assert 0 < got["applications"] < 1500 and got["zero_trip_rate"] is not None
    rsj = history.scalars(select(Staff.department_id).where(Staff.username == "reviewer-rsj")).one()
    assert _stats(client, supervisor, department_id=rsj) == independent(history, region="330825", department_id=rsj)
    assert _stats(client, supervisor, item_code="GJJ-TQ-001") == independent(history, region="330825",
                                                                             item_code="GJJ-TQ-001")


def test_region_scope_and_csv(client, history, db_session, passwords):
    from app.services.accounts import create_staff

    create_staff(session=db_session, passwords=passwords, username="city-sup", password="Super#2026", role="supervisor",
                 region_code="330800")
    city = client.post("/api/v1/auth/staff-tokens", json={"username": "city-sup", "password": "Super#2026"}).json
    headers = {"Authorization": f"Bearer {city['access_token']}"}
    whole_city = _stats(client, headers)
    assert whole_city == independent(history, region="330800")
    assert whole_city["applications"] > _stats(client, headers, region_code="330825")["applications"]
    county = login_staff(client, "supervisor")["headers"]
    assert_error(client.get("/api/v1/supervision/stats?region_code=330800", headers=county), 403, "forbidden")
    assert_error(client.get("/api/v1/supervision/stats?region_code=330802", headers=county), 403, "forbidden")
    csv = client.get("/api/v1/supervision/stats", headers={**county, "Accept": "text/csv"})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == "figure,value" and lines[1].startswith("applications,") and len(lines) == 28
    assert_error(client.get("/api/v1/supervision/stats?from=2026-02-01&to=2026-01-01", headers=county),
                 422, "validation_failed")
    clerk = login_staff(client, "clerk")["headers"]
    assert_error(client.get("/api/v1/supervision/stats", headers=clerk), 403, "forbidden")


def test_deadline_scan_warns_and_lists(client, sms, db_session):
    citizen, application, clerk = submitted_and_accepted(client, sms)
    row = db_session.get(Application, application["id"])
    # The morning of the promised date, in working days from acceptance: whatever weekday or holiday
    # the case was accepted before, a third or less of the time is left then (yellow).
    later = datetime.combine(row.promised_date, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=9)

    def at(days: int):
        return lambda: later + timedelta(days=days)

    report = deadline_scan.scan_deadlines(session=db_session, clock=at(0))
    assert report.applications == 1
    light = db_session.get(Application, application["id"]).light
    assert light in ("yellow", "red")
    deadline_scan.scan_deadlines(session=db_session, clock=at(30))
    assert db_session.get(Application, application["id"]).light == "red"
    supervisor = login_staff(client, "supervisor")["headers"]
    listed = client.get("/api/v1/supervision/warnings", headers=supervisor).json
    kinds = {(w["item_code"], w["light"]) for w in listed if w["application_id"] == application["id"]}
    assert (None, "red") in kinds and ("RSJ-YLJ-001", "red") in kinds
    rsj = db_session.scalars(select(Staff.department_id).where(Staff.username == "reviewer-rsj")).one()
    only_rsj = client.get(f"/api/v1/supervision/warnings?department_id={rsj}", headers=supervisor).json
    assert {w["item_code"] for w in only_rsj} <= {"RSJ-YLJ-001", None}
    alerts = client.get("/api/v1/alerts", headers=clerk["headers"]).json
    assert alerts and all(a["application_id"] == application["id"] for a in alerts)
    reviewer = login_staff(client, "reviewer-gjj")["headers"]
    assert any(a["subcase_id"] for a in client.get("/api/v1/alerts", headers=reviewer).json)
    # A second scan with nothing new changes nothing and alerts nobody twice.
    count = len(client.get("/api/v1/alerts", headers=clerk["headers"]).json)
    deadline_scan.scan_deadlines(session=db_session, clock=at(31))
    assert len(client.get("/api/v1/alerts", headers=clerk["headers"]).json) == count


def _complete(client, sms, phone="13800138000"):
    citizen, application, clerk = submitted_and_accepted(client, sms, phone=phone)
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = login_staff(client, reviewer)["headers"]
        sub = client.get("/api/v1/department/subcases?status=pending", headers=headers).json[0]
        client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers, json={})
    return citizen, application, clerk


def test_warnings_filters_bind_each_request_s_values(client, sms, db_session, passwords):
    """The warnings UNION is built once per shape of filters (app.services.supervision._warnings) and
    takes its lights, region, hall and department as parameters: each request's own values decide,
    whatever an earlier request of the same shape bound."""
    from app.services.accounts import create_staff

    _, application, _ = submitted_and_accepted(client, sms)
    row = db_session.get(Application, application["id"])
    later = datetime.combine(row.promised_date, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(days=30)
    deadline_scan.scan_deadlines(session=db_session, clock=lambda: later)
    hall, county = row.hall_id, row.region_code
    create_staff(session=db_session, passwords=passwords, username="other-sup", password="Super#2026",
                 role="supervisor", region_code="330802")
    db_session.commit()
    other = client.post("/api/v1/auth/staff-tokens", json={"username": "other-sup", "password": "Super#2026"}).json
    supervisor = login_staff(client, "supervisor")["headers"]

    def ids(query: str, headers=supervisor) -> set[int]:
        answer = client.get(f"/api/v1/supervision/warnings{query}", headers=headers)
        assert answer.status_code == 200, answer.json
        return {w["application_id"] for w in answer.json}

    mine = application["id"]
    assert county == "330825" and mine in ids("")
    assert mine in ids("?light=red") and mine not in ids("?light=yellow") and mine in ids("?light=red")
    assert mine in ids(f"?hall_id={hall}") and mine not in ids(f"?hall_id={hall + 1000}")
    assert mine in ids("?escalated=false") and mine not in ids("?escalated=true")
    # The same shape for another supervisor: their region, not the last one bound.
    assert mine not in ids("", headers={"Authorization": f"Bearer {other['access_token']}"})
    assert mine in ids("")


def test_bad_rating_opens_a_rectification(client, sms, db_session):
    citizen, application, clerk = _complete(client, sms)
    url = f"/api/v1/applications/{application['id']}/evaluation"
    rated = client.post(url, headers=citizen["headers"], json={"score": 2, "tags": ["等待时间长"], "comment": "太慢"})
    assert rated.status_code == 201 and rated.json["invited"] is False
    assert_error(client.post(url, headers=citizen["headers"], json={"score": 5}), 409, "already_rated")
    rects = client.get("/api/v1/supervision/rectifications", headers=clerk["headers"]).json
    assert len(rects) == 1 and rects[0]["status"] == "open"
    from models.calendar import WorkCalendar

    created = db_session.get(Rectification, rects[0]["id"]).created_at.astimezone(SHANGHAI).date()
    assert rects[0]["first_contact_due"] == WorkCalendar().add_working_days(created, 1).isoformat()
    assert rects[0]["fix_due"] == WorkCalendar().add_working_days(created, 15).isoformat()
    rect_url = f"/api/v1/supervision/rectifications/{rects[0]['id']}"
    assert client.post(rect_url + "/contact", headers=clerk["headers"], json={"note": "已电话联系"}).json["status"] \
        == "contacted"
    assert_error(client.post(f"/api/v1/applications/{application['id']}/evaluation/rectification-rating",
                             headers=citizen["headers"], json={"score": 4}), 409, "invalid_transition")
    resolved = client.post(rect_url + "/resolve", headers=clerk["headers"], json={"resolution": "增设周末窗口"})
    assert resolved.json["status"] == "resolved"
    again = client.post(f"/api/v1/applications/{application['id']}/evaluation/rectification-rating",
                        headers=citizen["headers"], json={"score": 4})
    assert again.status_code == 200 and again.json["citizen_score"] == 4
    timeline = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    assert any("整改" in t["message"] for t in timeline["timeline"])
    other_hall = login_staff(client, "clerk-dh")["headers"]
    assert client.get("/api/v1/supervision/rectifications", headers=other_hall).json == []


def test_invitations_and_dismissals(client, sms, db_session):
    from app.services.evaluation import invite_unrated

    citizen, application, _ = _complete(client, sms)
    soon = app_now() + timedelta(days=1)
    assert invite_unrated(session=db_session, clock=lambda: soon) == 0  # not 3 days yet
    later = app_now() + timedelta(days=4)
    assert invite_unrated(session=db_session, clock=lambda: later) == 1
    assert invite_unrated(session=db_session, clock=lambda: later) == 0  # once
    rated = client.post(f"/api/v1/applications/{application['id']}/evaluation", headers=citizen["headers"],
                        json={"score": 1, "comment": "恶意"})
    assert rated.json["invited"] is True
    supervisor = login_staff(client, "supervisor")["headers"]
    dismissed = client.post(f"/api/v1/supervision/evaluations/{rated.json['id']}/dismiss", headers=supervisor,
                            json={"reason": "与办件无关的恶意差评，经核实"})
    assert dismissed.status_code == 200 and dismissed.json["dismiss_reason"].startswith("与办件无关")
    stats = _stats(client, supervisor)
    assert stats["ratings"] == 0 and stats["rectified_rate"] is None


def test_rating_needs_completion(client, sms):
    citizen, application, _ = submitted_and_accepted(client, sms)
    assert_error(client.post(f"/api/v1/applications/{application['id']}/evaluation", headers=citizen["headers"],
                             json={"score": 5}), 409, "invalid_transition")
    assert_error(client.post(f"/api/v1/applications/{application['id']}/evaluation", headers=citizen["headers"],
                             json={"score": 6}), 422, "validation_failed")


def test_complaints(client, sms, db_session):
    citizen = login_citizen(client, sms)
    made = client.post("/api/v1/complaints", headers=citizen["headers"],
                       json={"content": "公积金提取要求的材料和指南不一致", "item_code": "GJJ-TQ-001"})
    assert made.status_code == 201 and made.json["status"] == "open" and made.json["region_code"] == "330825"
    assert_error(client.post("/api/v1/complaints", headers=citizen["headers"],
                             json={"content": "某某事项办不成", "item_code": "NOPE"}), 422, "unknown_reference")
    supervisor = login_staff(client, "supervisor")["headers"]
    listed = client.get("/api/v1/supervision/complaints", headers=supervisor).json
    assert [c["id"] for c in listed] == [made.json["id"]]
    late = datetime.combine(date.fromisoformat(made.json["due_on"]) + timedelta(days=3), datetime.min.time(),
                            tzinfo=SHANGHAI)
    deadline_scan.scan_deadlines(session=db_session, clock=lambda: late)
    assert client.get("/api/v1/supervision/complaints", headers=supervisor).json[0]["light"] == "red"
    answered = client.post(f"/api/v1/supervision/complaints/{made.json['id']}/respond", headers=supervisor,
                           json={"response": "已统一材料清单"})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    assert_error(client.post(f"/api/v1/supervision/complaints/{made.json['id']}/respond", headers=supervisor,
                             json={"response": "again"}), 409, "invalid_transition")


def test_worker_runs_the_scans(client, sms, app):
    _complete(client, sms)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "deadlines:" in result.output and "outbox:" in result.output


def test_seed_history_command(app, db_session, today):
    seed_history(session=db_session, count=50, months=1, today=today, seed=1, batch=20)
    result = app.test_cli_runner().invoke(args=["seed-history", "--count", "200", "--months", "3"])
    assert result.exit_code == 0 and "200 applications" in result.output
    assert db_session.scalar(select(Application.id).order_by(Application.id.desc()).limit(1)) is not None


def test_history_needs_no_new_invitations(history):
    """Seeded cases finished long ago were invited back then: the worker sends them nothing now."""
    from app.services.evaluation import invite_unrated

    now = app_now()
    assert history.scalar(select(Application.id).where(Application.completed_at > now)) is None
    assert invite_unrated(session=history, clock=lambda: now) <= 30  # at most the last few days' cases
