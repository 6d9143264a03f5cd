"""办不成事 answered back: a complaint is answered within a promised number of working days, by the
region's supervisor or by a department it was passed to (转办); the citizen reads the answer and is
told when it comes. Complaints and rectifications past their due dates alert like deadlines do."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.errors import Conflict, NotFound, ValidationFailed
from app.services import deadlines
from app.services.calendar import load_calendar
from app.services.notify import notify_citizen
from app.services.paging import in_region, page_of
from app.services.supervision import check_region
from app.services.unit_of_work import transaction
from models.application import Application
from models.calendar import WorkCalendar
from models.catalogue import Department, Item, region_prefix
from models.evaluation import Alert, Complaint, Rectification
from models.staff import Role

SUMMARY_CHARS = 20


def complain(*, session: Session, clock: Clock, actor: Actor, content: str, application_id: int | None,
             item_code: str | None, answer_days: int, default_region: str) -> Complaint:
    """办不成事: optionally tied to an application or an item; answered within `answer_days`."""
    with transaction(session):
        region = default_region
        if application_id is not None:
            from app.services.applications import own_application

            region = own_application(session, actor, application_id).region_code
        if item_code is not None:
            item = session.scalars(select(Item).where(Item.code == item_code)).first()
            if item is None:
                raise ValidationFailed("unknown_reference", errors={"item_code": [f"事项 {item_code} 不存在"]})
            if application_id is None:
                region = item.department.region_code
        now = clock()
        complaint = Complaint(citizen_id=actor.id, application_id=application_id, item_code=item_code, region_code=region,
                              content=content, created_at=now,
                              due_on=deadlines.complaint_due(load_calendar(session), made_on=local_date(now),
                                                             answer_days=answer_days))
        session.add(complaint)
        return complaint


def _visible(actor: Actor):
    """A supervisor's region; a reviewer's department's complaints (转办)."""
    if actor.role == Role.reviewer:
        return Complaint.department_id == actor.department_id
    return in_region(Complaint.region_code, check_region(actor, None))


def _page(session: Session, whose, status: str | None, order: tuple, page: int, page_size: int):
    stmt = select(Complaint).where(whose)
    if status:
        stmt = stmt.where(Complaint.status == status)
    return page_of(session, stmt, *order, page=page, page_size=page_size)


def list_complaints(session: Session, actor: Actor, *, status: str | None = None, page: int = 1,
                    page_size: int = 20):
    """Staff: soonest due first."""
    return _page(session, _visible(actor), status, (Complaint.due_on, Complaint.id), page, page_size)


def my_complaints(session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20):
    """The citizen's own complaints, newest first, with their answers."""
    return _page(session, Complaint.citizen_id == actor.id, status, (Complaint.id.desc(),), page, page_size)


def my_complaint(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or complaint.citizen_id != actor.id:
        raise NotFound()
    return complaint


def _staff_complaint(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    complaint = session.scalars(select(Complaint).where(Complaint.id == complaint_id, _visible(actor))).first()
    if complaint is None:
        raise NotFound()
    if complaint.status != "open":
        raise Conflict("invalid_transition", errors={"current_status": complaint.status, "action": "respond"})
    return complaint


def assign(*, session: Session, clock: Clock, actor: Actor, complaint_id: int, department_code: str) -> Complaint:
    """转办: a department answers it; its reviewers see it and are alerted."""
    with transaction(session):
        complaint = _staff_complaint(session, actor, complaint_id)
        department = session.scalars(select(Department).where(Department.code == department_code)).first()
        if department is None:
            raise ValidationFailed("unknown_reference", errors={"department_code": [f"部门 {department_code} 不存在"]})
        if not department.region_code.startswith(region_prefix(check_region(actor, None))):
            raise ValidationFailed("unknown_reference", errors={"department_code": ["只能转办给本辖区的部门"]})
        now = clock()
        complaint.department_id, complaint.assigned_at = department.id, now
        session.add(Alert(application_id=complaint.application_id, complaint_id=complaint.id,
                          department_id=department.id, light=complaint.light, kind="complaint", created_at=now,
                          message=f"转办：群众反映「{_summary(complaint)}」，请于 {complaint.due_on} 前答复"))
        return complaint


def respond(*, session: Session, clock: Clock, actor: Actor, complaint_id: int, response: str) -> Complaint:
    """The answer; the citizen is told at once and reads it in GET /complaints/{id}."""
    with transaction(session):
        complaint = _staff_complaint(session, actor, complaint_id)
        now = clock()
        complaint.status, complaint.response = "answered", response
        complaint.responded_at, complaint.responded_by, complaint.answered_on = now, actor.id, local_date(now)
        notify_citizen(session, complaint.citizen_id, "complaint_answered", at=now,
                       application_id=complaint.application_id, summary=_summary(complaint), response=response)
        return complaint


def _summary(complaint: Complaint) -> str:
    text = complaint.content.strip()
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def _hall_of(session: Session, application_id: int | None) -> int | None:
    return session.get(Application, application_id).hall_id if application_id else None


def scan_complaints(session: Session, *, now: datetime, today: date, calendar: WorkCalendar) -> tuple[int, int]:
    """Lights of open complaints; turning red alerts whoever answers it. (changed, alerts)."""
    changed = alerts = 0
    for complaint in session.scalars(select(Complaint).where(Complaint.status == "open")):
        light = deadlines.complaint_light(calendar, made_on=local_date(complaint.created_at),
                                          due_on=complaint.due_on, today=today)
        if light == complaint.light:
            continue
        changed += 1
        complaint.light = light
        if light == "red":
            hall_id = None if complaint.department_id else _hall_of(session, complaint.application_id)
            session.add(Alert(application_id=complaint.application_id, complaint_id=complaint.id,
                              department_id=complaint.department_id, hall_id=hall_id, light="red",
                              kind="complaint", created_at=now,
                              message=f"群众反映「{_summary(complaint)}」逾期未答复（应于 {complaint.due_on} 前）"))
            alerts += 1
    return changed, alerts


def scan_rectifications(session: Session, *, now: datetime, today: date) -> int:
    """整改 past its first-contact or fix date turns red once and alerts its owner."""
    late = 0
    for rect in session.scalars(select(Rectification).where(Rectification.status.in_(("open", "contacted")),
                                                            Rectification.light.is_(None))):
        missed = deadlines.rectification_missed(status=rect.status, first_contact_due=rect.first_contact_due,
                                                fix_due=rect.fix_due, today=today)
        if missed is None:
            continue
        rect.light = "red"
        missed, due = missed
        number = session.get(Application, rect.application_id).number
        session.add(Alert(application_id=rect.application_id, rectification_id=rect.id, hall_id=rect.hall_id,
                          department_id=rect.department_id, light="red", kind="rectification", created_at=now,
                          message=f"办件 {number} 的差评整改逾期未{missed}（应于 {due} 前）"))
        late += 1
    return late
