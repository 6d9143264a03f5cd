"""The hall's window: any window accepts any item in its region (无差别全科受理), returns with one
notice (一次性告知), accepts on a written commitment (容缺受理), records visits, issues results."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services import commitments, deadlines, workflow
from app.services.calendar import load_calendar
from app.services.notify import notify
from app.services.post import new_shipment
from app.services.regions import competent_department
from app.services.paging import in_region, page_of, with_parties
from app.services.unit_of_work import transaction
from models.application import Application, SubCase, Visit, add_visit
from models.catalogue import Bundle, Carrier, Hall, Item
from models.shipment import Shipment
from models.workflow import AppStatus, initial_subcase_status


def _region_filter(actor: Actor):
    return in_region(Application.region_code, actor.region_code or "------")


def clerk_scope(actor: Actor):
    """The one rule of what a clerk sees (API.md v1.1, "Everyone's data, guarded"): applications of
    the clerk's region from `submitted` on. Drafts and cases withdrawn before submission are the
    citizen's alone. Every clerk query (inbox, one case, visits, e-license checks) goes through here."""
    return and_(_region_filter(actor), Application.submitted_at.is_not(None))


def hall_application(session: Session, actor: Actor, application_id: int) -> Application:
    """An application the clerk may see (`clerk_scope`); anything else, 404.

    No row lock: the version column makes the second of two concurrent moves fail with 409 conflict.
    """
    stmt = select(Application).where(Application.id == application_id, clerk_scope(actor))
    application = session.scalars(stmt).first()
    if application is None:
        raise NotFound()
    return application



def check_material(*, session: Session, clock: Clock, actor: Actor, application_id: int, code: str, ok: bool,
                   reason: str | None) -> Application:
    """Check a 容缺 material the citizen supplied (the rule: commitments.check)."""
    with transaction(session):
        return commitments.check(session=session, clock=clock, actor=actor, code=code, ok=ok, reason=reason,
                                 application=hall_application(session, actor, application_id))


def inbox(session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20):
    """Every application in the region, whatever its department (default: waiting for acceptance);
    with the applicants, agents and materials the answer shows, in the page's statement."""
    stmt = select(Application).where(clerk_scope(actor),
                                     Application.status == AppStatus(status or AppStatus.submitted)
                                     ).options(*with_parties())
    return page_of(session, stmt, Application.submitted_at, Application.id, page=page, page_size=page_size)


def accept(*, session: Session, clock: Clock, actor: Actor, application_id: int,
           pending_materials: list[str], commitment_due: date | None) -> Application:
    """受理: the promised deadline starts; one sub-case per item goes to its department (并联) — the
    department of the competent region (异地可办). A point whose level cannot accept an item
    forwards the case instead (409 not_accepted_here)."""
    with transaction(session):
        application = hall_application(session, actor, application_id)
        entries = _items_with_dependencies(session, application)
        refuse_unless_accepted_here(session, actor, [item for item, _ in entries])
        now = clock()
        today = local_date(now)
        pending = set(pending_materials) | {m.code for m in application.materials if m.satisfied_by == "commitment"}
        by_code = {m.code: m for m in application.materials}
        problems = {c: ["申请中没有此材料"] for c in pending if c not in by_code}
        problems |= {c: [f"{by_code[c].name} 为关键材料，不能容缺"] for c in pending
                     if c in by_code and not by_code[c].commitment_allowed}
        if problems:
            raise ValidationFailed("commitment_not_allowed", errors={"pending_materials": problems})
        promised = deadlines.promised_date(load_calendar(session), today, application.promised_days)
        if pending:
            wrong = deadlines.check_commitment_due(commitment_due, today=today, promised=promised)
            if wrong:
                raise ValidationFailed(errors={"commitment_due": [wrong]})
        workflow.move(session, application, "accept", actor=actor, at=now,
                      message=f"申请已受理，承诺 {promised.isoformat()} 前办结", details={"pending": sorted(pending)})
        application.accepted_at, application.accepted_on, application.accepted_by = now, today, actor.id
        application.hall_id = actor.hall_id  # the accepting hall; the citizen's pickup choice stays
        application.pickup_hall_id = application.pickup_hall_id or actor.hall_id
        application.promised_date, application.light = promised, "green"
        application.commitment_due = commitment_due if pending else None
        for material in application.materials:
            if material.code in pending:
                commitments.pledge(material)
        application.recount_exempted()
        application.item_count = len(entries)
        for position, (item, depends_on) in enumerate(entries):
            status = initial_subcase_status(depends_on)
            department = competent_department(session, item, application.competent_region_code)
            session.add(SubCase(application_id=application.id, position=position, item_id=item.id,
                                item_code=item.code, department_id=department.id, status=status,
                                depends_on=depends_on, promised_days=item.promised_days,
                                opened_on=today if not depends_on else None))
        notify(session, application, "application_accepted", at=now, promised_date=promised.isoformat())
        return application


