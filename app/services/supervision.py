"""电子监察: deadline scans that turn cases yellow and red and tell the hall or department, and the
warnings list supervisors watch."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from sqlalchemy import Integer, String, case, cast, func, literal, null, or_, select, true, union_all
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.errors import Conflict, Forbidden
from app.services.calendar import load_calendar
from app.services.deadlines import compute_deadline, subcase_deadline
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.application import Application, ApplicationMaterial, Pause, SubCase
from models.catalogue import region_covers, region_prefix
from models.evaluation import Alert
from models.workflow import AppStatus, SubStatus

OPEN_APPS = (AppStatus.accepted, AppStatus.in_review)
OPEN_SUBS = (SubStatus.pending, SubStatus.materials_requested)
WARN = ("yellow", "red")
WATCHED_PLEDGES = (AppStatus.accepted, AppStatus.in_review, AppStatus.completed)


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
    from app.services import escalation

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
    from app.services import commitments, complaints, escalation

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


def check_region(actor: Actor, region_code: str | None) -> str:
    """A supervisor sees their region and everything under it, nothing beside it."""
    own = actor.region_code or ""
    if actor.role == "admin":
        return region_code or ""
    if region_code is None:
        return own
    if not region_covers(own, region_code):
        raise Forbidden()
    return region_code


def supervised(actor: Actor):
    """The cases a supervisor watches: those of their own region, and those escalated (督办) to their
    region or one under it; an admin watches all."""
    if actor.role == "admin" or not actor.region_code:
        return true()
    return or_(Application.region_code == actor.region_code,
               Application.escalated_to.startswith(region_prefix(actor.region_code)))


def warnings(session: Session, actor: Actor, *, light: str | None = None, hall_id: int | None = None,
             department_id: int | None = None, escalated: bool | None = None, page: int = 1, page_size: int = 20):
    """Yellow and red applications (by hall), sub-cases (by department) and overdue pledges (容缺) that
    the supervisor watches."""
    lights = (light,) if light else WARN
    common = (Application.id.label("application_id"), Application.number, Application.title, Application.hall_id)
    tail = (Application.escalated_to, Application.escalated_at)
    app_rows = select(*common, cast(null(), Integer).label("department_id"),
                      cast(null(), String).label("item_code"), Application.light,
                      Application.promised_date.label("due"), cast(null(), Integer).label("subcase_id"),
                      literal("deadline").label("kind"), *tail) \
        .where(Application.status.in_(OPEN_APPS), Application.light.in_(lights))
    sub_rows = select(*common, SubCase.department_id, SubCase.item_code, SubCase.light,
                      Application.promised_date, SubCase.id, literal("deadline"), *tail) \
        .join(Application, SubCase.application_id == Application.id) \
        .where(SubCase.status.in_(OPEN_SUBS), SubCase.light.in_(lights))
    owed = select(ApplicationMaterial.application_id).where(ApplicationMaterial.commitment_state == "overdue")
    pledge_rows = select(*common, cast(null(), Integer), cast(null(), String), literal("red"),
                         Application.commitment_due, cast(null(), Integer), literal("commitment"), *tail) \
        .where(Application.status.in_(WATCHED_PLEDGES), Application.id.in_(owed), literal("red").in_(lights))
    parts = []
    for rows in (app_rows, sub_rows, pledge_rows):
        rows = rows.where(supervised(actor))
        if hall_id is not None:
            rows = rows.where(Application.hall_id == hall_id)
        if escalated is not None:
            rows = rows.where(Application.escalated_at.is_not(None) if escalated else Application.escalated_at.is_(None))
        parts.append(rows)
    app_rows, sub_rows, pledge_rows = parts
    if department_id is not None:
        in_department = Application.id.in_(select(SubCase.application_id).where(SubCase.department_id == department_id))
        app_rows, pledge_rows = app_rows.where(in_department), pledge_rows.where(in_department)
        sub_rows = sub_rows.where(SubCase.department_id == department_id)
    union = union_all(app_rows, sub_rows, pledge_rows).subquery()
    total = session.scalar(select(func.count()).select_from(union))
    rows = session.execute(select(union).order_by(case((union.c.light == "red", 0), else_=1), union.c.due,
                                                     union.c.application_id, union.c.kind)
                           .limit(page_size).offset((page - 1) * page_size)).mappings().all()
    return [{**r, "id": r["application_id"], "escalated": r["escalated_at"] is not None} for r in rows], total


def alerts_for(session: Session, actor: Actor, *, page: int = 1, page_size: int = 20):
    """A clerk's hall's alerts (applications), a reviewer's department's (sub-cases), newest first."""
    mine = Alert.hall_id == actor.hall_id if actor.role == "clerk" else Alert.department_id == actor.department_id
    return page_of(session, select(Alert).where(mine), Alert.id.desc(), page=page, page_size=page_size)
