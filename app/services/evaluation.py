"""好差评: one rating per completed case; bad ratings open a rectification with deadlines, owned by
the hall, or by the department whose decision the rating is about (complaints: services/complaints)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.errors import Conflict, NotFound, ValidationFailed
from app.services import deadlines, workflow
from app.services.calendar import load_calendar
from app.services.notify import notify
from app.services.paging import in_region, page_of
from app.services.supervision import check_region
from app.services.unit_of_work import transaction
from models.application import Application, SubCase
from models.catalogue import region_prefix
from models.evaluation import RECTIFY_AT_MOST, SCORES, Evaluation, Rectification
from models.staff import Role
from models.workflow import AppStatus, SubStatus

FINISHED = (AppStatus.completed, AppStatus.delivered)
INVITE_AFTER = timedelta(days=3)


def _owner_department(session: Session, application: Application, about_item: str | None) -> int | None:
    """The department whose decision a bad rating is about: the item named, else a refused item."""
    subs = session.scalars(select(SubCase).where(SubCase.application_id == application.id)
                           .order_by(SubCase.position)).all()
    if about_item is not None:
        named = next((s for s in subs if s.item_code == about_item), None)
        if named is None:
            raise ValidationFailed("unknown_reference", errors={"about_item": [f"申请中没有事项 {about_item}"]})
        return named.department_id
    refused = next((s for s in subs if s.status == SubStatus.rejected and s.decided_by is not None), None)
    return refused.department_id if refused else None


def rate(*, session: Session, clock: Clock, actor: Actor, application_id: int, score: int, tags: list[str],
         comment: str, rectification_days: int, about_item: str | None = None) -> Evaluation:
    from app.services.applications import own_application

    with transaction(session):
        application = own_application(session, actor, application_id)
        if application.status not in FINISHED:
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "rate"})
        now = clock()
        department_id = _owner_department(session, application, about_item)
        evaluation = Evaluation(application_id=application.id, citizen_id=actor.id, score=score, tags=tags,
                                comment=comment, invited=application.evaluation_invited_at is not None, created_at=now)
        session.add(evaluation)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("already_rated") from exc
        workflow.record(session, application, "rated", actor=actor, at=now, message=f"您的评价：{SCORES[score]}")
        application.rating_score, application.rating_invited = score, evaluation.invited
        if score <= RECTIFY_AT_MOST:
            application.rectification_state = "open"
            first_contact_due, fix_due = deadlines.rectification_dues(load_calendar(session), rated_on=local_date(now),
                                                                      fix_days=rectification_days)
            session.add(Rectification(evaluation_id=evaluation.id, application_id=application.id,
                                      hall_id=None if department_id else application.hall_id,
                                      department_id=department_id, region_code=application.region_code,
                                      first_contact_due=first_contact_due, fix_due=fix_due, created_at=now))
        return evaluation


def invite_unrated(*, session: Session, clock: Clock) -> int:
    """Once, 3 days after completion, invite citizens who have not rated (邀请评价)."""
    with transaction(session):
        now = clock()
        rated = select(Evaluation.application_id)
        due = session.scalars(select(Application).where(
            Application.status.in_(FINISHED), Application.completed_at <= now - INVITE_AFTER,
            Application.evaluation_invited_at.is_(None), Application.id.not_in(rated))).all()
        for application in due:
            application.evaluation_invited_at = now
            notify(session, application, "evaluation_invitation", at=now)
        return len(due)


def _rectifications_for(actor: Actor):
    stmt = select(Rectification)
    if actor.role == Role.clerk:
        return stmt.where(Rectification.hall_id == actor.hall_id)
    if actor.role == Role.reviewer:
        return stmt.where(Rectification.department_id == actor.department_id)
    return stmt.where(in_region(Rectification.region_code, check_region(actor, None)))


def list_rectifications(session: Session, actor: Actor, *, status: str | None = None, page: int = 1,
                        page_size: int = 20):
    stmt = _rectifications_for(actor)
    if status:
        stmt = stmt.where(Rectification.status == status)
    return page_of(session, stmt, Rectification.fix_due, Rectification.id, page=page, page_size=page_size)


def _rectification(session: Session, actor: Actor, rectification_id: int) -> Rectification:
    found = session.scalars(_rectifications_for(actor).where(Rectification.id == rectification_id)).first()
    if found is None:
        raise NotFound()
    return found


def contact(*, session: Session, clock: Clock, actor: Actor, rectification_id: int, note: str) -> Rectification:
    """First contact with the citizen (due within 1 working day)."""
    with transaction(session):
        rect = _rectification(session, actor, rectification_id)
        if rect.status != "open":
            raise Conflict("invalid_transition", errors={"current_status": rect.status, "action": "contact"})
        rect.status, rect.contacted_at, rect.contact_note = "contacted", clock(), note
        session.get(Application, rect.application_id).rectification_state = "contacted"
        return rect


def resolve(*, session: Session, clock: Clock, actor: Actor, rectification_id: int, resolution: str) -> Rectification:
    """The fix; the citizen is told and may rate it."""
    with transaction(session):
        rect = _rectification(session, actor, rectification_id)
        if rect.status not in ("open", "contacted"):
            raise Conflict("invalid_transition", errors={"current_status": rect.status, "action": "resolve"})
        now = clock()
        rect.status, rect.resolved_at, rect.resolution = "resolved", now, resolution
        application = session.get(Application, rect.application_id)
        application.rectification_state = "resolved"
        notify(session, application, "rectification_resolved", at=now, resolution=resolution)
        workflow.record(session, application, "rectified", actor=actor, at=now, message=f"整改结果：{resolution}")
        return rect


def rate_rectification(*, session: Session, clock: Clock, actor: Actor, application_id: int, score: int) -> Rectification:
    from app.services.applications import own_application

    with transaction(session):
        application = own_application(session, actor, application_id)
        rect = session.scalars(select(Rectification).where(Rectification.application_id == application.id)).first()
        if rect is None or rect.status != "resolved":
            raise Conflict("invalid_transition", errors={"current_status": rect.status if rect else "none",
                                                         "action": "rate_rectification"})
        if rect.citizen_score is not None:
            raise Conflict("already_rated")
        rect.citizen_score = score
        return rect


def dismiss(*, session: Session, clock: Clock, actor: Actor, evaluation_id: int, reason: str) -> Evaluation:
    """A supervisor judges a rating malicious: it stops counting, the reason stays on record."""
    with transaction(session):
        evaluation = session.get(Evaluation, evaluation_id)
        application = session.get(Application, evaluation.application_id) if evaluation else None
        if evaluation is None or not application.region_code.startswith(region_prefix(check_region(actor, None))):
            raise NotFound()
        if evaluation.dismissed_at is not None:
            raise Conflict("invalid_transition", errors={"current_status": "dismissed", "action": "dismiss"})
        evaluation.dismissed_at, evaluation.dismissed_by, evaluation.dismiss_reason = clock(), actor.id, reason
        application.rating_score = None  # a dismissed rating no longer counts (it was still an answer)
        rect = session.scalars(select(Rectification).where(Rectification.evaluation_id == evaluation.id)).first()
        if rect is not None and rect.status != "resolved":
            rect.status = "dismissed"
            application.rectification_state = None
        return evaluation