def refuse_unless_accepted_here(session: Session, actor: Actor, items: list[Item]) -> None:
    """Items say which levels of hall accept them; a village or township point takes the others in
    and forwards them (前台受理、后台办理)."""
    level = str(session.get(Hall, actor.hall_id).level)
    refused = [item.code for item in items if level not in item.level_names]
    if refused:
        raise Conflict("not_accepted_here", errors={"items": refused, "hall_level": level})


def _items_with_dependencies(session: Session, application: Application) -> list[tuple[Item, list[str]]]:
    if application.item_id:
        return [(session.get(Item, application.item_id), [])]
    return [(link.item, list(link.depends_on)) for link in session.get(Bundle, application.bundle_id).items]


def return_application(*, session: Session, clock: Clock, actor: Actor, application_id: int,
                       problems: list[dict]) -> Application:
    """补正 with every problem in one notice; a second notice only if the citizen changed something."""
    with transaction(session):
        application = hall_application(session, actor, application_id)
        if application.status == AppStatus.submitted and application.return_count and not application.changed_since_return:
            raise Conflict("already_returned", errors={"return_count": application.return_count})
        now = clock()
        summary = "；".join(f"{p['target']}：{p['reason']}" for p in problems)
        workflow.move(session, application, "return", actor=actor, at=now, message=f"请补正：{summary}",
                      details={"problems": problems})
        application.return_count += 1
        application.changed_since_return = False
        notify(session, application, "application_returned", at=now, problems=summary)
        return application


def reject(*, session: Session, clock: Clock, actor: Actor, application_id: int, reason: str,
           legal_basis: str) -> Application:
    """不予受理, always with its legal basis."""
    with transaction(session):
        application = hall_application(session, actor, application_id)
        now = clock()
        workflow.move(session, application, "reject", actor=actor, at=now,
                      message=f"不予受理：{reason}（依据：{legal_basis}）",
                      details={"reason": reason, "legal_basis": legal_basis})
        notify(session, application, "application_rejected", at=now, reason=reason, legal_basis=legal_basis)
        return application


def record_visit(*, session: Session, clock: Clock, actor: Actor, application_id: int, purpose: str) -> Visit:
    """The citizen came in person: the only way a trip is counted."""
    with transaction(session):
        application = hall_application(session, actor, application_id)
        now = clock()
        hall = session.get(Hall, actor.hall_id)
        visit = add_visit(session, application, hall_id=actor.hall_id, staff_id=actor.id, purpose=purpose, at=now)
        workflow.record(session, application, "visit", actor=actor, at=now, message=f"到{hall.name}现场办理：{purpose}")
        return visit


def issue(*, session: Session, clock: Clock, actor: Actor, application_id: int, method: str | None,
          carrier: str | None) -> Application:
    """综合窗口出件: at the window (a visit, and delivered) or by post (a shipment is requested)."""
    with transaction(session):
        application = hall_application(session, actor, application_id)
        method = method or application.delivery_method or "window"
        now = clock()
        if application.status != AppStatus.completed:
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "issue"})
        commitments.ensure_none_open(application)
        if method == "window":
            if application.pickup_hall_id is not None and application.pickup_hall_id != actor.hall_id:
                raise Forbidden("not_pickup_hall", errors={"pickup_hall_id": application.pickup_hall_id})
            add_visit(session, application, hall_id=actor.hall_id, staff_id=actor.id, purpose="领取办理结果", at=now)
            workflow.move(session, application, "issue_window", actor=actor, at=now, message="已在窗口领取办理结果")
            application.delivered_at = now
            notify(session, application, "application_delivered", at=now)
            return application
        if not application.delivery_address:
            raise ValidationFailed("address_missing", errors={"delivery": ["申请人尚未填写邮寄地址"]})
        if session.scalars(select(Shipment.id).where(Shipment.application_id == application.id)).first():
            raise Conflict("already_issued")
        chosen = session.scalars(select(Carrier).where(Carrier.code == carrier) if carrier
                                 else select(Carrier).order_by(Carrier.id)).first()
        if chosen is None:
            raise ValidationFailed("unknown_reference", errors={"carrier": [f"{carrier} 不存在"]})
        new_shipment(session, application, hall_id=actor.hall_id, carrier_id=chosen.id, now=now)
        workflow.record(session, application, "issued_by_post", actor=actor, at=now,
                        message=f"办理结果将由{chosen.name}寄出")
        return application
