"""电子监察, the scan: every open case's and sub-case's light recomputed from the deadline rules
(app/services/deadlines.py), an alert for each turn to yellow or red, then the promises around the
cases: 容缺 pledges, complaints and rectifications past due, escalation (督办). The worker runs it
pass after pass (app/services/worker.py); the warnings supervisors read are app/services/supervision.py."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import Clock, local_date
from app.errors import Conflict
from app.services import commitments, complaints, escalation
from app.services.calendar import load_calendar
from app.services.deadlines import compute_deadline, subcase_deadline
from app.services.supervision import OPEN_APPS, OPEN_SUBS, WARN
from app.services.unit_of_work import transaction
from models.application import Application, Pause, SubCase
from models.evaluation import Alert


@dataclass
class ScanReport:
    applications: int = 0
    subcases: int = 0
    complaints: int = 0
    alerts: int = 0
    commitments_overdue: int = 0
    rectifications: int = 0
    escalated: int = 0


SCAN_CHUNK = 200  # cases per transaction: a short lock, and one stale row costs one chunk only


def scan_deadlines(*, session: Session, clock: Clock, escalate_after: int = 2) -> ScanReport:
    """Recompute every open case's light; each change to yellow or red writes an alert. Then the
    promises around them: 容缺 pledges, complaints and rectifications past due, escalation (督办).

    Several workers may scan at once (README, worker): each chunk of cases is one transaction
    whose rows are locked with SKIP LOCKED, so two scans never change the same case; a row that
    someone else changed meanwhile (its version moved — on SQLite, which has no row locks) rolls
    back that chunk only, and the next pass recomputes it. No light alert is written twice."""
    now = clock()
    with transaction(session):  # a short read: each chunk below is a transaction of its own
        calendar = load_calendar(session)
        ids = session.scalars(select(Application.id).where(Application.status.in_(OPEN_APPS))
                              .order_by(Application.id)).all()
    report = ScanReport()
    for start in range(0, len(ids), SCAN_CHUNK):
        chunk = ids[start:start + SCAN_CHUNK]
        _own_transaction(session, report, lambda part: _scan_cases(session, calendar, now, chunk, part))
    _own_transaction(session, report, lambda part: _scan_promises(session, calendar, now, escalate_after, part))
    return report


def _own_transaction(session: Session, report: ScanReport, step) -> None:
    part = ScanReport()
    try:
        with transaction(session):
            step(part)
    except Conflict as exc:  # a stale version: another worker or a person moved these rows
        if exc.code != "conflict":
            raise
        return  # the block rolled back this chunk only; the next pass sees these rows
    for field in fields(ScanReport):
        setattr(report, field.name, getattr(report, field.name) + getattr(part, field.name))


def _scan_cases(session: Session, calendar, now, chunk: list[int], report: ScanReport) -> None:
    today = local_date(now)
    apps = session.scalars(select(Application).where(Application.id.in_(chunk), Application.status.in_(OPEN_APPS))
                           .order_by(Application.id).with_for_update(skip_locked=True)).all()
    pauses = defaultdict(list)
    for pause in session.scalars(select(Pause).where(Pause.application_id.in_([a.id for a in apps]))):
        pauses[pause.application_id].append(pause)
    for application in apps:
        d = compute_deadline(calendar, start=application.accepted_on, promised_days=application.promised_days,
                             pauses=pauses[application.id], now=now)
        application.promised_date = d.promised_date
        escalation.track_red(application, d.light, today)
        if d.light != application.light:
            report.applications += 1
            application.light = d.light
            if d.light in WARN:
                report.alerts += _alert(session, now, application, None, d.light,
                                        f"办件 {application.number} 承诺 {d.promised_date} 办结，"
                                        f"{'已超期' if d.light == 'red' else f'剩余 {d.remaining_working_days} 个工作日'}")
    subs = session.scalars(select(SubCase).where(SubCase.status.in_(OPEN_SUBS),
                                                 SubCase.application_id.in_([a.id for a in apps]))
                           .order_by(SubCase.id).with_for_update(skip_locked=True)).all()
    by_id = {a.id: a for a in apps}
    for sub in subs:
        d = subcase_deadline(calendar, subcase=sub, accepted_on=by_id[sub.application_id].accepted_on,
                             pauses=pauses[sub.application_id], now=now)
        if d.light != sub.light:
            report.subcases += 1
            sub.light = d.light
            if d.light in WARN:
                application = by_id[sub.application_id]
                report.alerts += _alert(session, now, application, sub, d.light,
                                        f"办件 {application.number} 的 {sub.item_code} "
                                        f"{'已超期' if d.light == 'red' else '即将到期'}（{d.promised_date}）")


def _scan_promises(session: Session, calendar, now, escalate_after: int, report: ScanReport) -> None:
    today = local_date(now)
    report.complaints, alerts = complaints.scan_complaints(session, now=now, today=today, calendar=calendar)
    report.alerts += alerts
    report.rectifications = complaints.scan_rectifications(session, now=now, today=today)
    report.alerts += report.rectifications
    report.commitments_overdue = commitments.scan_commitments(session, now, today)
    report.escalated = escalation.escalate_red(session, now=now, today=today, calendar=calendar,
                                               after=escalate_after)


def _alert(session: Session, now, application: Application, sub: SubCase | None, light: str, message: str) -> int:
    session.add(Alert(application_id=application.id, subcase_id=sub.id if sub else None,
                      hall_id=None if sub else application.hall_id,
                      department_id=sub.department_id if sub else None, light=light, message=message,
                      created_at=now))
    return 1
