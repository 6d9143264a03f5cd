"""What the phone shows: stage, the next thing the citizen owes, sub-cases, trips, deadline, timeline.

Loaded in a constant number of statements, whatever the number of sub-cases and events.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from datetime import date

from app.actors import Actor
from app.clock import Clock, local_date
from app.services import i18n
from app.services.cases import visible_to
from app.services.calendar import calendar_stamp, load_calendar
from app.services.deadlines import compute_deadline
from models.application import Application, Event, Pause, SubCase, Visit
from models.catalogue import Carrier, Department, Hall, Item
from models.shipment import Shipment
from models.workflow import AppStatus, SubStatus

STAGES = {
    AppStatus.draft: "填写申请", AppStatus.submitted: "等待窗口受理", AppStatus.returned: "待补正",
    AppStatus.accepted: "已受理", AppStatus.in_review: "部门审核中", AppStatus.completed: "已办结",
    AppStatus.delivered: "已送达", AppStatus.rejected: "不予受理", AppStatus.withdrawn: "已撤回",
}


def next_action(application: Application, subcases: list[SubCase], shipment: Shipment | None) -> dict | None:
    """The one thing the citizen should do now, or None when the ball is with the government."""
    status = application.status
    if status == AppStatus.draft:
        return {"code": "submit", "message": "补全表单和材料后提交申请"}
    if status == AppStatus.returned:
        return {"code": "correct_and_resubmit", "message": "按补正告知一次性修改后重新提交"}
    if any(s.status == SubStatus.materials_requested for s in subcases):
        return {"code": "supply_materials", "message": "部门要求补充材料，请补充后确认"}
    owed = [m for m in application.materials if m.pending]
    if owed and status in (AppStatus.accepted, AppStatus.in_review, AppStatus.completed):
        due = application.commitment_due.isoformat() if application.commitment_due else None
        return {"code": "deliver_committed_materials", "due": due,
                "message": f"请于 {due} 前补交容缺材料：{'、'.join(m.name for m in owed)}"}
    if status == AppStatus.completed and shipment is None:
        if application.delivery_method is None:
            return {"code": "choose_delivery", "message": "选择窗口领取或邮寄到家"}
        if application.delivery_method == "window":
            return {"code": "collect_at_window", "message": "请携带身份证到窗口领取办理结果"}
    return None


REPRESENTATION = 1  # bump when the progress view changes shape: cached copies must not survive it


def application_for_progress(session: Session, actor: Actor, application_id: int, today: date) -> Application | None:
    """The application alone (the applicant's, or their active agent's): its materials load only if the
    full view is built."""
    return session.scalars(select(Application).options(lazyload(Application.materials))
                           .where(Application.id == application_id, visible_to(actor, today))).first()


def progress_stamp(*, session: Session, clock: Clock, application: Application, lang: str = "zh-CN") -> dict:
    """What the progress view depends on, in one statement: every change writes an event (and events
    are never updated), and the remaining working days change with the date."""
    last_event = session.scalar(select(func.max(Event.id)).where(Event.application_id == application.id))
    return {"id": application.id, "version": application.version, "last_event": last_event,
            "day": local_date(clock()).isoformat(), "shape": REPRESENTATION,
            "calendar": calendar_stamp(), "lang": lang}


def progress(*, session: Session, clock: Clock, application: Application, lang: str = "zh-CN") -> dict:
    """The view in zh-CN, or in English for `lang="en"` (catalogue names stay as published)."""
    rows = session.execute(
        select(SubCase, Department.code, Department.name, Item.main_name)
        .join(Department, SubCase.department_id == Department.id).join(Item, SubCase.item_id == Item.id)
        .where(SubCase.application_id == application.id).order_by(SubCase.position)).all()
    subcases = [row[0] for row in rows]
    events = session.scalars(select(Event).where(Event.application_id == application.id).order_by(Event.id)).all()
    visits = session.execute(select(Visit, Hall.name).join(Hall, Visit.hall_id == Hall.id)
                             .where(Visit.application_id == application.id).order_by(Visit.id)).all()
    pauses = session.scalars(select(Pause).where(Pause.application_id == application.id)).all()
    shipment_row = session.execute(
        select(Shipment, Carrier.name).outerjoin(Carrier, Shipment.carrier_id == Carrier.id)
        .where(Shipment.application_id == application.id).order_by(Shipment.id.desc()).limit(1)).first()
    shipment = shipment_row[0] if shipment_row else None

    deadline = None
    if application.accepted_on is not None:
        d = compute_deadline(load_calendar(session), start=application.accepted_on,
                             promised_days=application.promised_days, pauses=list(pauses), now=clock(),
                             finished_at=application.completed_at)
        deadline = {"promised_date": d.promised_date, "remaining_working_days": d.remaining_working_days,
                    "light": d.light, "promised_days": d.promised_days, "paused": d.paused,
                    "paused_working_days": d.paused_working_days,
                    "calendar_fallback_years": d.calendar_fallback_years}
    trips = len(visits)
    return {
        "id": application.id, "number": application.number, "title": application.title,
        "status": str(application.status),
        "stage": i18n.stage(str(application.status), STAGES[application.status], lang),
        "next_action": i18n.next_action(next_action(application, subcases, shipment), lang,
                                        [m.name for m in application.materials if m.pending]),
        "deadline": deadline,
        "subcases": [{"id": s.id, "item_code": s.item_code, "item_name": item_name, "department": code,
                      "department_name": dname, "status": str(s.status), "depends_on": list(s.depends_on)}
                     for s, code, dname, item_name in rows],
        "visits": [{"at": v.at, "hall": hall_name, "purpose": v.purpose} for v, hall_name in visits],
        "visit_count": trips, "zero_trip": trips == 0, "at_most_one_trip": trips <= 1,
        "shipment": None if shipment is None else {
            "id": shipment.id, "status": str(shipment.status), "carrier": shipment_row[1],
            "tracking_number": shipment.tracking_number},
        "pauses": [{"reason": p.reason, "started_at": p.started_at, "ended_at": p.ended_at} for p in pauses],
        "timeline": [{"at": e.at, "event": e.event, "message": i18n.timeline_message(e.message, lang)}
                     for e in events if e.message],
    }
