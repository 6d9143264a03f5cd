"""The back office (受办分离): each department decides its own sub-case, in parallel (并联审批).

A sub-case that depends on another waits until that one is approved, and is refused with it.
The application completes when every sub-case is decided.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only

from app.actors import SYSTEM_ACTOR, Actor
from app.clock import Clock, local_date
from app.crypto import FieldCipher
from app.errors import NotFound
from app.services import back_office_notice, deadlines, real_name, wallet, workflow
from app.services.calendar import load_calendar
from app.services.notify import notify
from app.services.paging import with_total
from app.services.unit_of_work import transaction
from models.application import Application, Pause, SubCase
from models.catalogue import Item
from models.citizen import Citizen
from models.workflow import DECIDED, AppStatus, SubStatus


def inbox(session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20):
    mine = select(SubCase).where(SubCase.department_id == actor.department_id)
    if status:
        mine = mine.where(SubCase.status == SubStatus(status))
    # Counted and cut into pages without the joins (every sub-case has its application, applicant and
    # item: NOT NULL keys), so a deep page skips index entries, not joined rows; the page is then joined.
    ids = mine.with_only_columns(SubCase.id).order_by(SubCase.id).limit(page_size).offset((page - 1) * page_size)
    stmt = (select(SubCase, Application, Item, Citizen.real_name_verified)
            .join(Application, SubCase.application_id == Application.id)
            .join(Citizen, Application.citizen_id == Citizen.id)
            .join(Item, SubCase.item_id == Item.id)
            .where(SubCase.id.in_(ids.scalar_subquery())).order_by(SubCase.id)
            # The inbox shows none of their collections (load none), and of the application and the
            # item only these columns: not the application's other JSON documents and ~45 columns.
            .options(lazyload("*"), load_only(*INBOX_APPLICATION), load_only(Item.main_name)))
    return with_total(session, stmt, mine, page_size=page_size, number=page)


# What the inbox shows of an application (blueprints/department/presenters.py subcase_view) and what
# its access-log entry names (the citizen, the number, the region).
INBOX_APPLICATION = (Application.id, Application.number, Application.title, Application.form,
                     Application.citizen_id, Application.region_code)


def shown(session: Session, subcase: SubCase) -> tuple[SubCase, Application, Item, bool]:
    """A sub-case as the inbox shows it (with its application, item and whether the applicant is
    verified), in one statement."""
    return session.execute(select(SubCase, Application, Item, Citizen.real_name_verified)
                           .join(Application, SubCase.application_id == Application.id)
                           .join(Citizen, Application.citizen_id == Citizen.id)
                           .join(Item, SubCase.item_id == Item.id)
                           .where(SubCase.id == subcase.id)).one()


def _load(session: Session, actor: Actor, subcase_id: int, now) -> tuple[Application, SubCase, list[SubCase]]:
    """The sub-case, its siblings and its application, which every decision touches: two decisions
    on one application at once cannot both commit (the version column), so the last decision
    always sees every other and completes the application."""
    subcase = session.get(SubCase, subcase_id)
    if subcase is None or subcase.department_id != actor.department_id:
        raise NotFound()
    application = session.get(Application, subcase.application_id)
    siblings = session.scalars(select(SubCase).where(SubCase.application_id == application.id)
                               .order_by(SubCase.position)).all()
    application.updated_at = now
    return application, subcase, siblings


def _start_review(session: Session, application: Application, at) -> None:
    if application.status == AppStatus.accepted:
        workflow.move(session, application, "start_review", actor=SYSTEM_ACTOR, at=at, message="部门审核中")


def _item_name(session: Session, subcase: SubCase) -> str:
    return session.get(Item, subcase.item_id).main_name


def approve(*, session: Session, clock: Clock, actor: Actor, cipher: FieldCipher, subcase_id: int,
            note: str | None) -> SubCase:
    """A case is decided on a real-name applicant only (实名): 409 `identity_unverified` otherwise."""
    with transaction(session):
        now = clock()
        application, subcase, siblings = _load(session, actor, subcase_id, now)
        real_name.check_applicant(session, cipher, application.citizen_id, application.form_spec, application.form,
                                  deciding=True)
        name = _item_name(session, subcase)
        workflow.move(session, subcase, "approve", actor=actor, at=now, message=f"「{name}」审核通过", note=note)
        subcase.decided_at, subcase.decided_by, subcase.decision_note = now, actor.id, note
        _start_review(session, application, now)
        issued = wallet.issue_result(session, application, subcase, local_date(now))
        if issued is not None:
            workflow.record(session, application, "elicense_issued", actor=actor, at=now, subcase=subcase,
                            message=f"「{issued.type.name}」电子证照已发放到您的卡包")
        for waiting in siblings:
            if waiting.status == SubStatus.waiting and all(
                    _status_of(siblings, code) == SubStatus.approved for code in waiting.depends_on):
                workflow.move(session, waiting, "open", actor=SYSTEM_ACTOR, at=now,
                              message=f"前置事项已办结，「{_item_name(session, waiting)}」开始办理")
                waiting.opened_on = local_date(now)
        notify(session, application, "subcase_decided", at=now, item=name, outcome="办结")
        _complete_if_decided(session, application, siblings, now)
        return subcase


def reject(*, session: Session, clock: Clock, actor: Actor, subcase_id: int, reason: str) -> SubCase:
    with transaction(session):
        now = clock()
        application, subcase, siblings = _load(session, actor, subcase_id, now)
        name = _item_name(session, subcase)
        workflow.move(session, subcase, "reject", actor=actor, at=now, message=f"「{name}」未通过：{reason}")
        subcase.decided_at, subcase.decided_by, subcase.decision_note = now, actor.id, reason
        _start_review(session, application, now)
        deadlines.end_pauses(session, application_id=application.id, now=now, subcase_ids=[subcase.id])
        refused = {subcase.item_code}
        changed = True
        while changed:  # a refusal travels down every chain that depends on it
            changed = False
            for waiting in siblings:
                if waiting.status == SubStatus.waiting and refused & set(waiting.depends_on):
                    workflow.move(session, waiting, "cascade_reject", actor=SYSTEM_ACTOR, at=now,
                                  message=f"前置事项未通过，「{_item_name(session, waiting)}」无法办理")
                    waiting.decided_at, waiting.decision_note = now, f"前置事项 {subcase.item_code} 未通过"
                    refused.add(waiting.item_code)
                    changed = True
        notify(session, application, "subcase_decided", at=now, item=name, outcome=f"未通过（{reason}）")
        _complete_if_decided(session, application, siblings, now)
        return subcase


def request_materials(*, session: Session, clock: Clock, actor: Actor, subcase_id: int,
                      problems: list[dict]) -> SubCase:
    """The deadline pauses until the citizen supplies what is asked (补齐补正); a department asks once,
    and same-day requests of a bundle reach the citizen as one notice (一次性告知, back_office_notice)."""
    with transaction(session):
        now = clock()
        application, subcase, siblings = _load(session, actor, subcase_id, now)
        back_office_notice.refuse_second_request(session, subcase)
        name = _item_name(session, subcase)
        summary = "；".join(f"{p['target']}：{p['reason']}" for p in problems)
        workflow.move(session, subcase, "request_materials", actor=actor, at=now,
                      message=f"「{name}」需要补充材料：{summary}（办理时限暂停）", details={"problems": problems})
        back_office_notice.record_request(subcase)
        _start_review(session, application, now)
        deadlines.start_pause(session, application_id=application.id, subcase_id=subcase.id,
                              reason=f"等待申请人补充「{name}」材料", now=now)
        back_office_notice.notify_materials_requested(session, application, siblings, now=now)
        return subcase


def _status_of(siblings: list[SubCase], item_code: str) -> str | None:
    return next((str(s.status) for s in siblings if s.item_code == item_code), None)


def record_completion(session: Session, application: Application, now) -> None:
    """Freeze the facts the statistics count: working days taken (pauses out) and on time or not."""
    pauses = session.scalars(select(Pause).where(Pause.application_id == application.id)).all()
    done = deadlines.completion(load_calendar(session), accepted_on=application.accepted_on,
                                promised_days=application.promised_days, pauses=pauses, now=now)
    application.promised_date, application.on_time = done.promised_date, done.on_time
    application.working_days_taken, application.light = done.working_days_taken, None


def _complete_if_decided(session: Session, application: Application, siblings: list[SubCase], now) -> None:
    if all(str(s.status) in DECIDED for s in siblings):
        approved = sum(1 for s in siblings if s.status == SubStatus.approved)
        workflow.move(session, application, "complete", actor=SYSTEM_ACTOR, at=now,
                      message=f"全部办结：{approved}/{len(siblings)} 项通过")
        application.completed_at = now
        deadlines.end_pauses(session, application_id=application.id, now=now)
        session.flush()
        record_completion(session, application, now)
        delivery = "将邮寄送达" if application.delivery_method == "post" else "请到窗口领取或选择邮寄"
        notify(session, application, "application_completed", at=now, delivery=delivery)
