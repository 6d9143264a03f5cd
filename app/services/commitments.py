"""容缺受理 kept: a pledged material is watched from acceptance until a clerk has checked what came.

pending (owed) -> supplied (the citizen attached it) -> checked (a clerk saw it was right); a
supplied material the clerk finds wanting goes back to pending with the reason. Reminders go out
3 working days before the due date and on the due day; past it the pledge is overdue, the hall is
alerted and the case shows in the warnings. The result is not handed over while a pledge is open.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.actors import SYSTEM_ACTOR, Actor
from app.clock import Clock, local_date
from app.errors import Conflict, ValidationFailed
from app.services import deadlines, workflow
from app.services.calendar import load_calendar
from app.services.notify import notify
from models.application import Application, ApplicationMaterial
from models.evaluation import Alert
from models.workflow import AppStatus

OPEN_STATES = ("pending", "supplied", "overdue")
OWED_STATES = ("pending", "overdue")
WATCHED = (AppStatus.accepted, AppStatus.in_review, AppStatus.completed)


def open_pledges(application: Application) -> list[ApplicationMaterial]:
    return [m for m in application.materials if m.commitment_state in OPEN_STATES]


def ensure_none_open(application: Application) -> None:
    """The result is handed over only once every pledge is checked (409 commitment_outstanding)."""
    owed = open_pledges(application)
    if owed:
        raise Conflict("commitment_outstanding", errors={"materials": [
            {"code": m.code, "name": m.name, "state": m.commitment_state} for m in owed],
            "commitment_due": application.commitment_due.isoformat() if application.commitment_due else None})


def pledge(material: ApplicationMaterial) -> None:
    """At acceptance: the material is owed."""
    material.pending, material.satisfied_by, material.commitment_state = True, "commitment", "pending"


def supplied(material: ApplicationMaterial) -> None:
    """The citizen attached something for an owed material after acceptance."""
    if material.commitment_state in OWED_STATES:
        material.commitment_state = "supplied"


def check(*, session: Session, clock: Clock, actor: Actor, application: Application, code: str, ok: bool,
          reason: str | None) -> Application:
    """A clerk checks what was supplied: checked, or owed again with the reason (the citizen is told).
    The caller has found the application in the clerk's scope and commits (hall.check_material)."""
    material = next((m for m in application.materials if m.code == code), None)
    if material is None:
        raise ValidationFailed("unknown_reference", errors={"material_code": [f"申请中没有材料 {code}"]})
    if material.commitment_state != "supplied":
        raise Conflict("invalid_transition", errors={"current_status": material.commitment_state or "none",
                                                     "action": "check"})
    if not ok and not (reason or "").strip():
        raise ValidationFailed(errors={"reason": ["退回补交的材料须说明原因"]})
    now = clock()
    if ok:
        material.commitment_state, material.check_note = "checked", None
        message = f"容缺材料「{material.name}」已核验"
    else:
        overdue = deadlines.commitment_overdue(application.commitment_due, local_date(now))
        material.commitment_state = "overdue" if overdue else "pending"
        material.pending, material.satisfied_by, material.upload_ids = True, "commitment", []
        material.check_note = reason
        message = f"容缺材料「{material.name}」未通过核验：{reason}，请重新补交"
        notify(session, application, "commitment_rejected", at=now, material=material.name, reason=reason)
    workflow.record(session, application, "commitment_checked", actor=actor, at=now, message=message,
                    details={"material": code, "ok": ok})
    return application


def scan_commitments(session: Session, now, today: date) -> int:
    """Reminders 3 working days before and on the due day; overdue after it (alert to the hall).
    Returns how many pledges turned overdue. The caller commits."""
    calendar = load_calendar(session)
    apps = session.scalars(select(Application).where(Application.commitment_due.is_not(None),
                                                     Application.status.in_(WATCHED))).all()
    turned = 0
    for application in apps:
        owed = [m for m in application.materials if m.commitment_state in OWED_STATES]
        if not owed:
            continue
        due = application.commitment_due
        names = "、".join(m.name for m in owed)
        reminder = deadlines.pledge_reminder(calendar, due=due, today=today,
                                             reminded=application.commitment_reminded)
        if reminder == "overdue":
            fresh = [m for m in owed if m.commitment_state == "pending"]
            if not fresh:
                continue
            for material in fresh:
                material.commitment_state = "overdue"
            turned += len(fresh)
            application.commitment_overdue = True
            workflow.record(session, application, "commitment_overdue", actor=SYSTEM_ACTOR, at=now,
                            message=f"容缺材料逾期未补交：{names}（应于 {due} 前补交）")
            notify(session, application, "commitment_overdue", at=now, due=due.isoformat(), materials=names)
            session.add(Alert(application_id=application.id, hall_id=application.hall_id, light="red",
                              kind="commitment", created_at=now,
                              message=f"办件 {application.number} 的容缺材料逾期未补交：{names}（{due}）"))
        elif reminder == "due":
            application.commitment_reminded = "due"
            notify(session, application, "commitment_due_today", at=now, due=due.isoformat(), materials=names)
        elif reminder == "before":
            application.commitment_reminded = "before"
            notify(session, application, "commitment_reminder", at=now, due=due.isoformat())
    return turned
