"""电子监察: deadline scans that turn cases yellow and red and tell the hall or department, and the
warnings list supervisors watch."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Integer, String, case, cast, func, null, select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.errors import Forbidden
from app.services.calendar import compute_deadline, load_calendar
from app.services.paging import page_of
from models.application import Application, Pause, SubCase
from models.calendar import deadline_light
from models.catalogue import region_covers, region_prefix
from models.evaluation import Alert, Complaint
from models.workflow import AppStatus, SubStatus

OPEN_APPS = (AppStatus.accepted, AppStatus.in_review)
OPEN_SUBS = (SubStatus.pending, SubStatus.materials_requested)
WARN = ("yellow", "red")


@dataclass
class ScanReport:
    applications: int = 0
    subcases: int = 0
    complaints: int = 0
    alerts: int = 0


def scan_deadlines(*, session: Session, clock: Clock) -> ScanReport:
    """Recompute every open case's light; each change to yellow or red writes an alert."""
    now = clock()
    today = local_date(now)
    calendar = load_calendar(session)
    report = ScanReport()
    apps = session.scalars(select(Application).where(Application.status.in_(OPEN_APPS))).all()
    pauses = defaultdict(list)
    for pause in session.scalars(select(Pause).where(Pause.application_id.in_([a.id for a in apps]))):
        pauses[pause.application_id].append(pause)
    for application in apps:
        d = compute_deadline(calendar, start=application.accepted_on, promised_days=application.promised_days,
                             pauses=pauses[application.id], now=now)
        application.promised_date = d.promised_date
        if d.light != application.light:
            report.applications += 1
            application.light = d.light
            if d.light in WARN:
                report.alerts += _alert(session, now, application, None, d.light,
                                        f"办件 {application.number} 承诺 {d.promised_date} 办结，"
                                        f"{'已超期' if d.light == 'red' else f'剩余 {d.remaining_working_days} 个工作日'}")
    subs = session.scalars(select(SubCase).where(SubCase.status.in_(OPEN_SUBS),
                                                 SubCase.application_id.in_([a.id for a in apps]))).all()
    by_id = {a.id: a for a in apps}
    for sub in subs:
        own = [p for p in pauses[sub.application_id] if p.subcase_id in (None, sub.id)]
        d = compute_deadline(calendar, start=sub.opened_on or by_id[sub.application_id].accepted_on,
                             promised_days=sub.promised_days, pauses=own, now=now)
        if d.light != sub.light:
            report.subcases += 1
            sub.light = d.light
            if d.light in WARN:
                application = by_id[sub.application_id]
                report.alerts += _alert(session, now, application, sub, d.light,
                                        f"办件 {application.number} 的 {sub.item_code} "
                                        f"{'已超期' if d.light == 'red' else '即将到期'}（{d.promised_date}）")
    for complaint in session.scalars(select(Complaint).where(Complaint.status == "open")):
        left = calendar.working_days_between(today, complaint.due_on)
        light = deadline_light(left, max(1, calendar.working_days_between(local_date(complaint.created_at),
                                                                          complaint.due_on)), False)
        if light != complaint.light:
            report.complaints += 1
            complaint.light = light
    session.commit()
    return report


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


def warnings(session: Session, actor: Actor, *, light: str | None = None, hall_id: int | None = None,
             department_id: int | None = None, page: int = 1, page_size: int = 20):
    """Yellow and red applications (by hall) and sub-cases (by department) in the supervisor's region."""
    prefix = region_prefix(check_region(actor, None)) if actor.region_code else ""
    lights = (light,) if light else WARN
    app_rows = select(Application.id.label("application_id"), Application.number, Application.title,
                      Application.hall_id, cast(null(), Integer).label("department_id"),
                      cast(null(), String).label("item_code"), Application.light,
                      Application.promised_date.label("due"), cast(null(), Integer).label("subcase_id")) \
        .where(Application.status.in_(OPEN_APPS), Application.light.in_(lights),
               Application.region_code.startswith(prefix))
    sub_rows = select(Application.id, Application.number, Application.title, Application.hall_id,
                      SubCase.department_id, SubCase.item_code, SubCase.light,
                      Application.promised_date, SubCase.id) \
        .join(Application, SubCase.application_id == Application.id) \
        .where(SubCase.status.in_(OPEN_SUBS), SubCase.light.in_(lights), Application.region_code.startswith(prefix))
    if hall_id is not None:
        app_rows = app_rows.where(Application.hall_id == hall_id)
        sub_rows = sub_rows.where(Application.hall_id == hall_id)
    if department_id is not None:
        app_rows = app_rows.where(Application.id.in_(
            select(SubCase.application_id).where(SubCase.department_id == department_id)))
        sub_rows = sub_rows.where(SubCase.department_id == department_id)
    union = app_rows.union_all(sub_rows).subquery()
    total = session.scalar(select(func.count()).select_from(union))
    rows = session.execute(select(union).order_by(case((union.c.light == "red", 0), else_=1), union.c.due,
                                                     union.c.application_id)
                           .limit(page_size).offset((page - 1) * page_size)).mappings().all()
    return [dict(r) for r in rows], total


def alerts_for(session: Session, actor: Actor, *, page: int = 1, page_size: int = 20):
    """A clerk's hall's alerts (applications), a reviewer's department's (sub-cases), newest first."""
    mine = Alert.hall_id == actor.hall_id if actor.role == "clerk" else Alert.department_id == actor.department_id
    return page_of(session, select(Alert).where(mine), Alert.id.desc(), page=page, page_size=page_size)
