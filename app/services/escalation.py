"""督办: a case red for too long goes up to the parent region's supervisor, and a supervisor may urge
the hall or department that holds a warned case; both are recorded on the case."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.actors import SYSTEM_ACTOR, Actor
from app.clock import Clock
from app.errors import Conflict, NotFound
from app.services import deadlines, workflow
from app.services.supervision import OPEN_APPS, OPEN_SUBS, WARN, supervised
from app.services.unit_of_work import transaction
from models.application import Application, SubCase
from models.calendar import WorkCalendar
from models.catalogue import parent_region
from models.evaluation import Alert


def track_red(application: Application, light: str, today: date) -> None:
    """Remember the day a case turned red (escalation counts from it); leaving red forgets it."""
    if light == "red" and application.red_on is None:
        application.red_on = today
    elif light != "red":
        application.red_on = None


def escalate_red(session: Session, *, now: datetime, today: date, calendar: WorkCalendar, after: int) -> int:
    """Red for more than `after` working days: the parent region's supervisor watches it now."""
    apps = session.scalars(select(Application).where(
        Application.status.in_(OPEN_APPS), Application.light == "red", Application.red_on.is_not(None),
        Application.escalated_at.is_(None))).all()
    escalated = 0
    for application in apps:
        if not deadlines.red_too_long(calendar, red_on=application.red_on, today=today, after=after):
            continue
        parent = parent_region(application.region_code)
        if parent is None:
            continue
        application.escalated_to, application.escalated_at = parent, now
        workflow.record(session, application, "escalated", actor=SYSTEM_ACTOR, at=now, message="",
                        note=f"超期 {after} 个工作日以上未办结，已提级至上级监督（{parent}）督办",
                        details={"escalated_to": parent, "red_on": application.red_on.isoformat()})
        session.add(Alert(application_id=application.id, hall_id=application.hall_id, light="red",
                          kind="escalation", created_at=now,
                          message=f"办件 {application.number} 超期未办结，已提级至上级（{parent}）督办"))
        escalated += 1
    return escalated


def urge(*, session: Session, clock: Clock, actor: Actor, application_id: int, note: str) -> dict:
    """A 督办 notice to the hall, and to each department whose part is late; recorded on the case."""
    with transaction(session):
        application = session.scalars(select(Application).where(Application.id == application_id,
                                                                supervised(actor))).first()
        if application is None:
            raise NotFound()
        late_subs = session.scalars(select(SubCase).where(SubCase.application_id == application.id,
                                                          SubCase.status.in_(OPEN_SUBS),
                                                          SubCase.light.in_(WARN))).all()
        warned = application.light in WARN or application.commitment_overdue or late_subs
        if application.status not in OPEN_APPS or not warned:
            raise Conflict("invalid_transition", errors={"current_status": str(application.status),
                                                         "light": application.light, "action": "urge"})
        now = clock()
        text = f"督办：办件 {application.number}（{application.title}）请抓紧办理。{note}"
        alerts = [Alert(application_id=application.id, hall_id=application.hall_id, light="red", kind="urge",
                        message=text, created_at=now)]
        alerts += [Alert(application_id=application.id, subcase_id=sub.id, department_id=sub.department_id,
                         light="red", kind="urge", message=text, created_at=now) for sub in late_subs]
        session.add_all(alerts)
        workflow.record(session, application, "urged", actor=actor, at=now, message="", note=note,
                        details={"departments": sorted({s.department_id for s in late_subs})})
        return {"application_id": application.id, "number": application.number, "note": note, "urged_at": now,
                "hall_id": application.hall_id, "department_ids": sorted({s.department_id for s in late_subs}),
                "notices": len(alerts)}
